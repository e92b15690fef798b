package tfschema

import (
	"strings"
	"testing"
)

// want is one expected error: its address and path must match exactly, its
// reason must contain reason.
type want struct{ addr, path, reason string }

// TestRejected applies one mistake per case to the valid stack and expects
// exactly the listed errors.
func TestRejected(t *testing.T) {
	const (
		ns     = "resource.kubernetes_namespace_v1.ollama"
		secret = "resource.kubernetes_secret_v1.jwt"
		netpol = "resource.kubernetes_network_policy_v1.ollama_ingress"
		helm   = "resource.helm_release.ollama"
		dataNS = "data.kubernetes_namespace_v1.kube_system"
	)
	tests := []struct {
		name  string
		patch string
		want  []want
	}{
		// 1. Unknown attributes and blocks, misplaced meta-arguments.
		{"unknown attribute in a block", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"labelz":{"a":"b"}}}}}}`,
			[]want{{ns, "metadata[0].labelz", `unsupported argument or block "labelz" (did you mean "labels"?)`}}},
		{"unknown top-level attribute", `{"resource":{"helm_release":{"ollama":{"atomicc":true}}}}`,
			[]want{{helm, "atomicc", `(did you mean "atomic"?)`}}},
		{"unknown nested block", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"egres":[{}]}}}}}`,
			[]want{{netpol, "spec[0].egres", `unsupported argument or block "egres" (did you mean "egress"?)`}}},
		{"connection on a data source", `{"data":{"kubernetes_namespace_v1":{"kube_system":{"connection":{"host":"x"}}}}}`,
			[]want{{dataNS, "connection", "only allowed in resource blocks"}}},
		{"resource-only lifecycle argument on a data source", `{"data":{"kubernetes_namespace_v1":{"kube_system":{"lifecycle":{"prevent_destroy":true}}}}}`,
			[]want{{dataNS, "lifecycle.prevent_destroy", "only allowed in the lifecycle of a managed resource"}}},
		{"unknown lifecycle argument", `{"resource":{"helm_release":{"ollama":{"lifecycle":{"ignore_change":["values"]}}}}}`,
			[]want{{helm, "lifecycle.ignore_change", `(did you mean "ignore_changes"?)`}}},
		{"unknown resource type", `{"resource":{"kubernetes_namespaces_v1":{"x":{"metadata":{"name":"x"}}}}}`,
			[]want{{"resource.kubernetes_namespaces_v1.x", "", `resource type "kubernetes_namespaces_v1" is not provided by registry.terraform.io/hashicorp/kubernetes (did you mean "kubernetes_namespace_v1"?)`}}},
		{"unknown top-level property", `{"resources":{}}`,
			[]want{{"resources", "", `unsupported top-level property "resources" (did you mean "resource"?)`}}},
		{"unknown provisioner", `{"resource":{"helm_release":{"ollama":{"provisioner":[{"local_exec":{"command":"x"}}]}}}}`,
			[]want{{helm, "provisioner[0].local_exec", `(did you mean "local-exec"?)`}}},

		// 2. Required attributes and blocks, item counts.
		{"missing required attribute", `{"resource":{"helm_release":{"ollama":{"chart":null}}}}`,
			[]want{{helm, "chart", `missing required argument "chart"`}}},
		{"missing required block", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":null}}}}`,
			[]want{{ns, "metadata", `missing required block "metadata": at least 1 required`}}},
		{"missing required nested block", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"pod_selector":null}}}}}`,
			[]want{{netpol, "spec[0].pod_selector", `missing required block "pod_selector"`}}},
		{"missing required attribute in a nested block", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"policy_types":null}}}}}`,
			[]want{{netpol, "spec[0].policy_types", `missing required argument "policy_types"`}}},
		{"too many blocks", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":[{"name":"a"},{"name":"b"}]}}}}`,
			[]want{{ns, "metadata", "at most 1 blocks allowed, got 2"}}},
		{"too few blocks", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":[]}}}}`,
			[]want{{ns, "metadata", "at least 1 blocks required, got 0"}}},
		{"missing required attribute in a nested attribute", `{"resource":{"helm_release":{"ollama":{"set":[{"name":"a","value":"b"},{"value":"x"}]}}}}`,
			[]want{{helm, "set[1].name", `missing required attribute "name"`}}},

		// 3. Types.
		{"string that is not a number", `{"resource":{"kubernetes_secret_v1":{"jwt":{"data_wo_revision":"one"}}}}`,
			[]want{{secret, "data_wo_revision", `number required, got string "one"`}}},
		{"number for bool", `{"resource":{"helm_release":{"ollama":{"wait":1}}}}`,
			[]want{{helm, "wait", "bool required, got number 1"}}},
		{"string that is not a bool", `{"resource":{"helm_release":{"ollama":{"atomic":"yes"}}}}`,
			[]want{{helm, "atomic", `bool required, got string "yes"`}}},
		{"array for map", `{"resource":{"kubernetes_secret_v1":{"jwt":{"metadata":{"labels":["a"]}}}}}`,
			[]want{{secret, "metadata[0].labels", "map of string required, got array of 1 elements"}}},
		{"literal string for list", `{"resource":{"helm_release":{"ollama":{"values":"replicaCount: 2"}}}}`,
			[]want{{helm, "values", `list of string required, got string "replicaCount: 2"`}}},
		{"mixed template for list", `{"resource":{"helm_release":{"ollama":{"values":"prefix-${var.kubeconfig_path}"}}}}`,
			[]want{{helm, "values", "always produces a string"}}},
		{"object element in list of string", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"policy_types":[{"a":1}]}}}}}`,
			[]want{{netpol, "spec[0].policy_types[0]", "string required, got object"}}},
		{"lossy number for string", `{"resource":{"helm_release":{"ollama":{"set":[{"name":"image.tag","value":1.10}]}}}}`,
			[]want{{helm, "set[0].value", `number 1.10 would be converted to string "1.1"`}}},
		{"computed-only attribute", `{"resource":{"helm_release":{"ollama":{"status":"deployed"}}}}`,
			[]want{{helm, "status", "computed by the provider (read-only)"}}},
		{"computed-only attribute in a block", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"uid":"1234"}}}}}`,
			[]want{{ns, "metadata[0].uid", "computed by the provider (read-only)"}}},
		{"computed-only nested attribute", `{"resource":{"helm_release":{"ollama":{"metadata":{"revision":3}}}}}`,
			[]want{{helm, "metadata", "computed by the provider (read-only)"}}},
		{"negative count", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"count":-1,"metadata":{"name":"x"}}}}}`,
			[]want{{"resource.kubernetes_config_map_v1.cfg", "count", "whole number ≥ 0"}}},
		{"for_each with a JSON array", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"for_each":["a","b"],"metadata":{"name":"${each.key}"}}}}}`,
			[]want{{"resource.kubernetes_config_map_v1.cfg", "for_each", "toset"}}},

		// 4. Nesting modes: blocks versus nested attributes.
		{"list nested attribute written as a block object", `{"resource":{"helm_release":{"ollama":{"set":{"name":"a","value":"b"}}}}}`,
			[]want{{helm, "set", "not a block: write a JSON array of objects"}}},
		{"single nested attribute written as a block list", `{"provider":{"helm":[{"kubernetes":[{"config_path":"~/.kube/config"}]}]}}`,
			[]want{{"provider.helm[0]", "kubernetes", "not a block: write one JSON object, not an array"}}},
		{"block set from an expression", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":"${local.labels}"}}}}`,
			[]want{{ns, "metadata", "cannot be set from the expression"}}},
		{"dynamic block for a nested attribute", `{"resource":{"helm_release":{"ollama":{"dynamic":{"set":{"for_each":"${var.models}","content":{"name":"x","value":"y"}}}}}}}`,
			[]want{{helm, "dynamic.set", `"set" is an attribute, not a block`}}},
		{"unknown attribute in a nested attribute", `{"resource":{"helm_release":{"ollama":{"set":[{"name":"a","valeu":"b"}]}}}}`,
			[]want{{helm, "set[0].valeu", `Terraform would silently discard it (did you mean "value"?)`}}},
		{"two single-mode blocks", `{"resource":{"kubernetes_secret_v1":{"jwt":{"timeouts":[{"create":"1m"},{"create":"2m"}]}}}}`,
			[]want{{secret, "timeouts", `only one "timeouts" block is allowed (nesting mode single), got 2`}}},
		{"list block element that is not an object", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"ingress":["from-all"]}}}}}`,
			[]want{{netpol, "spec[0].ingress[0]", `each "ingress" block must be a JSON object`}}},
		{"single nested attribute from a literal", `{"resource":{"helm_release":{"ollama":{"postrender":"kustomize"}}}}`,
			[]want{{helm, "postrender", "requires an object"}}},
		{"dynamic block without content", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"dynamic":{"egress":{"for_each":"${var.models}"}}}}}}}`,
			[]want{{netpol, "spec[0].dynamic.egress.content", `missing required block "content"`}}},

		// 5. Write-only attributes.
		{"output reads a write-only attribute", `{"output":{"jwt":{"value":"${kubernetes_secret_v1.jwt.data_wo}","sensitive":true}}}`,
			[]want{{"output.jwt", "value", `reads write-only attribute "data_wo"`}}},
		{"resource reads a write-only nested attribute", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"metadata":{"name":"x"},"data":{"v":"${helm_release.ollama.set_wo[0].value}"}}}}}`,
			[]want{{"resource.kubernetes_config_map_v1.cfg", `data["v"]`, `reads write-only attribute "set_wo"`}}},
		{"ephemeral value in a persisted attribute", `{"resource":{"kubernetes_secret_v1":{"jwt":{"data":{"JWT":"${var.jwt_secret}"}}}}}`,
			[]want{{secret, `data["JWT"]`, "ephemeral value var.jwt_secret cannot be used here"}}},

		// 6. References.
		{"undeclared variable", `{"provider":{"kubernetes":[{"config_path":"${var.kubeconfig_pth}"}]}}`,
			[]want{{"provider.kubernetes[0]", "config_path", `undeclared input variable "kubeconfig_pth" (did you mean "kubeconfig_path"?)`}}},
		{"undeclared local", `{"resource":{"kubernetes_secret_v1":{"jwt":{"metadata":{"labels":"${local.label}"}}}}}`,
			[]want{{secret, "metadata[0].labels", `undeclared local value "label" (did you mean "labels"?)`}}},
		{"undeclared resource", `{"resource":{"kubernetes_secret_v1":{"jwt":{"metadata":{"namespace":"${kubernetes_namespace_v1.olama.metadata[0].name}"}}}}}`,
			[]want{{secret, "metadata[0].namespace", `undeclared resource "kubernetes_namespace_v1.olama" (did you mean "kubernetes_namespace_v1.ollama"?)`}}},
		{"undeclared data source", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"annotations":{"uid":"${data.kubernetes_namespace_v1.kube.metadata[0].uid}"}}}}}}`,
			[]want{{ns, `metadata[0].annotations["uid"]`, `undeclared data source "data.kubernetes_namespace_v1.kube"`}}},
		{"unknown attribute of a resource", `{"output":{"namespace":{"value":"${kubernetes_namespace_v1.ollama.meta[0].name}"}}}`,
			[]want{{"output.namespace", "value", `no attribute or block named "meta"`}}},
		{"unknown attribute of a data source", `{"output":{"kube":{"value":"${data.kubernetes_namespace_v1.kube_system.status}"}}}`,
			[]want{{"output.kube", "value", `no attribute or block named "status"`}}},
		{"unknown attribute inside a block", `{"output":{"namespace":{"value":"${kubernetes_namespace_v1.ollama.metadata[0].nmae}"}}}`,
			[]want{{"output.namespace", "value", `no attribute or block named "nmae" (did you mean "name"?)`}}},
		{"list block read without index", `{"output":{"namespace":{"value":"${kubernetes_namespace_v1.ollama.metadata.name}"}}}`,
			[]want{{"output.namespace", "value", `block "metadata" is a list, so it must be indexed`}}},
		{"unknown attribute of a nested attribute", `{"output":{"release_revision":{"value":"${helm_release.ollama.metadata.revison}"}}}`,
			[]want{{"output.release_revision", "value", `unsupported attribute "revison" (did you mean "revision"?)`}}},
		{"helm 2 style metadata[0] on a helm 3 release", `{"output":{"release_revision":{"value":"${helm_release.ollama.metadata[0].revision}"}}}`,
			[]want{{"output.release_revision", "value", "is an object, whose attributes are accessed by name"}}},
		{"attribute of a string", `{"output":{"namespace":{"value":"${kubernetes_namespace_v1.ollama.metadata[0].name.first}"}}}`,
			[]want{{"output.namespace", "value", `cannot access attribute "first" on a value of type string`}}},
		{"index into a set attribute", `{"output":{"ports":{"value":"${kubernetes_network_policy_v1.ollama_ingress.spec[0].ingress[0].from[0].namespace_selector[0].match_expressions[0].values[0]}"}}}`,
			[]want{{"output.ports", "value", "cannot index a set of string"}}},
		{"count.index without count", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"name":"ollama-${count.index}"}}}}}`,
			[]want{{ns, "metadata[0].name", "count.index can only be used in a block that sets count"}}},
		{"counted resource read without index", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"count":2,"metadata":{"name":"cfg-${count.index}"}}}},"output":{"cfg":{"value":"${kubernetes_config_map_v1.cfg.id}"}}}`,
			[]want{{"output.cfg", "value", "missing instance key"}}},
		{"undeclared module", `{"output":{"vpc":{"value":"${module.vpc.id}"}}}`,
			[]want{{"output.vpc", "value", `undeclared module "vpc"`}}},
		{"invalid template", `{"provider":{"kubernetes":[{"config_path":"${var.kubeconfig_path"}]}}`,
			[]want{{"provider.kubernetes[0]", "config_path", "invalid template"}}},
		{"depends_on an attribute", `{"resource":{"helm_release":{"ollama":{"depends_on":["kubernetes_secret_v1.jwt.metadata"]}}}}`,
			[]want{{helm, "depends_on[0]", "whole object"}}},
		{"depends_on an undeclared resource", `{"resource":{"helm_release":{"ollama":{"depends_on":["kubernetes_secret_v1.jwtt"]}}}}`,
			[]want{{helm, "depends_on[0]", `undeclared resource "kubernetes_secret_v1.jwtt"`}}},
		{"depends_on written as a template", `{"resource":{"helm_release":{"ollama":{"depends_on":["${kubernetes_secret_v1.jwt}"]}}}}`,
			[]want{{helm, "depends_on[0]", `needs a bare reference here: write "kubernetes_secret_v1.jwt"`}}},
		{"provider written as a template", `{"resource":{"helm_release":{"ollama":{"provider":"${helm}"}}}}`,
			[]want{{helm, "provider", `needs a bare reference here: write "helm"`}}},
		{"ignore_changes written as a template", `{"resource":{"helm_release":{"ollama":{"lifecycle":{"ignore_changes":["${values}"]}}}}}`,
			[]want{{helm, "lifecycle.ignore_changes[0]", `needs a bare reference here`}}},
		{"ignore_changes on an unknown attribute", `{"resource":{"helm_release":{"ollama":{"lifecycle":{"ignore_changes":["valuez"]}}}}}`,
			[]want{{helm, "lifecycle.ignore_changes[0]", `no attribute or block named "valuez"`}}},
		{"self outside provisioner", `{"output":{"self":{"value":"${self.name}"}}}`,
			[]want{{"output.self", "value", "self.name can only be used in provisioner"}}},
		{"unknown provider function", `{"locals":{"m":"${provider::kubernetes::manifest_decod(\"x\")}"}}`,
			[]want{{"local.m", "", `has no function "manifest_decod" (did you mean "manifest_decode"?)`}}},

		// 7. Providers.
		{"unknown provider argument", `{"provider":{"kubernetes":[{"config_paht":"~/.kube/config"}]}}`,
			[]want{{"provider.kubernetes[0]", "config_paht", `(did you mean "config_path"?)`}}},
		{"provider block missing required argument", `{"provider":{"kubernetes":[{"exec":{"api_version":"client.authentication.k8s.io/v1"}}]}}`,
			[]want{{"provider.kubernetes[0]", "exec[0].command", `missing required argument "command"`}}},
		{"provider nested attribute missing required attribute", `{"provider":{"helm":[{"registries":[{"url":"oci://ghcr.io","username":"u"}]}]}}`,
			[]want{{"provider.helm[0]", "registries[0].password", `missing required attribute "password"`}}},
		{"required provider without version", `{"terraform":{"required_providers":{"helm":{"version":null}}}}`,
			[]want{{"terraform.required_providers.helm", "version", `missing required argument "version"`}}},
		{"required provider as a bare version string", `{"terraform":{"required_providers":{"helm":"3.1.1"}}}`,
			[]want{
				{"terraform.required_providers.helm", "", "must be an object with source and version"},
				{"provider.helm", "", `provider "helm" is not declared`},
				{helm, "", `provider "helm" (implied by the type name) is not declared`},
			}},
		{"required provider without source", `{"terraform":{"required_providers":{"kubernetes":{"source":null}}}}`,
			[]want{
				{"terraform.required_providers.kubernetes", "source", `missing required argument "source"`},
				{"provider.kubernetes", "", `provider "kubernetes" is not declared`},
				{ns, "", "is not declared"}, {secret, "", "is not declared"},
				{netpol, "", "is not declared"}, {dataNS, "", "is not declared"},
			}},
		{"invalid version constraint", `{"terraform":{"required_providers":{"kubernetes":{"version":"latest"}}}}`,
			[]want{{"terraform.required_providers.kubernetes", "version", `invalid version constraint "latest"`}}},
		{"provider without schema", `{"terraform":{"required_providers":{"random":{"source":"hashicorp/random","version":"3.6.3"}}}}`,
			[]want{{"terraform.required_providers.random", "source", "no schema loaded"}}},
		{"provider block for an undeclared provider", `{"provider":{"aws":[{"region":"eu-west-1"}]}}`,
			[]want{{"provider.aws", "", `provider "aws" is not declared`}}},
		{"resource uses an undefined alias", `{"resource":{"helm_release":{"ollama":{"provider":"helm.remote"}}}}`,
			[]want{{helm, "provider", "no provider configuration helm.remote"}}},
		{"provider argument naming an undeclared provider", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"provider":"k8s"}}}}`,
			[]want{{ns, "provider", `provider "k8s" (set by the provider argument) is not declared`}}},
		{"duplicate default provider configuration", `{"provider":{"kubernetes":[{"config_path":"a"},{"config_path":"b"}]}}`,
			[]want{{"provider.kubernetes[1]", "", "duplicate default configuration"}}},
		{"invalid required_version", `{"terraform":{"required_version":">= one"}}`,
			[]want{{"terraform", "required_version", "invalid version constraint"}}},

		// 8. Variables and outputs.
		{"unknown variable argument", `{"variable":{"replicas":{"optional":true}}}`,
			[]want{{"variable.replicas", "optional", `unsupported argument "optional" in a variable block`}}},
		{"validation without error_message", `{"variable":{"replicas":{"validation":{"error_message":null}}}}`,
			[]want{{"variable.replicas", "validation[0].error_message", `missing required argument "error_message"`}}},
		{"validation condition that is not a bool", `{"variable":{"replicas":{"validation":{"condition":"var.replicas > 0"}}}}`,
			[]want{{"variable.replicas", "validation[0].condition", `bool required, got string "var.replicas > 0"`}}},
		{"unknown validation argument", `{"variable":{"jwt_secret":{"validation":[{"condition":"${true}","error_message":"x","message":"y"}]}}}`,
			[]want{{"variable.jwt_secret", "validation[0].message", `unsupported argument "message"`}}},
		{"invalid type constraint", `{"variable":{"models":{"type":"lst(string)"}}}`,
			[]want{{"variable.models", "type", `invalid type constraint "lst(string)"`}}},
		{"default of the wrong type", `{"variable":{"replicas":{"default":"many"}}}`,
			[]want{{"variable.replicas", "default", `number required, got string "many"`}}},
		{"default not matching an object type", `{"variable":{"models":{"default":[{"nam":"llama3"}]}}}`,
			[]want{
				{"variable.models", "default[0]", `attribute "name" is required`},
				{"variable.models", "default[0].nam", `unsupported attribute "nam"`},
			}},
		{"interpolation in a default", `{"variable":{"kubeconfig_path":{"default":"${path.module}/kubeconfig"}}}`,
			[]want{{"variable.kubeconfig_path", "default", "not allowed in a variable default"}}},
		{"null default of a non-nullable variable", `{"variable":{"jwt_secret":{"default":"__null__"}}}`,
			[]want{{"variable.jwt_secret", "default", "nullable is false"}}},
		{"unknown output argument", `{"output":{"namespace":{"sensitve":true}}}`,
			[]want{{"output.namespace", "sensitve", `(did you mean "sensitive"?)`}}},
		{"output without value", `{"output":{"release_status":{"value":null,"description":"status"}}}`,
			[]want{{"output.release_status", "value", `missing required argument "value"`}}},
		{"output of a sensitive value not marked sensitive", `{"output":{"webui":{"value":"${var.webui_secret_key}"}}}`,
			[]want{{"output.webui", "value", `set "sensitive": true`}}},
		{"output of a sensitive attribute not marked sensitive", `{"output":{"tls":{"value":"${kubernetes_secret_v1.jwt.data}"}}}`,
			[]want{{"output.tls", "value", `set "sensitive": true`}}},
		{"output of an ephemeral value", `{"output":{"jwt":{"value":"${var.jwt_secret}","sensitive":true}}}`,
			[]want{{"output.jwt", "value", "ephemeral value var.jwt_secret cannot be used here"}}},
		{"ephemeral root output", `{"output":{"namespace":{"ephemeral":true}}}`,
			[]want{{"output.namespace", "ephemeral", "cannot be ephemeral"}}},

		// 9. Backend.
		{"two backends", `{"terraform":{"backend":{"s3":{"bucket":"b","key":"k","region":"eu-west-1"}}}}`,
			[]want{{"terraform.backend", "", "exactly one backend required, got 2 (local, s3)"}}},
		{"no backend", `{"terraform":{"backend":{"local":null}}}`,
			[]want{{"terraform.backend", "", "exactly one backend required, got 0"}}},
		{"s3 backend without region", `{"terraform":{"backend":{"local":null,"s3":{"bucket":"b","key":"k"}}}}`,
			[]want{{"terraform.backend.s3", "region", `missing required argument "region"`}}},
		{"s3 backend unknown argument", `{"terraform":{"backend":{"local":null,"s3":{"bucket":"b","key":"k","region":"r","use_lock_file":true}}}}`,
			[]want{{"terraform.backend.s3", "use_lock_file", `(did you mean "use_lockfile"?)`}}},
		{"s3 backend assume_role without role_arn", `{"terraform":{"backend":{"local":null,"s3":{"bucket":"b","key":"k","region":"r","assume_role":{"session_name":"tf"}}}}}`,
			[]want{{"terraform.backend.s3", "assume_role.role_arn", `missing required attribute "role_arn"`}}},
		{"kubernetes backend without secret_suffix", `{"terraform":{"backend":{"local":null,"kubernetes":{"namespace":"tfstate","in_cluster_config":"yes"}}}}`,
			[]want{
				{"terraform.backend.kubernetes", "in_cluster_config", `bool required, got string "yes"`},
				{"terraform.backend.kubernetes", "secret_suffix", `missing required argument "secret_suffix"`},
			}},
		{"local backend unknown argument", `{"terraform":{"backend":{"local":{"paht":"x.tfstate"}}}}`,
			[]want{{"terraform.backend.local", "paht", `(did you mean "path"?)`}}},
		{"interpolation in backend", `{"terraform":{"backend":{"local":{"path":"${var.kubeconfig_path}.tfstate"}}}}`,
			[]want{{"terraform.backend.local", "path", "not allowed in backend configuration"}}},
		{"unknown backend type", `{"terraform":{"backend":{"local":null,"etcdv3":{"endpoints":["x"]}}}}`,
			[]want{{"terraform.backend.etcdv3", "", `unsupported backend type "etcdv3"`}}},
	}
	s := testSchemas(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := s.Validate("ollama", patched(t, tt.patch))
			checkErrors(t, errs, tt.want)
		})
	}
}

// checkErrors requires errs to be exactly the wanted errors.
func checkErrors(t *testing.T, errs []Error, wants []want) {
	t.Helper()
	used := make([]bool, len(errs))
	for _, w := range wants {
		found := false
		for i, e := range errs {
			if !used[i] && e.Address == w.addr && e.Path == w.path && strings.Contains(e.Reason, w.reason) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing error %s: %s: …%s…", w.addr, w.path, w.reason)
		}
	}
	for i, e := range errs {
		if !used[i] {
			t.Errorf("unexpected error %s", e.Error())
		}
	}
	for _, e := range errs {
		if e.Stack != "ollama" {
			t.Errorf("error %q has stack %q", e.Error(), e.Stack)
		}
	}
}
