package tests

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/multisynth/inprocess"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// synthEnv synthesizes envs/<name>.yaml holding yaml in a project of its
// own and returns its cdktf.out, the environment and the synth's error.
func synthEnv(t *testing.T, name, yaml string) (string, config.Environment, error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, config.Dir, name+".yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	copyLock(t, dir)
	env, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cdktf.out")
	cache := charts.Default(root)
	_, err = inprocess.Synth(platform.Options{Root: dir, Outdir: out, Environments: name, Schemas: filepath.Join(root, tfschema.ProjectFile), Charts: &cache})
	return out, env, err
}

// TestEdgeRulesOnConfigs synthesizes the configs the issue measured and
// their fixes: each is refused with the finding that names the fix, or
// passes.
func TestEdgeRulesOnConfigs(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		want       []string // in the synth's error; none: it passes
	}{
		{name: "Ollama on a public host over plain HTTP (the issue's config)",
			yaml: "ollama:\n  ingress: {enabled: true, host: ollama.example.com}\n",
			want: []string{"apps-edge: helm_release.ollama: Ingress/ollama: edge:", "host ollama.example.com is not local", "set ollama.ingress.tlsSecretName", "rule: plain-http"}},
		{name: "Ollama without authentication",
			yaml: "ollama:\n  ingress: {enabled: true, host: ollama.example.com, tlsSecretName: ollama-tls, auth: {type: none}}\n",
			want: []string{"helm_release.ollama: Ingress/ollama: edge:", "publishes Ollama's API, which has no authentication", "set ollama.ingress.auth.type to basic", "rule: unauthenticated"}},
		{name: "Ollama with basic auth and TLS",
			yaml: "ollama:\n  ingress: {enabled: true, host: ollama.example.com, tlsSecretName: ollama-tls}\n"},
		{name: "Ollama with external auth and TLS",
			yaml: "ollama:\n  ingress:\n    enabled: true\n    host: ollama.example.com\n    tlsSecretName: ollama-tls\n    auth: {type: external, url: 'http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth'}\n"},
		{name: "open sign-up on a public host",
			yaml: "librechat:\n  ingress: {host: chat.example.com, tlsSecretName: chat-tls}\n  registration: {mode: open}\n",
			want: []string{"helm_release.librechat: Ingress/librechat: edge:", "LibreChat lets anyone who reaches host chat.example.com sign up", "rule: open-signup"}},
		{name: "sign-up closed by default on a public host",
			yaml: "librechat:\n  ingress: {host: chat.example.com, tlsSecretName: chat-tls}\n"},
		{name: "open sign-up accepted knowingly",
			yaml: "librechat:\n  ingress: {host: chat.example.com, tlsSecretName: chat-tls}\n  registration: {mode: open}\n" +
				"ingress:\n  acceptExposed: [{host: chat.example.com, rule: open-signup, reason: a public demo}]\n"},
		{name: "plain HTTP accepted knowingly",
			yaml: "ollama:\n  ingress: {enabled: true, host: ollama.example.com}\ningress:\n  acceptExposed: [{host: ollama.example.com, rule: plain-http, reason: lab network behind a VPN}]\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := synthEnv(t, "edge", c.yaml)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("synth failed: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("synth passed; want a finding with %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestBasicAuthForOllama: basic auth in front of Ollama reads a Secret of
// Ollama's namespace that the base stack writes write-only from a required,
// sensitive, ephemeral variable, and the check prints what is exposed and
// what is accepted.
func TestBasicAuthForOllama(t *testing.T) {
	out, env, err := synthEnv(t, "edge", "ollama:\n  ingress: {enabled: true, host: ollama.example.com}\n"+
		"ingress:\n  acceptExposed: [{host: ollama.example.com, rule: plain-http, reason: lab network behind a VPN}]\n")
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := readStacks(out)
	if err != nil {
		t.Fatal(err)
	}
	base := stacks["base-edge"]
	secret := get(t, resources(t, base, "kubernetes_secret_v1"), "librechat_credentials_ollama_basic_auth").(map[string]any)
	if get(t, secret, "metadata", "name") != "ollama-basic-auth" || get(t, secret, "metadata", "namespace") != "${kubernetes_namespace_v1.ollama.metadata[0].name}" {
		t.Errorf("basic auth's Secret is %v in %v", get(t, secret, "metadata", "name"), get(t, secret, "metadata", "namespace"))
	}
	if secret["data"] != nil || get(t, secret, "data_wo", "auth") != "${var.ollama_htpasswd}" || get(t, secret, "data_wo_revision") != "${var.credentials_revision}" {
		t.Errorf("basic auth's Secret is not written write-only from var.ollama_htpasswd: %v", secret)
	}
	v := get(t, base, "variable", "ollama_htpasswd").(map[string]any)
	if v["sensitive"] != true || v["ephemeral"] != true || v["default"] != nil {
		t.Errorf("ollama_htpasswd is not a required, sensitive, ephemeral variable: %v", v)
	}
	cond := get(t, v, "validation", 0, "condition").(string)
	m := regexp.MustCompile(`^\$\{can\(regex\("(.*)", var\.ollama_htpasswd\)\)\}$`).FindStringSubmatch(cond)
	if m == nil {
		t.Fatalf("condition %s", cond)
	}
	re := regexp.MustCompile(strings.ReplaceAll(m[1], `\\`, `\`))
	for _, good := range []string{"ollama:$2y$05$abcdefghijklmnopqrstuu5W9ZxJ3pQq1.8V7Q0mE0U1c8bXo0eW", "ollama:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "ollama:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="} {
		if !re.MatchString(good) {
			t.Errorf("the validation refuses %q", good)
		}
	}
	for _, bad := range []string{"ollama:{PLAIN}secret", "ollama:secret", "ollama", "a b:$apr1$x$y", "ollama:$apr1$x$y\nother:$apr1$x$y"} {
		if re.MatchString(bad) {
			t.Errorf("the validation accepts %q", bad)
		}
	}
	if _, has := get(t, base, "variable").(map[string]any)["librechat_htpasswd"]; has {
		t.Errorf("librechat_htpasswd exists although LibreChat's Ingress uses no basic auth")
	}
	_, values := release(t, stacks["apps-edge"], "ollama")
	ann := get(t, values, "ingress", "annotations").(map[string]any)
	for k, want := range map[string]string{"auth-type": "basic", "auth-secret": "ollama-basic-auth", "auth-realm": config.DefaultRealm} {
		if ann["nginx.ingress.kubernetes.io/"+k] != want {
			t.Errorf("annotation %s = %v, want %q", k, ann["nginx.ingress.kubernetes.io/"+k], want)
		}
	}
	rep, _, err := contract.Run(context.Background(), out, env, lock(t), charts.Default(root).RenderDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if !contains(rep.Accepted, "Ingress/ollama: plain-http host ollama.example.com accepted: lab network behind a VPN") {
		t.Errorf("the exception is not printed: %q", rep.Accepted)
	}
	if !contains(rep.Exposed, "Ingress ollama/ollama host ollama.example.com, plain HTTP, basic auth (Secret ollama/ollama-basic-auth) → ollama/ollama port 11434") {
		t.Errorf("the exposure is not printed: %q", rep.Exposed)
	}
}

// TestSignUpByDomains: sign-up limited to email domains is rendered into
// librechat.yaml and ALLOW_REGISTRATION, and the check reports it.
func TestSignUpByDomains(t *testing.T) {
	out, env, err := synthEnv(t, "edge", "librechat:\n  ingress: {host: chat.example.com, tlsSecretName: chat-tls}\n  registration: {mode: domains, allowedDomains: [example.com, example.org]}\n")
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := contract.Run(context.Background(), out, env, lock(t), charts.Default(root).RenderDir())
	if err != nil {
		t.Fatal(err)
	}
	if !contains(rep.Exposed, "sign-up domains (ALLOW_REGISTRATION=true, librechat.yaml registration.allowedDomains example.com, example.org)") {
		t.Errorf("the sign-up policy is not reported: %q", rep.Exposed)
	}
}

// TestShippedExposure holds the README's table of what each shipped
// environment exposes to what the check reports: the host, TLS, LibreChat's
// sign-up, whether Ollama's API is published, and that the internet reaches
// the controller's HTTP and HTTPS only.
func TestShippedExposure(t *testing.T) {
	readme := readFile(t, "README.md")
	for _, env := range environments(t) {
		t.Run(env, func(t *testing.T) {
			row := ""
			for _, line := range strings.Split(readme, "\n") {
				if strings.HasPrefix(line, "| `"+env+"` |") {
					row = line
				}
			}
			cells := strings.Split(row, " | ")
			if len(cells) != 7 {
				t.Fatalf("the README's exposure table has no row for %s (or not 7 columns): %q", env, row)
			}
			rep := contract.Check(checkInput(t, env, nil, nil, nil))
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			e, err := config.Load(filepath.Join(root, config.Dir, env+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			host := e.LibreChat.Ingress.Host
			tls := map[bool]string{true: "yes", false: "no"}[e.LibreChat.Ingress.TLSSecretName != ""]
			if !strings.Contains(cells[1], "`"+host+"`") || !strings.HasPrefix(cells[2], tls) || !strings.HasPrefix(cells[4], e.LibreChat.SignUp()) {
				t.Errorf("README row %q; the config says host %s, TLS %s, sign-up %s", row, host, tls, e.LibreChat.SignUp())
			}
			want := fmt.Sprintf("host %s, %s, ", host, map[string]string{"yes": "HTTPS", "no": "plain HTTP"}[tls])
			if !contains(rep.Exposed, want) || !contains(rep.Exposed, "sign-up "+e.LibreChat.SignUp()+" (") {
				t.Errorf("the check reports %q, not %q and sign-up %s", rep.Exposed, want, e.LibreChat.SignUp())
			}
			ollamaPublished := contains(rep.Exposed, "→ "+e.Ollama.Namespace+"/")
			if ollamaPublished != !strings.Contains(cells[5], "not published") {
				t.Errorf("README says Ollama's API is %q; published per the check: %v", cells[5], ollamaPublished)
			}
			for _, f := range rep.Flows {
				if f.From == "internet" && f.Verdict.Allowed && (!f.Want || !strings.Contains(f.To, "ingress-nginx-controller") || (f.Port != 80 && f.Port != 443)) {
					t.Errorf("the internet reaches more than the README says: %s", f)
				}
			}
		})
	}
}

// TestControllerMetrics: ingress.metricsFrom turns the chart's metrics on
// and opens 10254 to those namespaces only.
func TestControllerMetrics(t *testing.T) {
	out, env, err := synthEnv(t, "edge", "ingress:\n  metricsFrom: [monitoring]\n")
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := readStacks(out)
	if err != nil {
		t.Fatal(err)
	}
	got := resources(t, stacks["base-edge"], "kubernetes_network_policy_v1")
	if p := describePolicy(t, get(t, got, "ingress_nginx_allow_metrics_from_monitoring")); p != (policy{types: "Ingress", pods: controllerPods, namespace: "monitoring", ports: "10254/TCP"}) {
		t.Errorf("ingress_nginx_allow_metrics_from_monitoring = %+v", p)
	}
	_, values := release(t, stacks["apps-edge"], "ingress_nginx")
	if get(t, values, "controller", "metrics", "enabled") != true {
		t.Errorf("the controller's metrics are off: %v", get(t, values, "controller"))
	}
	rep, _, err := contract.Run(context.Background(), out, env, lock(t), charts.Default(root).RenderDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, f := range rep.Flows {
		if f.To == "ingress-nginx/Deployment/ingress-nginx-controller" && f.Port == 10254 {
			rows[f.From] = f.Want
		}
	}
	if want := map[string]bool{"monitoring/any-pod": true, "default/any-pod": false, "internet": false}; !maps.Equal(rows, want) {
		t.Errorf("metrics rows %v, want %v", rows, want)
	}
	_, values = release(t, shipped.stacks["apps-dev"], "ingress_nginx")
	if get(t, values, "controller", "metrics", "enabled") != false {
		t.Errorf("dev's controller metrics are on without ingress.metricsFrom")
	}
}

// contains says whether one of lines contains s.
func contains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
