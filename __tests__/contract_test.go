package tests

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/render"
)

// checkInput is the chart check's input for a shipped environment: its
// base stack and its releases rendered with the real charts, after the
// edits, which stand for a broken config, chart or base stack.
func checkInput(t *testing.T, env string, values func(id string, v map[string]any), base func(*contract.Base), cfg func(*config.Environment)) contract.Input {
	t.Helper()
	e, err := config.Load(filepath.Join(root, config.Dir, env+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		cfg(&e)
	}
	b, err := contract.ReadBase(filepath.Join(shipped.dir, "stacks", "base-"+env))
	if err != nil {
		t.Fatal(err)
	}
	if base != nil {
		base(&b)
	}
	rs, err := render.Releases(filepath.Join(shipped.dir, "stacks", "apps-"+env))
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs {
		if values != nil {
			values(rs[i].ID, rs[i].Values)
		}
	}
	rendered, err := contract.RenderAll(context.Background(), rs, e.Cluster.KubernetesVersion, lock(t), charts.Default(root).RenderDir())
	if err != nil {
		t.Fatal(err)
	}
	return contract.Input{Env: e, Base: b, Releases: rendered}
}

// set sets a dotted path in values, making maps on the way.
func set(v map[string]any, path string, value any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := v[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			v[k] = next
		}
		v = next
	}
	v[keys[len(keys)-1]] = value
}

// onRelease applies edit to the values of release id only.
func onRelease(id string, edit func(map[string]any)) func(string, map[string]any) {
	return func(got string, v map[string]any) {
		if got == id {
			edit(v)
		}
	}
}

func TestChartCheckShippedEnvironmentsPass(t *testing.T) {
	for _, env := range environments(t) {
		t.Run(env, func(t *testing.T) {
			rep := contract.Check(checkInput(t, env, nil, nil, nil))
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			if len(rep.Flows) == 0 {
				t.Fatal("no network flow was checked")
			}
		})
	}
}

