package tfschema

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

func readFixture(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/valid.cdk.tf.json")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func formatErrors(errs []Error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("  " + e.Error() + "\n")
	}
	return b.String()
}

// patched returns the valid fixture with a JSON merge patch (RFC 7386)
// applied: objects merge recursively, null removes a key, anything else
// replaces. The string "__null__" sets a JSON null.
func patched(tb testing.TB, patch string) []byte {
	tb.Helper()
	var base, p any
	if err := json.Unmarshal(readFixture(tb), &base); err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(patch))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		tb.Fatalf("bad patch %s: %v", patch, err)
	}
	out, err := json.Marshal(mergePatch(base, p))
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func mergePatch(target, patch any) any {
	if patch == "__null__" {
		return nil
	}
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

func TestValidStack(t *testing.T) {
	if errs := testSchemas(t).Validate("ollama", readFixture(t)); len(errs) != 0 {
		t.Fatalf("valid stack: %d errors:\n%s", len(errs), formatErrors(errs))
	}
}

// TestAccepted lists variations of the valid stack that Terraform accepts.
func TestAccepted(t *testing.T) {
	tests := []struct{ name, patch string }{
		{"list block written as a one-element array", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":[{"name":"ollama"}]}}}}`},
		{"single block written as an object and as a one-element array", `{"resource":{"kubernetes_secret_v1":{"jwt":{"timeouts":{"create":"2m"}}},"kubernetes_namespace_v1":{"ollama":{"timeouts":[{"delete":"5m"}]}}}}`},
		{"null for optional attributes and blocks", `{"resource":{"helm_release":{"ollama":{"repository":null,"devel":null}},"kubernetes_secret_v1":{"jwt":{"timeouts":null}}}}`},
		{"string for number, bool and string for string", `{"resource":{"helm_release":{"ollama":{"timeout":"1e3","wait":"true","atomic":"0","max_history":5}}}}`},
		{"bool and canonical number for string", `{"resource":{"helm_release":{"ollama":{"set":[{"name":"a","value":true},{"name":"b","value":-3.5},{"name":"c","value":100}]}}}}`},
		{"mixed template for number", `{"resource":{"helm_release":{"ollama":{"timeout":"${var.replicas}00"}}}}`},
		{"single interpolation for any type", `{"resource":{"helm_release":{"ollama":{"values":"${[yamlencode(local.labels)]}","set":"${[for m in var.models : {name = m.name, value = \"x\"}]}","postrender":"${null}"}}}}`},
		{"escaped interpolation is a literal", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"annotations":{"note":"$${not.a.reference} and %%{ if }"}}}}}}`},
		{"interpolated map key", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"annotations":{"${var.kubeconfig_path}":"x"}}}}}}`},
		{"named port as string", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"ingress":[{"ports":[{"port":"http","protocol":"TCP"},{"port":"11434"}]}]}}}}}`},
		{"dynamic block with iterator", `{"resource":{"kubernetes_network_policy_v1":{"ollama_ingress":{"spec":{"ingress":null,"dynamic":{"ingress":{"for_each":"${var.models}","iterator":"m","content":{"ports":[{"port":"${m.value.name}"}]}}}}}}}}`},
		{"dynamic block for a required block", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":null,"dynamic":{"metadata":{"for_each":[1],"content":{"name":"ns-${metadata.key}"}}}}}}}`},
		{"count with count.index and indexed references", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"count":"${var.replicas}","metadata":{"name":"cfg-${count.index}","namespace":"${kubernetes_namespace_v1.ollama.metadata[0].name}"},"data":{"i":"${count.index}"}}}},"output":{"cfg":{"value":"${kubernetes_config_map_v1.cfg[0].metadata[0].name}"},"all":{"value":"${kubernetes_config_map_v1.cfg[*].id}"}}}`},
		{"for_each with each", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"for_each":"${toset([for m in var.models : m.name])}","metadata":{"name":"${each.key}"},"data":{"model":"${each.value}"}}}},"output":{"cfg":{"value":"${kubernetes_config_map_v1.cfg[\"a\"].id}"}}}`},
		{"for_each with a literal map", `{"resource":{"kubernetes_config_map_v1":{"cfg":{"for_each":{"a":"1","b":"2"},"metadata":{"name":"${each.key}"}}}}}`},
		{"provider aliases", `{"provider":{"helm":[{"kubernetes":{"config_path":"a"}},{"alias":"remote","kubernetes":{"host":"https://k8s.example:6443","exec":{"api_version":"client.authentication.k8s.io/v1","command":"aws","args":["eks","get-token"]}},"registries":[{"url":"oci://ghcr.io","username":"u","password":"${var.webui_secret_key}"}]}]},"resource":{"helm_release":{"ollama":{"provider":"helm.remote"}},"kubernetes_namespace_v1":{"ollama":{"provider":"kubernetes"}}}}`},
		{"provider exec block", `{"provider":{"kubernetes":[{"exec":{"api_version":"client.authentication.k8s.io/v1beta1","command":"kubelogin","env":{"A":"b"}}}]}}`},
		{"s3 backend", `{"terraform":{"backend":{"local":null,"s3":{"bucket":"llm-state","key":"ollama/terraform.tfstate","region":"eu-west-1","use_lockfile":true,"encrypt":true,"workspace_key_prefix":"ws","endpoints":{"s3":"https://minio.local:9000"},"assume_role":{"role_arn":"arn:aws:iam::123456789012:role/tf","duration":"1h"},"max_retries":5,"use_path_style":true}}}}`},
		{"kubernetes backend", `{"terraform":{"backend":{"local":null,"kubernetes":{"secret_suffix":"ollama","namespace":"tfstate","config_path":"~/.kube/config","labels":{"team":"llm"},"in_cluster_config":false,"exec":{"api_version":"v1","command":"x"}}}}}`},
		{"lifecycle", `{"resource":{"helm_release":{"ollama":{"lifecycle":{"create_before_destroy":true,"prevent_destroy":false,"ignore_changes":"all","replace_triggered_by":["kubernetes_secret_v1.jwt","${kubernetes_namespace_v1.ollama.metadata[0].name}"],"precondition":[{"condition":"${var.replicas > 0}","error_message":"need replicas"}],"postcondition":{"condition":"${self.status == \"deployed\"}","error_message":"release failed: ${self.status}"}}}}}}`},
		{"ignore_changes paths", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"lifecycle":{"ignore_changes":["metadata[0].annotations","metadata[0].labels"]}}}}}`},
		{"provisioner and connection", `{"resource":{"helm_release":{"ollama":{"provisioner":[{"local-exec":{"command":"echo ${self.name} ${self.metadata.revision}","when":"create","on_failure":"continue","environment":{"NS":"${self.namespace}"}}},{"remote-exec":{"inline":["true"],"connection":{"host":"${self.name}","type":"ssh"}}}]}}}}`},
		{"sensitive output", `{"output":{"webui":{"value":"${var.webui_secret_key}","sensitive":true},"webui_len":{"value":"${nonsensitive(length(var.webui_secret_key))}"},"secret_data":{"value":"${kubernetes_secret_v1.jwt.data}","sensitive":true}}}`},
		{"variable forms", `{"variable":{"any":{},"opt":{"type":"object({a=optional(string,\"x\"), b=list(number)})","default":{"b":[1,"2"]},"nullable":true},"flag":{"type":"bool","default":"true","sensitive":false},"m":{"type":"map(string)","default":{"a":"b"},"validation":[{"condition":"${alltrue([for k, v in var.m : length(v) > 0])}","error_message":"empty value in ${join(\",\", keys(var.m))}"}]}}}`},
		{"locals and modules", `{"locals":{"decoded":"${provider::kubernetes::manifest_decode(file(\"${path.module}/cm.yaml\"))}","ws":"${terraform.workspace}"},"module":{"net":{"source":"./net","cidr":"${local.ws}"}},"output":{"net":{"value":"${module.net.id}","depends_on":["module.net"]}}}`},
		{"data source with count and provider reference", `{"data":{"kubernetes_secret_v1":{"tls":{"count":1,"metadata":{"name":"tls-${count.index}","namespace":"default"},"provider":"kubernetes","lifecycle":{"postcondition":{"condition":"${self.type != \"\"}","error_message":"no type"}}}}},"resource":{"kubernetes_config_map_v1":{"cfg":{"metadata":{"name":"x"},"data":"${nonsensitive(data.kubernetes_secret_v1.tls[0].data)}"}}}}`},
		{"ephemeral resource in provider config and write-only attribute", `{"ephemeral":{"kubernetes_token_request_v1":{"sa":{"metadata":{"name":"deployer","namespace":"kube-system"},"spec":{"audiences":["api"]}}}},"provider":{"kubernetes":[{"host":"https://k8s","token":"${ephemeral.kubernetes_token_request_v1.sa.token}"}]},"resource":{"kubernetes_secret_v1":{"jwt":{"data_wo":{"TOKEN":"${ephemeral.kubernetes_token_request_v1.sa.token}"}}}}}`},
		{"kubernetes_manifest dynamic manifest", `{"resource":{"kubernetes_manifest":{"crd":{"manifest":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"${kubernetes_namespace_v1.ollama.metadata[0].name}"},"data":{"n":1}},"wait":{"rollout":true,"condition":[{"type":"Ready","status":"True"}]},"field_manager":{"force_conflicts":true}}}}}`},
		{"helm set_wo and set_list", `{"resource":{"helm_release":{"ollama":{"set_wo":[{"name":"jwt","value":"${var.jwt_secret}"}],"set_wo_revision":1,"set_list":[{"name":"hosts","value":["a","b"]}]}}}}`},
		{"helm_template data source with set as a set", `{"data":{"helm_template":{"preview":{"name":"ollama","chart":"ollama","repository":"https://otwld.github.io/ollama-helm/","set":[{"name":"a","value":"b"}],"set_wo":[{"name":"x","value":"y"}]}}},"output":{"manifest":{"value":"${data.helm_template.preview.manifest}","depends_on":["data.helm_template.preview"]}}}`},
		{"built-in terraform provider", `{"resource":{"terraform_data":{"trigger":{"input":"${helm_release.ollama.status}","triggers_replace":["${var.replicas}"]}}},"data":{"terraform_remote_state":{"net":{"backend":"local","config":{"path":"../net/terraform.tfstate"}}}},"output":{"net":{"value":"${data.terraform_remote_state.net.outputs}"},"tfvars":{"value":"${provider::terraform::encode_tfvars({a = 1})}"}}}`},
		{"attribute paths through types", `{"output":{"a":{"value":"${kubernetes_secret_v1.jwt.data[\"k\"]}","sensitive":true},"b":{"value":"${helm_release.ollama.set[0].name}"},"c":{"value":"${kubernetes_namespace_v1.ollama.metadata[0].labels.app}"},"d":{"value":"${data.kubernetes_namespace_v1.kube_system.spec[0].finalizers[0]}"},"e":{"value":"${helm_release.ollama.metadata[\"revision\"]}"},"f":{"value":"${[for p in kubernetes_network_policy_v1.ollama_ingress.spec[0].ingress[0].ports : p.port]}"}}}`},
		{"comment keys everywhere", `{"resource":{"kubernetes_namespace_v1":{"ollama":{"metadata":{"//":"comment"}}}},"provider":{"kubernetes":[{"//":"x"}]}}`},
	}
	s := testSchemas(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := s.Validate("ollama", patched(t, tt.patch)); len(errs) != 0 {
				t.Fatalf("want no errors, got %d:\n%s", len(errs), formatErrors(errs))
			}
		})
	}
}

func TestInvalidJSON(t *testing.T) {
	s := testSchemas(t)
	for _, in := range []string{``, `{`, `[]`, `{"resource":{}} {}`} {
		errs := s.Validate("broken", []byte(in))
		if len(errs) != 1 || errs[0].Address != "" || errs[0].Path != "" {
			t.Errorf("Validate(%q) = %v, want one stack-level error", in, errs)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{"ollama", "resource.helm_release.ollama", "set[2].value", "string required"}, "ollama: resource.helm_release.ollama: set[2].value: string required"},
		{Error{"ollama", "terraform.backend", "", "exactly one backend required"}, "ollama: terraform.backend: exactly one backend required"},
		{Error{"ollama", "", "", "invalid stack JSON"}, "ollama: invalid stack JSON"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestDeterministic checks that errors come sorted and identical across runs,
// although they are collected from Go maps.
func TestDeterministic(t *testing.T) {
	s := testSchemas(t)
	stack := patched(t, `{"resources":{},"resource":{"helm_release":{"ollama":{"chart":null,"wait":1,"set":{"name":"a"}}},"kubernetes_namespace_v1":{"ollama":{"metadata":{"labelz":{},"uid":"x"}}}},"output":{"a":{"value":"${var.nope}"},"b":{"value":"${local.nope}"}}}`)
	first := s.Validate("ollama", stack)
	if len(first) < 7 {
		t.Fatalf("want at least 7 errors, got:\n%s", formatErrors(first))
	}
	if !sort.SliceIsSorted(first, func(i, j int) bool { return first[i].less(first[j]) }) {
		t.Errorf("errors not sorted:\n%s", formatErrors(first))
	}
	for i := 0; i < 20; i++ {
		if again := s.Validate("ollama", stack); !reflect.DeepEqual(first, again) {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, formatErrors(first), formatErrors(again))
		}
	}
}

// TestConcurrentValidate checks that one Schemas can validate stacks from
// several goroutines (run with -race).
func TestConcurrentValidate(t *testing.T) {
	s := testSchemas(t)
	valid := readFixture(t)
	broken := patched(t, `{"resource":{"helm_release":{"ollama":{"chart":null}}}}`)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stack, want := valid, 0
			if i%2 == 1 {
				stack, want = broken, 1
			}
			if errs := s.Validate("ollama", stack); len(errs) != want {
				t.Errorf("goroutine %d: %d errors, want %d", i, len(errs), want)
			}
		}(i)
	}
	wg.Wait()
}
