package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	helmrelease "helm.sh/helm/v3/pkg/release"
	storagev1api "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	storagev1 "k8s.io/client-go/kubernetes/typed/storage/v1"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/recovery/recoverytest"
)

// deployedManifest is the golden render of a dev release (what the synth
// will deploy), with edit applied: what Helm has as deployed.
func deployedManifest(t *testing.T, name string, edit func(string) string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "__tests__", "golden", "manifests", "dev", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := string(data)
	m = m[strings.Index(m, "\n")+1:] // the header line is the synth's, not Helm's
	if edit != nil {
		m = edit(m)
	}
	return m
}

// halveOllamaClaim is the deployed Ollama before its claim was doubled.
func halveOllamaClaim(m string) string {
	return strings.Replace(m, `storage: "10Gi"`, `storage: "5Gi"`, 1)
}

func classes(expand bool) func(recovery.Cluster) (storagev1.StorageClassesGetter, error) {
	return func(recovery.Cluster) (storagev1.StorageClassesGetter, error) {
		return fake.NewClientset(&storagev1api.StorageClass{
			ObjectMeta:           metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
			Provisioner:          "kubernetes.io/no-provisioner",
			AllowVolumeExpansion: &expand,
		}).StorageV1(), nil
	}
}

// TestDeployRunsTheChangeCheck: make deploy's flow (AUTO_APPROVE=1) with
// Helm's in-memory records holding a deployed revision rendered from the
// real pinned charts, a fake cluster for the StorageClasses, and the new
// render: a change the API server would refuse stops it before Terraform
// changes anything; a harmless one, or one accepted in the config, goes on.
func TestDeployRunsTheChangeCheck(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(string) string // of the deployed Ollama
		expand   bool                // the default class allows expansion
		accept   string              // appended to envs/dev.yaml
		deployed bool                // terraform apply ran
		want     []string
	}{
		{name: "nothing changed", deployed: true, want: []string{"base-dev: no changes"}},
		{name: "a claim grows on a class without expansion", edit: halveOllamaClaim,
			want: []string{"PersistentVolumeClaim ollama/ollama", "5Gi", "10Gi", "not deploying dev", "changes.accept"}},
		{name: "a claim grows on a class with expansion", edit: halveOllamaClaim, expand: true, deployed: true,
			want: []string{"PersistentVolumeClaim ollama/ollama", "irreversible"}},
		{name: "accepted", edit: halveOllamaClaim, deployed: true,
			accept: "changes:\n  accept:\n    - {object: PersistentVolumeClaim ollama/ollama, rule: refused, reason: resized by hand first}\n",
			want:   []string{"resized by hand first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := standIn(t)
			withCdktf(t)
			withSecrets(t)
			root := project(t)
			if tt.accept != "" {
				f, _ := os.OpenFile(filepath.Join(root, config.Dir, "dev.yaml"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString(tt.accept)
				f.Close()
			}
			h, err := recoverytest.NewHelm(recoverytest.NewKube(t),
				recoverytest.Revision("ollama", "ollama", 1, helmrelease.StatusDeployed, deployedManifest(t, "ollama", tt.edit)),
				recoverytest.Revision("librechat", "librechat", 1, helmrelease.StatusDeployed, deployedManifest(t, "librechat", nil)))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			o := healthy(t, root, &out)
			o.helm = func(recovery.Cluster) helmRecords { return &recovery.Client{Config: h.Config} }
			o.storage = classes(tt.expand)
			code, err := o.dispatch("deploy", "dev")
			applied := len(ran(calls(), "base-dev", "apply")) > 0
			if applied != tt.deployed || err != nil || (code == exitOK) != tt.deployed {
				t.Fatalf("exit %d, %v, applied %v; want applied %v\n%s", code, err, applied, tt.deployed, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if _, err := os.Stat(filepath.Join(recordDir(root, "dev"), "ollama.yaml")); (err == nil) != tt.deployed {
				t.Errorf("recorded render after the deploy: %v; want one exactly when it deployed", err)
			}
		})
	}
}

// TestDiffOffline: the cluster does not answer, so make diff plans nothing
// (Terraform would ask the cluster), compares with the render the last make
// deploy recorded and takes the StorageClasses from the config; without
// them, a claim that grows is a finding that says the class is unknown.
func TestDiffOffline(t *testing.T) {
	for _, known := range []bool{false, true} {
		calls := standIn(t)
		noSecrets(t)
		root := project(t)
		dir := recordDir(root, "dev")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"ollama", "librechat", "ingress-nginx"} {
			data, _ := os.ReadFile(filepath.Join(root, "cdktf.out", "manifests", "dev", name+".yaml"))
			m := string(data)
			if name == "ollama" {
				m = halveOllamaClaim(m)
			}
			if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(m), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if known {
			f := filepath.Join(root, config.Dir, "dev.yaml")
			data, _ := os.ReadFile(f)
			withClasses := strings.Replace(string(data), "\ncluster:\n", "\ncluster:\n  storageClasses: [{name: standard, default: true, allowVolumeExpansion: true}]\n", 1)
			if err := os.WriteFile(f, []byte(withClasses), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var out bytes.Buffer
		o := healthy(t, root, &out)
		o.ping = func(recovery.Cluster) (string, error) { return "", errors.New("connection refused") }
		code, err := o.dispatch("diff", "dev")
		if err != nil {
			t.Fatal(err)
		}
		wantCode := exitError
		for _, stack := range []string{"base-dev", "apps-dev"} {
			if p := ran(calls(), stack, "plan"); len(p) > 0 {
				t.Errorf("%s was planned against a cluster that does not answer: %v", stack, p)
			}
		}
		want := []string{"base-dev: not planned: the cluster does not answer (connection refused)", "the render of the last make deploy", "PersistentVolumeClaim ollama/ollama", "unknown"}
		if known {
			wantCode = exitOK
			want = []string{"apps-dev: not planned", "the render of the last make deploy", "PersistentVolumeClaim ollama/ollama", "irreversible"}
		}
		if code != wantCode {
			t.Errorf("classes known %v: exit %d, want %d\n%s", known, code, wantCode, out.String())
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("classes known %v: output lacks %q:\n%s", known, w, out.String())
			}
		}
	}
}

// TestDeployUninstallsFirst: when the apps plan deletes a release (here
// ingress.install turned off), deploy uninstalls it with a targeted apply
// (never a targeted destroy, which would take LibreChat, which depends on
// it, with it) before the base stack is applied, so its namespace still
// exists.
func TestDeployUninstallsFirst(t *testing.T) {
	calls := standIn(t)
	withCdktf(t)
	withSecrets(t)
	root := project(t)
	t.Setenv("STANDIN_SHOW_apps_dev", `{"resource_changes":[{"address":"helm_release.ingress_nginx","type":"helm_release","change":{"actions":["delete"],"before":{"name":"ingress-nginx","namespace":"ingress-nginx"}}}]}`)
	t.Setenv("STANDIN_SHOW_base_dev", `{"resource_changes":[{"address":"kubernetes_namespace_v1.ingress_nginx","type":"kubernetes_namespace_v1","change":{"actions":["delete"],"before":{"metadata":[{"name":"ingress-nginx"}]}}}]}`)
	var out bytes.Buffer
	code, err := healthy(t, root, &out).dispatch("deploy", "dev")
	if err != nil || code != exitOK {
		t.Fatalf("deploy: exit %d, %v\n%s", code, err, out.String())
	}
	all := calls()
	if d := ran(all, "apps-dev", "destroy"); len(d) > 0 {
		t.Errorf("apps-dev destroys %v: a targeted destroy also destroys what depends on the target", d)
	}
	applies := ran(all, "apps-dev", "apply")
	if len(applies) != 2 || strings.Join(applies[0].Args, " ") != "apply -auto-approve -input=false -no-color -lock-timeout=60s -target=helm_release.ingress_nginx" {
		t.Fatalf("apps-dev applies %v; want one targeted at helm_release.ingress_nginx, then the deploy's\n%s", applies, out.String())
	}
	before(t, applies[:1], ran(all, "base-dev", "apply"), "the uninstall before base-dev's apply")
	if !strings.Contains(out.String(), "kubernetes_namespace_v1.ingress_nginx: delete") {
		t.Errorf("the base plan is not shown:\n%s", out.String())
	}
	inputOff(t, all)
}