// TestChartCheckMatrix pins the flows the issues name: the intended ones are
// allowed, the unintended ones denied, in the shipped environments; the
// internet's rows included.
func TestChartCheckMatrix(t *testing.T) {
	reports := map[string]contract.Report{}
	for _, env := range []string{"dev", "prod"} {
		reports[env] = contract.Check(checkInput(t, env, nil, nil, nil))
	}
	const controller = "ingress-nginx/Deployment/ingress-nginx-controller"
	for _, c := range []struct {
		env      string
		from, to string
		port     int32
		want     bool
	}{
		// The internet: only the controller's HTTP and HTTPS, and through it
		// what the Ingresses publish.
		{"dev", "internet", controller, 80, true},
		{"dev", "internet", controller, 443, true},
		{"dev", "internet", controller, 8443, false},
		{"dev", "internet", "ollama/Deployment/ollama", 11434, false},
		{"dev", "internet", "librechat/Deployment/librechat", 3080, false},
		{"dev", "internet", "librechat/Deployment/librechat-mongodb", 27017, false},
		{"dev", "internet", "librechat/StatefulSet/librechat-meilisearch", 7700, false},
		{"dev", "internet via " + controller, "librechat/Deployment/librechat", 3080, true},
		{"prod", "internet via " + controller, "librechat/Deployment/librechat", 3080, true},
		// The controller's own isolation: the API server's webhook calls and
		// its calls to the API server, nothing else out.
		{"dev", "api-server", controller, 8443, true},
		{"dev", controller, "api-server", 6443, true},
		{"dev", controller, "internet", 443, false},
		{"dev", "default/any-pod", "librechat/Deployment/librechat", 3080, false},
		// The device plugin takes and sends nothing.
		{"prod", "nvidia-device-plugin/DaemonSet/nvidia-device-plugin", "kube-system/kube-dns", 53, false},
		{"prod", "nvidia-device-plugin/DaemonSet/nvidia-device-plugin", "internet", 443, false},
	} {
		found := false
		for _, f := range reports[c.env].Flows {
			if f.From != c.from || f.To != c.to || f.Port != c.port {
				continue
			}
			found = true
			if f.Want != c.want || !f.OK() {
				t.Errorf("%s: %s → %s:%d: want allowed=%v, got %s", c.env, c.from, c.to, c.port, c.want, f)
			}
		}
		if !found {
			t.Errorf("%s: %s → %s:%d is not in the matrix", c.env, c.from, c.to, c.port)
		}
	}
	rep := reports["dev"]
	for _, c := range []struct {
		from, to string
		port     int32
		want     bool
	}{
		{"librechat/Deployment/librechat", "ollama/Deployment/ollama", 11434, true},
		{"librechat/Deployment/librechat", "librechat/Deployment/librechat-mongodb", 27017, true},
		{"librechat/Deployment/librechat", "librechat/StatefulSet/librechat-meilisearch", 7700, true},
		{"ingress-nginx/Deployment/ingress-nginx-controller", "librechat/Deployment/librechat", 3080, true},
		{"librechat/Deployment/librechat", "kube-system/kube-dns", 53, true},
		{"default/any-pod", "librechat/Deployment/librechat-mongodb", 27017, false},
		{"default/any-pod", "librechat/StatefulSet/librechat-meilisearch", 7700, false},
		{"ingress-nginx/Deployment/ingress-nginx-controller", "librechat/Deployment/librechat-mongodb", 27017, false},
		{"librechat/StatefulSet/librechat-meilisearch", "librechat/Deployment/librechat-mongodb", 27017, false},
		{"ollama/Deployment/ollama", "librechat/Deployment/librechat", 3080, false},
		{"default/any-pod", "ollama/Deployment/ollama", 11434, false},
		{"ingress-nginx/Deployment/ingress-nginx-controller", "ollama/Deployment/ollama", 11434, false},
		{"librechat/Deployment/librechat-mongodb", "ollama/Deployment/ollama", 11434, false},
		{"librechat/Deployment/librechat-mongodb", "internet", 443, false},
		{"ollama/Deployment/ollama", "internet", 443, true},
	} {
		found := false
		for _, f := range rep.Flows {
			if f.From != c.from || f.To != c.to || f.Port != c.port {
				continue
			}
			found = true
			if f.Want != c.want || !f.OK() {
				t.Errorf("%s → %s:%d: want allowed=%v, got %s", c.from, c.to, c.port, c.want, f)
			}
		}
		if !found {
			t.Errorf("%s → %s:%d is not in the matrix", c.from, c.to, c.port)
		}
	}
}

