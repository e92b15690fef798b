package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	helmrelease "helm.sh/helm/v3/pkg/release"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/recovery/recoverytest"
)

const appsJSON = `{
  "variable": {
    "kubeconfig_path": {"default": "~/.kube/config"},
    "kube_context": {"default": "minikube"}
  },
  "resource": {"helm_release": {
    "ingress_nginx": {"name": "ingress-nginx", "namespace": "ingress-nginx", "chart": "./charts/ingress-nginx-4.15.1.tgz", "version": "4.15.1", "timeout": 600},
    "librechat": {"name": "librechat", "namespace": "librechat", "chart": "./charts/librechat-2.0.8.tgz", "version": "2.0.8", "timeout": 600, "max_history": 10},
    "ollama": {"name": "ollama", "namespace": "ollama", "chart": "./charts/ollama-1.77.0.tgz", "version": "1.77.0", "timeout": 1800, "max_history": 10}
  }}
}`

const claim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
`

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
`

// cluster is a project root with a fake terraform and an apps-dev stack
// of three releases, and Helm's records in memory: "name=1:deployed,2:…".
type cluster struct {
	root string
	kube *recoverytest.Kube
	helm *recoverytest.Helm
}

func newCluster(t *testing.T, records ...string) cluster {
	t.Helper()
	root, _ := fakeTerraform(t)
	t.Setenv("STATE_LIST", "helm_release.ingress_nginx\nhelm_release.librechat\nhelm_release.ollama\n") // every release in the state
	if err := os.WriteFile(filepath.Join(root, "cdktf.out", "stacks", "apps-dev", "cdk.tf.json"), []byte(appsJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	kc := recoverytest.NewKube(t)
	h, err := recoverytest.NewHelm(kc, revisions(records)...)
	if err != nil {
		t.Fatal(err)
	}
	return cluster{root: root, kube: kc, helm: h}
}

// revisions are Helm's records "name=1:deployed,2:…", each release in the
// namespace of its name.
func revisions(records []string) []*helmrelease.Release {
	var revs []*helmrelease.Release
	for _, rec := range records {
		name, history, _ := strings.Cut(rec, "=")
		for _, h := range strings.Split(history, ",") {
			v, s, _ := strings.Cut(h, ":")
			version := int(v[0] - '0')
			revs = append(revs, recoverytest.Revision(name, name, version, helmrelease.Status(s), recoverytest.Manifest(deployment, claim)))
		}
	}
	return revs
}

func (c cluster) ops(out, errOut io.Writer) ops {
	return ops{
		root: c.root, out: out, errOut: errOut, run: execRun,
		helm:      func(recovery.Cluster) helmRecords { return &recovery.Client{Config: c.helm.Config} },
		ping:      func(recovery.Cluster) (string, error) { return "v1.31.0", nil },
		lookupEnv: func(string) (string, bool) { return "", false },
	}
}

func (c cluster) histories() map[string][]string {
	out := map[string][]string{}
	for _, n := range []string{"ingress-nginx", "librechat", "ollama"} {
		if h := c.helm.History(n, n); h != nil {
			out[n] = h
		}
	}
	return out
}

// wantIn fails for each of wants that text lacks; what names the text.
func wantIn(t *testing.T, what, text string, wants []string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// noPrompt fails the test when read: nothing may be asked.
type noPrompt struct{ t *testing.T }

func (p noPrompt) Read([]byte) (int, error) {
	p.t.Error("recover read stdin")
	return 0, io.EOF
}

func TestRecover(t *testing.T) {
	stuck := []string{"ingress-nginx=1:pending-install", "librechat=1:deployed,2:pending-upgrade", "ollama=1:deployed"}
	fixed := map[string][]string{"librechat": {"1:superseded", "2:pending-upgrade", "3:deployed"}, "ollama": {"1:deployed"}}
	unchanged := map[string][]string{"ingress-nginx": {"1:pending-install"}, "librechat": {"1:deployed", "2:pending-upgrade"}, "ollama": {"1:deployed"}}
	tests := []struct {
		name        string
		records     []string
		auto, tty   bool
		answer      string // stdin; "" is a reader that must not be read
		updateErr   error
		want        int
		wantOut     []string
		wantRecords map[string][]string
	}{
		{name: "nothing stuck", records: []string{"librechat=1:superseded,2:deployed", "ollama=1:deployed"}, want: exitOK,
			wantOut:     []string{"ingress-nginx/ingress-nginx: not installed", "librechat/librechat: deployed", "nothing is stuck"},
			wantRecords: map[string][]string{"librechat": {"1:superseded", "2:deployed"}, "ollama": {"1:deployed"}}},
		{name: "AUTO_APPROVE applies without asking", records: stuck, auto: true, tty: true, want: exitOK,
			wantOut: []string{"ingress-nginx/ingress-nginx: stuck: revision 1 is pending-install", "remedy: uninstall it",
				"librechat/librechat: stuck", "remedy: roll back to revision 1", "apps-dev: ingress-nginx/ingress-nginx: uninstalled",
				"kept PersistentVolumeClaim data", "rolled back to revision 1", "next: make deploy ENV=dev"},
			wantRecords: fixed},
		{name: "no terminal: plan only, exit 2", records: stuck, want: exitDrift,
			wantOut: []string{"remedy: uninstall it", "nothing changed: stdin is not a terminal", "make recover ENV=dev AUTO_APPROVE=1"}, wantRecords: unchanged},
		{name: "terminal, yes", records: stuck, tty: true, answer: "yes\n", want: exitOK,
			wantOut: []string{"Apply these remedies?", "next: make deploy ENV=dev"}, wantRecords: fixed},
		{name: "terminal, no", records: stuck, tty: true, answer: "no\n", want: exitDrift,
			wantOut: []string{"Apply these remedies?", "nothing changed"}, wantRecords: unchanged},
		{name: "terminal, end of input", records: stuck, tty: true, answer: "\x00", want: exitDrift, wantRecords: unchanged},
		{name: "only what recover leaves alone", records: []string{"ollama=1:deployed,2:uninstalling"}, tty: true, want: exitDrift,
			wantOut:     []string{"ollama/ollama: unusual", "helm history ollama --namespace ollama", "nothing recover can fix"},
			wantRecords: map[string][]string{"ollama": {"1:deployed", "2:uninstalling"}}},
		{name: "fixes what it can, exit 2 for the rest", records: []string{"ingress-nginx=1:failed", "ollama=1:deployed,2:uninstalling"}, auto: true, want: exitDrift,
			wantOut:     []string{"uninstalled", "next: make deploy ENV=dev", "still stuck: 1 release(s)"},
			wantRecords: map[string][]string{"ollama": {"1:deployed", "2:uninstalling"}}},
		{name: "a failed remedy is an error", records: []string{"ollama=1:deployed,2:failed"}, auto: true, updateErr: errors.New("exceeded quota"), want: exitError,
			wantRecords: map[string][]string{"ollama": {"1:deployed", "2:superseded", "3:failed"}}}, // Helm records the failed rollback; recover can run again
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, tc.records...)
			c.kube.UpdateError = tc.updateErr
			var out, errOut bytes.Buffer
			o := c.ops(&out, &errOut)
			o.autoApprove, o.interactive = tc.auto, tc.tty
			o.in = noPrompt{t}
			if tc.answer != "" {
				o.in = strings.NewReader(strings.TrimSuffix(tc.answer, "\x00"))
			}
			code, err := o.dispatch("recover", "dev")
			if code != tc.want || (err != nil) != (tc.want == exitError) {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			if got := c.histories(); !reflect.DeepEqual(got, tc.wantRecords) {
				t.Errorf("Helm's records %v; want %v", got, tc.wantRecords)
			}
		})
	}
}

func TestRecoverUnreachable(t *testing.T) {
	c := newCluster(t, "ollama=1:pending-install")
	var out, errOut bytes.Buffer
	o := c.ops(&out, &errOut)
	o.autoApprove = true
	var pinged recovery.Cluster
	o.ping = func(cl recovery.Cluster) (string, error) {
		pinged = cl
		return "", errors.New("dial tcp 192.168.49.2:8443: connect: no route to host")
	}
	o.lookupEnv = func(k string) (string, bool) {
		v, ok := map[string]string{"TF_VAR_kubeconfig_path": "/etc/kube/dev", "TF_VAR_kube_context": "lab"}[k]
		return v, ok
	}
	code, err := o.dispatch("recover", "dev")
	if code != exitError || err == nil {
		t.Errorf("exit %d, %v; want 1", code, err)
	}
	if want := (recovery.Cluster{Kubeconfig: "/etc/kube/dev", Context: "lab"}); pinged != want {
		t.Errorf("pinged %+v; want the TF_VAR_ overrides %+v", pinged, want)
	}
	wantIn(t, "message", errOut.String(), []string{"kubeconfig: /etc/kube/dev", "context:    lab", "no route to host", "Check that the cluster is running"})
	if h := c.helm.History("ollama", "ollama"); !reflect.DeepEqual(h, []string{"1:pending-install"}) {
		t.Errorf("records changed: %v", h)
	}
}

func TestStatusAndDriftReportStuck(t *testing.T) {
	t.Setenv("OUTPUT_JSON", `{"ollama":{"namespace":"ollama","chart":"ollama","version":"1.77.0","revision":1}}`)
	tests := []struct {
		name      string
		verb      string
		records   []string
		reachable bool
		want      int
		wantOut   []string
		notOut    []string
	}{
		{name: "drift: stuck", verb: "drift", records: []string{"librechat=1:deployed,2:pending-upgrade"}, reachable: true, want: exitDrift,
			wantOut: []string{"base-dev: in sync", "apps-dev: stuck Helm releases", "librechat/librechat: revision 2 is pending-upgrade", "fix: make recover ENV=dev", "stuck releases found: `make recover ENV=dev`"}},
		{name: "drift: nothing stuck", verb: "drift", records: []string{"ollama=1:deployed"}, reachable: true, want: exitOK,
			wantOut: []string{"no drift"}, notOut: []string{"make recover"}},
		{name: "drift: cluster unreachable keeps the plan's verdict", verb: "drift", records: []string{"ollama=1:pending-install"}, want: exitOK,
			wantOut: []string{"stuck releases not checked", "does not answer", "no drift"}, notOut: []string{"make recover"}},
		{name: "status: stuck", verb: "status", records: []string{"ingress-nginx=1:pending-install"}, reachable: true, want: exitOK,
			wantOut: []string{"ingress-nginx/ingress-nginx: revision 1 is pending-install", "fix: make recover ENV=dev", "dev (terraform outputs)"}},
		{name: "status: cluster unreachable", verb: "status", records: []string{"ingress-nginx=1:pending-install"}, want: exitOK,
			wantOut: []string{"stuck releases not checked", "dev (terraform outputs)"}, notOut: []string{"make recover"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, tc.records...)
			t.Setenv("PATH", filepath.Join(c.root, "fakebin")) // no helm
			var out, errOut bytes.Buffer
			o := c.ops(&out, &errOut)
			if !tc.reachable {
				o.ping = func(recovery.Cluster) (string, error) { return "", errors.New("connection refused") }
			}
			code, err := o.dispatch(tc.verb, "dev")
			if err != nil || code != tc.want {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			for _, w := range tc.notOut {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		pingErr error
		want    int
		wantOut []string
		wantErr []string
	}{
		{name: "answers, nothing stuck", records: []string{"ollama=1:deployed"}, want: exitOK,
			wantOut: []string{"apps-dev: the cluster answers (Kubernetes v1.31.0", `context "minikube"`}},
		{name: "does not answer", pingErr: errors.New(`Get "https://127.0.0.1:8443/version?timeout=5s": context deadline exceeded`), want: exitError,
			wantErr: []string{"apps-dev: the cluster does not answer", "kubeconfig: " + filepath.Join(os.Getenv("HOME"), ".kube/config"), "context:    minikube", "context deadline exceeded", "kubectl config get-contexts", "TF_VAR_kube_context"}},
		{name: "a stuck release", records: []string{"ollama=1:pending-install"}, want: exitDrift,
			wantOut: []string{"ollama/ollama: revision 1 is pending-install"}, wantErr: []string{"run make recover ENV=dev first"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, tc.records...)
			var out, errOut bytes.Buffer
			o := c.ops(&out, &errOut)
			pings := 0
			o.ping = func(recovery.Cluster) (string, error) {
				pings++
				return "v1.31.0", tc.pingErr
			}
			code, err := o.dispatch("preflight", "dev")
			if code != tc.want || (err != nil) != (tc.want == exitError) {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			if pings != 1 {
				t.Errorf("%d pings; want one bounded call", pings)
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			wantIn(t, "message", errOut.String(), tc.wantErr)
		})
	}
}

func TestAutoApprove(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, " TRUE ": true, "": false, "0": false, "yes": false, "false": false} {
		if got := autoApprove(v); got != want {
			t.Errorf("autoApprove(%q) = %v; want %v", v, got, want)
		}
	}
}
