package tfschema

import (
	"encoding/json"
	"fmt"
	"testing"
)

// mediumStack builds a stack of n tenants, each with a namespace, a secret,
// a config map, a network policy and a helm release: 5n resources.
func mediumStack(tb testing.TB, n int) []byte {
	tb.Helper()
	var base map[string]any
	if err := json.Unmarshal(readFixture(tb), &base); err != nil {
		tb.Fatal(err)
	}
	resources := map[string]map[string]any{
		"kubernetes_namespace_v1":      {},
		"kubernetes_secret_v1":         {},
		"kubernetes_config_map_v1":     {},
		"kubernetes_network_policy_v1": {},
		"helm_release":                 {},
	}
	outputs := base["output"].(map[string]any)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("tenant%d", i)
		nsRef := fmt.Sprintf("${kubernetes_namespace_v1.%s.metadata[0].name}", name)
		resources["kubernetes_namespace_v1"][name] = map[string]any{
			"metadata": map[string]any{"name": name, "labels": "${local.labels}"},
		}
		resources["kubernetes_secret_v1"][name] = map[string]any{
			"metadata":         map[string]any{"name": name + "-jwt", "namespace": nsRef},
			"data_wo":          map[string]any{"JWT_SECRET": "${var.jwt_secret}"},
			"data_wo_revision": 1,
		}
		data := map[string]any{}
		for k := 0; k < 20; k++ {
			data[fmt.Sprintf("key%d", k)] = fmt.Sprintf("value-%d-${var.replicas}", k)
		}
		resources["kubernetes_config_map_v1"][name] = map[string]any{
			"metadata": map[string]any{"name": name + "-cfg", "namespace": nsRef},
			"data":     data,
		}
		resources["kubernetes_network_policy_v1"][name] = map[string]any{
			"metadata": map[string]any{"name": name + "-ingress", "namespace": nsRef},
			"spec": map[string]any{
				"pod_selector": map[string]any{"match_labels": map[string]any{"app": name}},
				"policy_types": []any{"Ingress", "Egress"},
				"ingress": []any{map[string]any{
					"from":  []any{map[string]any{"namespace_selector": map[string]any{"match_labels": map[string]any{"kubernetes.io/metadata.name": nsRef}}}},
					"ports": []any{map[string]any{"port": 11434, "protocol": "TCP"}},
				}},
				"egress": []any{map[string]any{
					"to": []any{map[string]any{"ip_block": map[string]any{"cidr": "10.0.0.0/8", "except": []any{"10.1.0.0/16"}}}},
				}},
			},
		}
		var sets []any
		for k := 0; k < 10; k++ {
			sets = append(sets, map[string]any{"name": fmt.Sprintf("extra.key%d", k), "value": fmt.Sprintf("${var.replicas * %d}", k)})
		}
		resources["helm_release"][name] = map[string]any{
			"name":       name,
			"chart":      "ollama",
			"repository": "https://otwld.github.io/ollama-helm/",
			"namespace":  nsRef,
			"values":     []any{"${yamlencode({replicaCount = var.replicas})}"},
			"set":        sets,
			"depends_on": []any{"kubernetes_secret_v1." + name},
		}
		outputs[name] = map[string]any{"value": fmt.Sprintf("${helm_release.%s.metadata.revision}", name)}
	}
	all := base["resource"].(map[string]any)
	for typ, byName := range resources {
		existing, _ := all[typ].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
		}
		for name, body := range byName {
			existing[name] = body
		}
		all[typ] = existing
	}
	out, err := json.Marshal(base)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestMediumStackValid(t *testing.T) {
	if errs := testSchemas(t).Validate("medium", mediumStack(t, 20)); len(errs) != 0 {
		t.Fatalf("medium stack: %d errors:\n%s", len(errs), formatErrors(errs))
	}
}

func BenchmarkValidateMediumStack(b *testing.B) {
	s := testSchemas(b)
	stack := mediumStack(b, 20)
	b.SetBytes(int64(len(stack)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if errs := s.Validate("medium", stack); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}