// TestChartCheckFindsBrokenContracts breaks real rendered output in each way
// the check must catch and asserts the finding: rule and message.
func TestChartCheckFindsBrokenContracts(t *testing.T) {
	quantity := resource.MustParse
	for _, c := range []struct {
		name   string
		env    string
		values func(string, map[string]any)
		base   func(*contract.Base)
		cfg    func(*config.Environment)
		rule   string
		want   []string
	}{
		{name: "quota too small for the rollout", env: "dev",
			base: func(b *contract.Base) {
				for i := range b.Quotas {
					if b.Quotas[i].Namespace == "ollama" {
						b.Quotas[i].Spec.Hard[corev1.ResourceLimitsMemory] = quantity("2Gi")
					}
				}
			},
			rule: contract.RuleQuota, want: []string{"limits.memory", "needs 4Gi", "set ollama.quota.limits.memory to at least 4Gi"}},
		{name: "a LimitRange default below a container's request", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { set(v, "resources", map[string]any{"requests": map[string]any{"cpu": "1"}}) }),
			rule:   contract.RuleQuota, want: []string{"LimitRange", "ollama.limitRange.default"}},
		{name: "a restricted namespace and a root pod", env: "dev",
			base: func(b *contract.Base) { b.Namespaces["ollama"]["pod-security.kubernetes.io/enforce"] = "restricted" },
			rule: contract.RulePodSecurity, want: []string{"Deployment/ollama", `"restricted:v1.34"`, "runAsNonRoot", "security.podSecurity"}},
		{name: "MongoDB's policy open to every namespace", env: "dev",
			values: onRelease("librechat", func(v map[string]any) { set(v, "mongodb.networkPolicy.allowExternal", true) }),
			rule:   contract.RuleNetwork, want: []string{"default/any-pod → librechat/Deployment/librechat-mongodb on 27017/TCP should be denied", "NetworkPolicy librechat/librechat-mongodb, rendered by helm_release.librechat", "allowExternal false"}},
		{name: "MongoDB without authentication", env: "dev",
			values: onRelease("librechat", func(v map[string]any) { set(v, "mongodb.auth.enabled", false) }),
			rule:   contract.RuleAuth, want: []string{"Deployment/librechat-mongodb", "ALLOW_EMPTY_PASSWORD=yes", "mongodb.auth.enabled: true"}},
		{name: "MongoDB's egress opened", env: "dev",
			values: onRelease("librechat", func(v map[string]any) { set(v, "mongodb.networkPolicy.allowExternalEgress", true) }),
			rule:   contract.RuleNetwork, want: []string{"librechat/Deployment/librechat-mongodb → internet on 443/TCP should be denied"}},
		{name: "LibreChat cut off from Ollama by the base stack", env: "dev",
			base: func(b *contract.Base) {
				for i := range b.Policies {
					if b.Policies[i].Name == "allow-from-librechat" {
						b.Policies[i].Spec.Ingress = nil
					}
				}
			},
			rule: contract.RuleNetwork, want: []string{"librechat/Deployment/librechat → ollama/Deployment/ollama on 11434/TCP should be allowed"}},
		{name: "the ingress controller's namespace without policies", env: "dev",
			base: func(b *contract.Base) { b.Policies = dropPolicies(b.Policies, "ingress-nginx") },
			rule: contract.RuleNetwork, want: []string{"internet → ingress-nginx/Deployment/ingress-nginx-controller on 8443/TCP should be denied", "Service ingress-nginx/ingress-nginx-controller-admission"}},
		{name: "the ingress controller's egress open", env: "dev",
			base: func(b *contract.Base) {
				for i, p := range b.Policies {
					if p.Namespace == "ingress-nginx" && p.Name == "allow-to-api-server" {
						b.Policies[i].Spec.Egress[0].To = []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}}
					}
				}
			},
			rule: contract.RuleNetwork, want: []string{"ingress-nginx/Deployment/ingress-nginx-controller → internet on 443/TCP should be denied"}},
		{name: "the ingress controller cut off from the API server", env: "dev",
			base: func(b *contract.Base) { b.Policies = dropPolicies(b.Policies, "ingress-nginx", "allow-to-api-server") },
			rule: contract.RuleNetwork, want: []string{"ingress-nginx/Deployment/ingress-nginx-controller → api-server on 6443/TCP should be allowed"}},
		{name: "the device plugin's namespace without policies", env: "prod",
			base: func(b *contract.Base) { b.Policies = dropPolicies(b.Policies, "nvidia-device-plugin") },
			rule: contract.RuleNetwork, want: []string{"nvidia-device-plugin/DaemonSet/nvidia-device-plugin → internet on 443/TCP should be denied", "the device plugin needs no network"}},
		{name: "Ollama published without authentication", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { v["ingress"] = ollamaIngress("ollama.localhost", nil) }),
			rule:   contract.RuleEdge, want: []string{"Ingress/ollama", "Ingress ollama/ollama host ollama.localhost, plain HTTP, no authentication at the controller publishes Ollama's API, which has no authentication", "set ollama.ingress.auth.type to basic", "ingress.acceptExposed: [{host: ollama.localhost, rule: unauthenticated"}},
		{name: "basic auth with a Secret nobody writes", env: "dev",
			values: ollamaBasicAuth,
			rule:   contract.RuleEdge, want: []string{"Ingress/ollama", "reads its users from Secret ollama/ollama-basic-auth, which neither base-dev nor any release creates"}},
		{name: "basic auth with a literal htpasswd", env: "dev",
			values: ollamaBasicAuth,
			base: func(b *contract.Base) {
				b.Secrets["ollama/ollama-basic-auth"] = map[string]string{"auth": "ollama:$apr1$x$y"}
			},
			rule: contract.RuleEdge, want: []string{"Ingress/ollama", "key auth (the htpasswd lines ingress-nginx reads) is missing or not from a sensitive variable"}},
		{name: "basic auth's Secret not write-only", env: "dev",
			values: ollamaBasicAuth,
			base: func(b *contract.Base) {
				b.Secrets["ollama/ollama-basic-auth"] = map[string]string{"auth": "${var.ollama_htpasswd}"}
				b.WriteOnly["ollama/ollama-basic-auth"] = map[string]bool{"auth": false}
			},
			rule: contract.RuleEdge, want: []string{"Ingress/ollama", "writes into data, so the htpasswd line lands in Terraform's state"}},
		{name: "a public host without TLS", env: "prod",
			values: onRelease("librechat", func(v map[string]any) { set(v, "ingress.tls", []any{}) }),
			rule:   contract.RuleEdge, want: []string{"Ingress/librechat", "host chat.example.com is not local", "set librechat.ingress.tlsSecretName", "rule: plain-http"}},
		{name: "open sign-up on a public host", env: "prod",
			values: onRelease("librechat", func(v map[string]any) { set(v, "librechat.configEnv.ALLOW_REGISTRATION", "true") }),
			rule:   contract.RuleEdge, want: []string{"Ingress/librechat", "LibreChat lets anyone who reaches host chat.example.com sign up (ALLOW_REGISTRATION=true, no registration.allowedDomains)", "set librechat.registration.mode to closed", "rule: open-signup"}},
		{name: "sign-up left to the image on a public host", env: "prod",
			values: onRelease("librechat", func(v map[string]any) { set(v, "librechat.configEnv", map[string]any{}) }),
			rule:   contract.RuleEdge, want: []string{"Ingress/librechat", "sign up (ALLOW_REGISTRATION unset: whatever the image defaults to)"}},
		{name: "Ollama's Service renamed", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { v["fullnameOverride"] = "ollama-renamed" }),
			rule:   contract.RuleWiring, want: []string{"librechat.yaml", "http://ollama.ollama.svc.cluster.local:11434/v1", "no release renders Service ollama/ollama", "ollama/ollama-renamed", "ollama.release.name"}},
		{name: "a Secret key missing", env: "dev",
			base: func(b *contract.Base) { delete(b.Secrets["librechat/librechat-mongodb"], "mongodb-passwords") },
			rule: contract.RuleWiring, want: []string{"Deployment/librechat-mongodb", "key mongodb-passwords of Secret librechat/librechat-mongodb"}},
		{name: "a Secret missing", env: "dev",
			base: func(b *contract.Base) { delete(b.Secrets, "librechat/librechat-credentials-env") },
			rule: contract.RuleWiring, want: []string{"Deployment/librechat", "Secret librechat/librechat-credentials-env, which neither base-dev nor any release creates"}},
		{name: "a values key the chart ignores", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { set(v, "ollama.gpu.enabeld", true) }),
			rule:   contract.RuleValues, want: []string{"ollama.gpu.enabeld is not a value of chart ollama 1.77.0", "constructs/ollama"}},
		{name: "a values key of the wrong type", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { set(v, "ollama.mountPath", map[string]any{"path": "/data"}) }),
			rule:   contract.RuleValues, want: []string{"ollama.mountPath has another type than in chart ollama 1.77.0's values.yaml", "constructs/ollama"}},
		{name: "an image tagged latest", env: "dev",
			values: onRelease("ollama", func(v map[string]any) { set(v, "image.tag", "latest") }),
			rule:   contract.RuleImages, want: []string{"Deployment/ollama", `"ollama/ollama:latest" is tagged latest`}},
		{name: "an unmaintained image not accepted", env: "dev",
			cfg:  func(e *config.Environment) { e.Images.AcceptUnmaintained = nil },
			rule: contract.RuleImages, want: []string{"docker.io/bitnamilegacy/mongodb:8.0.13-debian-12-r0", "images.acceptUnmaintained"}},
		{name: "the device plugin off the GPU pool", env: "prod",
			values: onRelease("nvidia_device_plugin", func(v map[string]any) { v["nodeSelector"] = map[string]any{"pool": "cpu"} }),
			rule:   contract.RuleWiring, want: []string{"DaemonSet/nvidia-device-plugin", "never advertised"}},
		{name: "Ollama's GPU pods off the GPU pool", env: "prod",
			values: onRelease("ollama", func(v map[string]any) { delete(v, "nodeSelector") }),
			rule:   contract.RuleWiring, want: []string{"Deployment/ollama", "requests nvidia.com/gpu but would not land on the GPU pool"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := contract.Check(checkInput(t, c.env, c.values, c.base, c.cfg))
			for _, f := range rep.Findings {
				if f.Rule != c.rule {
					continue
				}
				s := f.String()
				ok := true
				for _, w := range c.want {
					ok = ok && strings.Contains(s, w)
				}
				if ok {
					t.Log(s)
					return
				}
			}
			t.Fatalf("no %s finding with %q; got:\n%v", c.rule, c.want, rep.Err())
		})
	}
}

