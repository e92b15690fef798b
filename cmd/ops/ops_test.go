package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTerraform puts a terraform on PATH that logs each call as
// "<stack folder> <args>" and exits with $EXIT_<stack folder, - as _> for
// plan; show -json prints $PLAN_JSON, output -json prints $OUTPUT_JSON,
// state list prints $STATE_LIST.
func fakeTerraform(t *testing.T) (root, logFile string) {
	t.Helper()
	root = t.TempDir()
	bin := filepath.Join(root, "fakebin")
	logFile = filepath.Join(root, "calls.log")
	script := `#!/bin/bash
stack=${PWD##*/}
echo "$stack $*" >> "` + logFile + `"
case "$1" in
  plan) var="EXIT_${stack//-/_}"; exit "${!var:-0}" ;;
  show) printf '%s' "$PLAN_JSON" ;;
  output) printf '%s' "$OUTPUT_JSON" ;;
  state) printf '%s' "$STATE_LIST" ;;
esac
`
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	for _, s := range []string{"base-dev", "apps-dev", "base-prod", "apps-prod"} {
		dir := filepath.Join(root, "cdktf.out", "stacks", s)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, logFile
}

const driftPlan = `{"resource_drift":[{"address":"kubernetes_namespace_v1.ollama","change":{"actions":["update"]}}],
"resource_changes":[{"address":"kubernetes_namespace_v1.ollama","change":{"actions":["update"]}},
{"address":"kubernetes_secret_v1.librechat_credentials","change":{"actions":["no-op"]}},
{"address":"helm_release.ollama","change":{"actions":["delete","create"]}}]}`

func TestDrift(t *testing.T) {
	tests := []struct {
		name     string
		env      string
		exits    map[string]string
		want     int
		wantOut  []string
		wantCall []string
	}{
		{name: "in sync", env: "dev", want: exitOK,
			wantOut:  []string{"base-dev: in sync", "apps-dev: in sync", "no drift"},
			wantCall: []string{"base-dev init -input=false -no-color", "base-dev plan -refresh=true -detailed-exitcode -input=false -no-color -lock-timeout=60s -out=drift.tfplan", "apps-dev plan -refresh=true"}},
		{name: "base drifted", env: "dev", exits: map[string]string{"EXIT_base_dev": "2"}, want: exitDrift,
			wantOut: []string{"base-dev: differs from the code:", "kubernetes_namespace_v1.ollama: update (changed outside Terraform)",
				"kubernetes_namespace_v1.ollama: update (planned)", "helm_release.ollama: delete+create (planned)", "apps-dev: in sync", "drift found"},
			wantCall: []string{"base-dev show -json drift.tfplan"}},
		{name: "plan error wins over drift", env: "dev,prod", exits: map[string]string{"EXIT_base_dev": "2", "EXIT_apps_prod": "1"}, want: exitError,
			wantOut: []string{"base-dev: differs"}, wantCall: []string{"apps-prod plan"}},
		{name: "all reads cdktf.out", env: "all", want: exitOK, wantCall: []string{"base-dev plan", "apps-dev plan", "base-prod plan", "apps-prod plan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, logFile := fakeTerraform(t)
			t.Setenv("PLAN_JSON", driftPlan)
			for k, v := range tc.exits {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			o := ops{root: root, out: &out, errOut: &errOut, run: execRun}
			got, err := o.dispatch("drift", tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("exit %d, want %d; output:\n%s%s", got, tc.want, out.String(), errOut.String())
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "librechat_credentials") {
				t.Errorf("a no-op change was listed:\n%s", out.String())
			}
			calls, _ := os.ReadFile(logFile)
			for _, w := range tc.wantCall {
				if !strings.Contains(string(calls), w) {
					t.Errorf("no call %q in:\n%s", w, calls)
				}
			}
		})
	}
}

func TestDriftPassesSecretsFile(t *testing.T) {
	root, logFile := fakeTerraform(t)
	if err := os.MkdirAll(filepath.Join(root, "secrets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secrets", "dev.tfvars"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := ops{root: root, out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, run: execRun}
	if _, err := o.dispatch("drift", "dev"); err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(logFile)
	if !strings.Contains(string(calls), "base-dev plan -refresh=true -detailed-exitcode -input=false -no-color -lock-timeout=60s -out=drift.tfplan -var-file=../../../secrets/dev.tfvars") {
		t.Errorf("plan was not given the secrets file:\n%s", calls)
	}
}

func TestMissingStack(t *testing.T) {
	root, _ := fakeTerraform(t)
	o := ops{root: root, out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, run: execRun}
	code, err := o.dispatch("drift", "staging")
	if code != exitError || err == nil || !strings.Contains(err.Error(), "make synth ENV=staging") {
		t.Errorf("got %d, %v; want exit 1 and advice to synth", code, err)
	}
}

func TestStatusAndRollback(t *testing.T) {
	root, logFile := fakeTerraform(t)
	t.Setenv("PATH", filepath.Join(root, "fakebin")) // no helm on PATH
	t.Setenv("OUTPUT_JSON", `{"ollama":{"namespace":"ollama","chart":"ollama","version":"1.77.0","revision":3},
"librechat":{"namespace":"librechat","chart":"librechat","version":"2.0.8","revision":1}}`)
	for verb, want := range map[string][]string{
		"status":   {"librechat", "2.0.8", "ollama", "1.77.0", "3", "helm is not installed"},
		"rollback": {"ollama/ollama (chart ollama 1.77.0, revision 3)", "git revert", "max_history"},
	} {
		var out bytes.Buffer
		o := ops{root: root, out: &out, errOut: &bytes.Buffer{}, run: execRun}
		code, err := o.dispatch(verb, "dev")
		if err != nil || code != exitOK {
			t.Fatalf("%s: exit %d, %v", verb, code, err)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s output lacks %q:\n%s", verb, w, out.String())
			}
		}
	}
	calls, _ := os.ReadFile(logFile)
	if !strings.Contains(string(calls), "apps-dev output -json releases") {
		t.Errorf("releases were not read from the outputs:\n%s", calls)
	}
}
