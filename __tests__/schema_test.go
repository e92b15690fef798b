package tests

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llm-platform/cdktf-llm/tfschema"
)

// realSchemasSHA256 is the sha256 of the workplace's
// shared/schemas/providers-schema.json (`terraform providers schema -json`
// for kubernetes 2.38.0 and helm 3.1.1), as published with it.
const realSchemasSHA256 = "c70a63e556e3a074399c7849c648478fcf5e47566f2d3e52dce2539fd4c8c02b"

// TestSchemaCopyIsTheRealOne: synth checks against schemas/, a gzipped copy;
// it must be byte for byte the real file.
func TestSchemaCopyIsTheRealOne(t *testing.T) {
	sum := sha256.Sum256(schemaJSON(t, filepath.Join(root, tfschema.ProjectFile)))
	if got := hex.EncodeToString(sum[:]); got != realSchemasSHA256 {
		t.Errorf("%s decompresses to sha256 %s, want %s", tfschema.ProjectFile, got, realSchemasSHA256)
	}
}

// realSchemas loads the checked copy of the real schemas, once.
var realSchemas = sync.OnceValues(func() (*tfschema.Schemas, error) {
	return tfschema.Load(filepath.Join(root, tfschema.ProjectFile))
})

func loadRealSchemas(t *testing.T) *tfschema.Schemas {
	t.Helper()
	s, err := realSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStacksMatchProviderSchemas validates every shipped stack against the
// real provider schemas: what `terraform validate` would check.
func TestStacksMatchProviderSchemas(t *testing.T) {
	schemas := loadRealSchemas(t)
	for name := range shipped.stacks {
		data, err := os.ReadFile(filepath.Join(shipped.dir, "stacks", name, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range schemas.Validate(name, data) {
			t.Errorf("%v", e)
		}
	}
}

// TestSchemaBreaksAreCaught breaks real synthesized output in each way the
// checker knows; each break must be reported at its address and path.
func TestSchemaBreaksAreCaught(t *testing.T) {
	schemas := loadRealSchemas(t)
	tests := []struct {
		name, stack string
		break_      func(s map[string]any)
		want        string // "<address>: <path>" and part of the reason
	}{
		{"unknown attribute", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_namespace_v1", "ollama", "metadata")["labelz"] = map[string]any{}
		}, "resource.kubernetes_namespace_v1.ollama: metadata[0].labelz"},
		{"unknown block", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_network_policy_v1", "ollama_default_deny", "spec")["egres"] = []any{map[string]any{}}
		}, "resource.kubernetes_network_policy_v1.ollama_default_deny: spec[0].egres"},
		{"missing required attribute", "apps-dev", func(s map[string]any) {
			delete(at(s, "resource", "helm_release", "ollama"), "chart")
		}, "resource.helm_release.ollama: chart"},
		{"missing required block", "base-dev", func(s map[string]any) {
			delete(at(s, "resource", "kubernetes_resource_quota_v1", "ollama"), "metadata")
		}, "resource.kubernetes_resource_quota_v1.ollama: metadata"},
		{"string where a bool goes", "apps-dev", func(s map[string]any) {
			at(s, "resource", "helm_release", "ollama")["atomic"] = "yes"
		}, "resource.helm_release.ollama: atomic"},
		{"string where a number goes", "apps-dev", func(s map[string]any) {
			at(s, "resource", "helm_release", "ollama")["max_history"] = "ten"
		}, "resource.helm_release.ollama: max_history"},
		{"string where a list goes", "apps-dev", func(s map[string]any) {
			at(s, "resource", "helm_release", "librechat")["values"] = "fullnameOverride: x"
		}, "resource.helm_release.librechat: values"},
		{"number where a list goes", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_role_v1", "platform_ollama", "rule", 0)["verbs"] = 5
		}, "resource.kubernetes_role_v1.platform_ollama: rule[0].verbs"},
		{"list where a map goes", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_namespace_v1", "librechat", "metadata")["labels"] = []any{"a"}
		}, "resource.kubernetes_namespace_v1.librechat: metadata[0].labels"},
		{"string where an object goes", "apps-dev", func(s map[string]any) {
			at(s, "provider", "helm", 0)["kubernetes"] = "~/.kube/config"
		}, "provider.helm[0]: kubernetes"},
		{"too many items in a max-1 block", "base-dev", func(s map[string]any) {
			rr := at(s, "resource", "kubernetes_role_binding_v1", "platform_ollama")
			rr["role_ref"] = []any{rr["role_ref"], rr["role_ref"]}
		}, "resource.kubernetes_role_binding_v1.platform_ollama: role_ref"},
		{"nested attribute written as a block list", "apps-dev", func(s map[string]any) {
			p := at(s, "provider", "helm", 0)
			p["kubernetes"] = []any{p["kubernetes"]}
		}, "provider.helm[0]: kubernetes"},
		{"list nested attribute written as one object", "apps-dev", func(s map[string]any) {
			at(s, "resource", "helm_release", "ollama")["set"] = map[string]any{"name": "a", "value": "b"}
		}, "resource.helm_release.ollama: set"},
		{"missing attribute inside a nested attribute", "apps-dev", func(s map[string]any) {
			at(s, "resource", "helm_release", "ollama")["set"] = []any{map[string]any{"value": "b"}}
		}, "resource.helm_release.ollama: set[0].name"},
		{"write-only value read in an output", "base-dev", func(s map[string]any) {
			at(s, "output")["leak"] = map[string]any{"value": "${kubernetes_secret_v1.librechat_credentials.data_wo}", "description": "x"}
		}, "output.leak: value"},
		{"write-only set where the schema has none", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_namespace_v1", "ollama")["data_wo"] = map[string]any{"a": "b"}
		}, "resource.kubernetes_namespace_v1.ollama: data_wo"},
		{"reference to a missing variable", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_namespace_v1", "ollama", "metadata")["name"] = "${var.namespace}"
		}, "resource.kubernetes_namespace_v1.ollama: metadata[0].name"},
		{"reference to a missing resource", "base-dev", func(s map[string]any) {
			at(s, "resource", "kubernetes_resource_quota_v1", "ollama", "metadata")["namespace"] = "${kubernetes_namespace_v1.olama.metadata[0].name}"
		}, "resource.kubernetes_resource_quota_v1.ollama: metadata[0].namespace"},
		{"reference to a missing attribute", "apps-dev", func(s map[string]any) {
			at(s, "output", "releases", "value", "ollama")["revision"] = "${helm_release.ollama.metadata.revison}"
		}, "output.releases: value"},
		{"unknown provider argument", "base-dev", func(s map[string]any) {
			at(s, "provider", "kubernetes", 0)["config_pth"] = "${var.kubeconfig_path}"
		}, "provider.kubernetes[0]: config_pth"},
		{"unknown data source argument", "base-dev", func(s map[string]any) {
			s["data"] = map[string]any{"kubernetes_namespace_v1": map[string]any{"x": map[string]any{"metadata": map[string]any{"nam": "x"}}}}
		}, "data.kubernetes_namespace_v1.x: metadata[0].nam"},
		{"unknown variable key", "base-dev", func(s map[string]any) {
			at(s, "variable", "kube_context")["sensitiv"] = true
		}, "variable.kube_context: sensitiv"},
		{"variable default of the wrong type", "base-dev", func(s map[string]any) {
			at(s, "variable", "credentials_revision")["default"] = "one"
		}, "variable.credentials_revision: default"},
		{"output without value", "apps-dev", func(s map[string]any) {
			delete(at(s, "output", "ollama_url"), "value")
		}, "output.ollama_url: value"},
		{"unknown backend argument", "base-dev", func(s map[string]any) {
			at(s, "terraform", "backend", "local")["pth"] = "x"
		}, "terraform.backend.local: pth"},
		{"kubernetes backend without secret_suffix", "base-prod", func(s map[string]any) {
			delete(at(s, "terraform", "backend", "kubernetes"), "secret_suffix")
		}, "terraform.backend.kubernetes: secret_suffix"},
		{"provider not in required_providers", "apps-dev", func(s map[string]any) {
			delete(at(s, "terraform", "required_providers"), "helm")
		}, `provider.helm: provider "helm" is not declared`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(shipped.dir, "stacks", tc.stack, "cdk.tf.json"))
			if err != nil {
				t.Fatal(err)
			}
			var s map[string]any
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			if errs := schemas.Validate(tc.stack, data); len(errs) != 0 {
				t.Fatalf("the stack is not valid before the break: %v", errs)
			}
			tc.break_(s)
			broken, _ := json.Marshal(s)
			errs := schemas.Validate(tc.stack, broken)
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
				if e.Stack != tc.stack {
					t.Errorf("error names stack %q, want %q", e.Stack, tc.stack)
				}
			}
			t.Log(strings.Join(msgs, "\n"))
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("break not reported at %q; got:\n%s", tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// at walks s (keys for objects, indexes for lists) to an object.
func at(s map[string]any, path ...any) map[string]any {
	var v any = s
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}