// ollamaBasicAuth publishes Ollama at ollama.localhost with ingress-nginx's
// basic auth from Secret ollama-basic-auth.
var ollamaBasicAuth = onRelease("ollama", func(v map[string]any) {
	v["ingress"] = ollamaIngress("ollama.localhost", map[string]any{"nginx.ingress.kubernetes.io/auth-type": "basic", "nginx.ingress.kubernetes.io/auth-secret": "ollama-basic-auth"})
})

// ollamaIngress is the Ollama chart's ingress values for host, plain HTTP.
func ollamaIngress(host string, annotations map[string]any) map[string]any {
	return map[string]any{"enabled": true, "className": "nginx", "annotations": annotations, "tls": []any{},
		"hosts": []any{map[string]any{"host": host, "paths": []any{map[string]any{"path": "/", "pathType": "Prefix"}}}}}
}

// dropPolicies removes the policies of namespace ns, only those named
// names when some are given.
func dropPolicies(ps []networkingv1.NetworkPolicy, ns string, names ...string) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for _, p := range ps {
		if p.Namespace == ns && (len(names) == 0 || slices.Contains(names, p.Name)) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// TestManifestGoldens compares each release's rendered manifests, as synth
// writes them, with __tests__/golden/manifests; -update rewrites them.
func TestManifestGoldens(t *testing.T) {
	got, err := filepath.Glob(filepath.Join(shipped.dir, "manifests", "*", "*.yaml"))
	if err != nil || len(got) == 0 {
		t.Fatalf("synth wrote no manifests: %v", err)
	}
	golden := filepath.Join("golden", "manifests")
	for _, f := range got {
		rel, _ := filepath.Rel(filepath.Join(shipped.dir, "manifests"), f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		snapshot(t, filepath.Join(golden, rel), data)
	}
	if goldens, _ := filepath.Glob(filepath.Join(golden, "*", "*.yaml")); !*update && len(goldens) != len(got) {
		t.Errorf("%d golden manifests for %d rendered releases: remove the stale ones", len(goldens), len(got))
	}
}
