package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes/fake"
	storagev1 "k8s.io/client-go/kubernetes/typed/storage/v1"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/recovery/recoverytest"
	"github.com/llm-platform/cdktf-llm/render"
)

// project is a project root as `make synth` leaves it: cdktf.json, envs/,
// and cdktf.out with the shipped stacks and manifests (the golden
// snapshots) and the locked chart archives the apps stacks carry, so that
// the pinned cdktf CLI runs on it with --skip-synth.
func project(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	top := filepath.Join("..", "..")
	golden := filepath.Join(top, "__tests__", "golden")
	copyFile(t, filepath.Join(top, "cdktf.json"), filepath.Join(root, "cdktf.json"))
	copyFile(t, filepath.Join(golden, "manifest.json"), filepath.Join(root, "cdktf.out", "manifest.json"))
	if err := os.CopyFS(filepath.Join(root, config.Dir), os.DirFS(filepath.Join(top, config.Dir))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "cdktf.out", "manifests"), os.DirFS(filepath.Join(golden, "manifests"))); err != nil {
		t.Fatal(err)
	}
	lock, err := chartlock.Read(chartlock.Path(top))
	if err != nil {
		t.Fatal(err)
	}
	cache := charts.Default(top)
	cache.Lock = lock
	stacks, _ := filepath.Glob(filepath.Join(golden, "*-*.json"))
	for _, s := range stacks {
		name := strings.TrimSuffix(filepath.Base(s), ".json")
		dir := filepath.Join(root, "cdktf.out", "stacks", name)
		copyFile(t, s, filepath.Join(dir, "cdk.tf.json"))
		releases, err := render.Releases(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range releases {
			e, _ := lock.Find(r.Chart, r.Version)
			if err := cache.LinkTo(context.Background(), charts.Ref{Repository: e.Repository, Name: r.Chart, Version: r.Version}, r.Archive); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// chartsLocal: every call that evaluates an apps stack found each
// release's chart as a relative path to the archive in the stack's folder,
// so it needs no chart repository.
func chartsLocal(t *testing.T, calls []call) {
	t.Helper()
	seen := 0
	for _, c := range calls {
		if !strings.HasPrefix(filepath.Base(c.Dir), "apps-") || !evaluates[c.Args[0]] {
			continue
		}
		seen++
		if len(c.Charts) == 0 || len(c.Unresolved) > 0 {
			t.Errorf("terraform %s: charts %v, of which %v are not archives in the stack's folder", c, c.Charts, c.Unresolved)
		}
	}
	if seen == 0 {
		t.Error("no call evaluated an apps stack")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// withCdktf puts the pinned cdktf CLI (and its Node) on PATH, after the
// stand-in terraform, without telemetry, as tools/env does.
func withCdktf(t *testing.T) {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("..", "..", "node_modules", ".bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(bin, "cdktf")); err != nil {
		t.Fatalf("no pinned cdktf CLI (%v); run make setup", err)
	}
	t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+bin)
	t.Setenv("CHECKPOINT_DISABLE", "1")
	t.Setenv("DISABLE_VERSION_CHECK", "1")
	t.Setenv("CI", "1")
}

// noSecrets removes every secret from the environment, for this test.
func noSecrets(t *testing.T) {
	t.Helper()
	for _, s := range config.Secrets {
		name := "TF_VAR_" + s.Variable
		if v, ok := os.LookupEnv(name); ok {
			t.Cleanup(func() { os.Setenv(name, v) })
			os.Unsetenv(name)
		}
	}
}

// withSecrets exports a value for each secret and returns them.
func withSecrets(t *testing.T) map[string]string {
	t.Helper()
	values := map[string]string{}
	for _, s := range config.Secrets {
		v := strings.Repeat("a1", 32)[:64]
		if s == config.CredsIV {
			v = v[:32]
		}
		values[s.Variable] = v
		t.Setenv("TF_VAR_"+s.Variable, v)
	}
	return values
}

// healthy is ops on a project whose cluster answers and whose releases are
// not stuck (Helm has no record of them).
func healthy(t *testing.T, root string, out *bytes.Buffer) ops {
	t.Helper()
	h, err := recoverytest.NewHelm(recoverytest.NewKube(t))
	if err != nil {
		t.Fatal(err)
	}
	return ops{
		root: root, out: out, errOut: out, run: execRun, autoApprove: true,
		helm: func(recovery.Cluster) helmRecords { return &recovery.Client{Config: h.Config} },
		ping: func(recovery.Cluster) (string, error) { return "v1.31.0", nil },
		storage: func(recovery.Cluster) (storagev1.StorageClassesGetter, error) {
			return fake.NewClientset().StorageV1(), nil
		},
	}
}

// inputOff fails for each call that could have waited for input, and for
// each that lacked a variable (which Terraform, without input, refuses).
func inputOff(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		if !c.NoInput {
			t.Errorf("terraform %s ran with input on (neither -input=false nor TF_INPUT=0)", c)
		}
		if c.Prompted {
			t.Errorf("terraform %s would have waited for input", c)
		}
		if len(c.Missing) > 0 {
			t.Errorf("terraform %s needed %v, which the caller did not give", c, c.Missing)
		}
	}
}

// ran returns the calls of one command in one stack folder, in order.
func ran(calls []call, stack, cmd string) []call {
	var out []call
	for _, c := range calls {
		if filepath.Base(c.Dir) == stack && len(c.Args) > 0 && c.Args[0] == cmd {
			out = append(out, c)
		}
	}
	return out
}

// before fails unless every call of a ended before the first call of b
// began: cdktf waited for one stack before starting the other.
func before(t *testing.T, a, b []call, what string) {
	t.Helper()
	if len(a) == 0 || len(b) == 0 {
		t.Errorf("%s: missing calls (%v, %v)", what, a, b)
		return
	}
	for _, x := range a {
		if x.End > b[0].Start {
			t.Errorf("%s: %s had not ended when %s began", what, x, b[0])
		}
	}
}

// TestCdktfDeployFlow runs make deploy's flow (ops deploy, AUTO_APPROVE=1)
// through the pinned cdktf CLI with the stand-in terraform, offline: no
// registry, so cdktf's `terraform providers lock` would fail; base-dev is
// applied before apps-dev begins, each in its own stack folder, with the
// real secrets and without input.
func TestCdktfDeployFlow(t *testing.T) {
	calls := standIn(t)
	withCdktf(t)
	secrets := withSecrets(t)
	root := project(t)
	var out bytes.Buffer
	code, err := healthy(t, root, &out).dispatch("deploy", "dev")
	if err != nil || code != exitOK {
		t.Fatalf("deploy: exit %d, %v\n%s", code, err, out.String())
	}
	all := calls()
	for _, c := range all {
		if c.Args[0] == "providers" {
			t.Errorf("cdktf ran terraform %s, which needs the public registry; make deploy passes --skip-provider-lock", c)
		}
		if c.Exit != 0 {
			t.Errorf("terraform %s failed (exit %d)", c, c.Exit)
		}
	}
	for _, stack := range []string{"base-dev", "apps-dev"} {
		dir := filepath.Join(root, "cdktf.out", "stacks", stack)
		apply := ran(all, stack, "apply")
		if len(apply) != 1 || apply[0].Dir != dir || strings.Join(apply[0].Args, " ") != "apply -auto-approve" {
			t.Errorf("%s: applies %v; want one `terraform apply -auto-approve` in %s", stack, apply, dir)
		}
		before(t, ran(all, stack, "init"), apply, stack+": init before apply")
	}
	before(t, ran(all, "base-dev", "apply"), ran(all, "apps-dev", "apply"), "base-dev before apps-dev")
	chartsLocal(t, all)
	for _, a := range ran(all, "base-dev", "apply") {
		for name, v := range secrets {
			if a.Vars[name] != v {
				t.Errorf("base-dev was applied with %s=%q, not the secret given", name, a.Vars[name])
			}
		}
	}
	inputOff(t, all)
}

// TestCdktfDestroyFlow runs make destroy's flow (ops destroy,
// AUTO_APPROVE=1) without any secret: it lists each stack's state, then
// cdktf destroys apps-dev, and base-dev only once apps-dev is gone; no
// call waits for input or lacks a variable, and the secrets' values are
// placeholders that pass their validation.
func TestCdktfDestroyFlow(t *testing.T) {
	calls := standIn(t)
	withCdktf(t)
	noSecrets(t)
	root := project(t)
	copyFile(t, filepath.Join(root, "cdktf.out", "manifests", "dev", "ollama.yaml"), filepath.Join(recordDir(root, "dev"), "ollama.yaml"))
	var out bytes.Buffer
	code, err := healthy(t, root, &out).dispatch("destroy", "dev")
	if err != nil || code != exitOK {
		t.Fatalf("destroy: exit %d, %v\n%s", code, err, out.String())
	}
	if !regexp.MustCompile(`apps-dev: 3 resources: helm_release.ingress_nginx, .*\nbase-dev: \d+ resources: kubernetes_`).MatchString(out.String()) {
		t.Errorf("destroy did not list what base-dev holds:\n%s", out.String())
	}
	all := calls()
	for _, stack := range []string{"apps-dev", "base-dev"} {
		destroy := ran(all, stack, "destroy")
		dir := filepath.Join(root, "cdktf.out", "stacks", stack)
		if len(destroy) != 1 || destroy[0].Dir != dir || strings.Join(destroy[0].Args, " ") != "destroy -auto-approve" {
			t.Errorf("%s: destroys %v; want one `terraform destroy -auto-approve` in %s", stack, destroy, dir)
		}
		if list := ran(all, stack, "state"); len(list) != 1 || list[0].End > destroy[0].Start {
			t.Errorf("%s: the state was not listed before the destroy: %v", stack, list)
		}
	}
	before(t, ran(all, "apps-dev", "destroy"), ran(all, "base-dev", "destroy"), "apps-dev before base-dev")
	chartsLocal(t, all)
	if _, err := os.Stat(recordDir(root, "dev")); !os.IsNotExist(err) {
		t.Errorf("the recorded render outlives the destroy (%v)", err)
	}
	for _, d := range ran(all, "base-dev", "destroy") {
		for _, s := range config.Secrets {
			if ok, _ := regexp.MatchString(s.Pattern, d.Vars[s.Variable]); !ok {
				t.Errorf("base-dev destroy got %s=%q, which fails its validation %s", s.Variable, d.Vars[s.Variable], s.Pattern)
			}
		}
	}
	inputOff(t, all)
}

// TestDriftAndStatusNeedNoSecrets: make drift and make status without any
// secret: every call runs without input and has every variable it needs;
// status's calls (init, output) need none at all.
func TestDriftAndStatusNeedNoSecrets(t *testing.T) {
	calls := standIn(t)
	noSecrets(t)
	root := project(t)
	t.Setenv("STANDIN_OUTPUT", `{"ollama":{"namespace":"ollama","chart":"ollama","version":"1.77.0","revision":1}}`)
	var out bytes.Buffer
	o := healthy(t, root, &out)
	if code, err := o.dispatch("drift", "dev"); err != nil || code != exitOK {
		t.Fatalf("drift: exit %d, %v\n%s", code, err, out.String())
	}
	drift := calls()
	if code, err := o.dispatch("status", "dev"); err != nil || code != exitOK {
		t.Fatalf("status: exit %d, %v\n%s", code, err, out.String())
	}
	all := calls()
	inputOff(t, all)
	if len(ran(drift, "base-dev", "plan")) != 1 {
		t.Errorf("drift did not plan base-dev: %v", drift)
	}
	for _, c := range all[len(drift):] {
		if evaluates[c.Args[0]] {
			t.Errorf("status ran terraform %s, which needs every variable", c)
		}
	}
}

// TestDeployNeedsTheSecrets: without them, deploy stops before cdktf, with
// each missing variable and the command that makes one.
func TestDeployNeedsTheSecrets(t *testing.T) {
	calls := standIn(t)
	noSecrets(t)
	t.Setenv("TF_VAR_creds_iv", strings.Repeat("0", 32))
	var out bytes.Buffer
	_, err := healthy(t, project(t), &out).dispatch("deploy", "dev")
	if err == nil || !strings.Contains(err.Error(), "no value for creds_key, jwt_refresh_secret, jwt_secret") ||
		!strings.Contains(err.Error(), "export TF_VAR_creds_key=$(openssl rand -hex 32)") || strings.Contains(err.Error(), "creds_iv,") {
		t.Errorf("got %v; want the missing secrets (not creds_iv, which is set) with the commands that make them", err)
	}
	if c := calls(); len(c) > 0 {
		t.Errorf("terraform ran: %v", c)
	}
}

func TestPlaceholder(t *testing.T) {
	for _, s := range config.AllSecrets() {
		v, err := placeholder(s.Pattern)
		if err != nil {
			t.Errorf("%s: %v", s.Variable, err)
			continue
		}
		if ok, _ := regexp.MatchString(s.Pattern, v); !ok {
			t.Errorf("%s: placeholder %q does not match %s", s.Variable, v, s.Pattern)
		}
	}
	if _, err := placeholder(`^a$b`); err == nil {
		t.Error("a pattern nothing matches got a placeholder")
	}
}

// TestSecretsFileIsPassedOn: with secrets/<env>.tfvars, deploy and destroy
// hand it to cdktf (which hands it to Terraform in each stack folder), and
// destroy fills in no placeholder for what the file sets.
func TestSecretsFileIsPassedOn(t *testing.T) {
	noSecrets(t)
	root := project(t)
	var tfvars strings.Builder
	for _, s := range config.Secrets[1:] { // all but creds_key
		tfvars.WriteString(s.Variable + " = \"" + strings.Repeat("0", 32) + "\"\n")
	}
	if err := os.MkdirAll(filepath.Join(root, "secrets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secrets", "dev.tfvars"), []byte(tfvars.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	o := healthy(t, root, &bytes.Buffer{})
	for _, args := range [][]string{o.deployArgs("dev"), o.destroyArgs("dev")} {
		if !strings.Contains(strings.Join(args, " "), " --var-file=../../../secrets/dev.tfvars") {
			t.Errorf("cdktf %v: no --var-file", args)
		}
	}
	fill, err := o.placeholders("dev")
	if err != nil || len(fill) != 1 || !strings.HasPrefix(fill[0], "TF_VAR_creds_key=") {
		t.Errorf("placeholders = %v, %v; want creds_key's alone", fill, err)
	}
}
