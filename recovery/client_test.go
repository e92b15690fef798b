package recovery_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	k8sfake "k8s.io/client-go/kubernetes/fake"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/recovery/recoverytest"
)

const (
	deployment = `# Source: ollama/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama
  namespace: ollama
`
	service = `apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ollama
`
	models = `# Source: ollama/templates/pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ollama
  namespace: ollama
spec:
  resources:
    requests:
      storage: 20Gi
`
	cache = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ollama-cache
  namespace: ollama
`
	mongodb = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mongodb
  namespace: ollama
spec:
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Delete
`
)

var ollama = recovery.Release{Address: "helm_release.ollama", Name: "ollama", Namespace: "ollama", Timeout: time.Minute, MaxHistory: 10, WaitForJobs: true}

// setup stores the revisions of ollama/ollama ("version:status", all with
// manifest m) and returns a Client on them.
func setup(t *testing.T, kc *recoverytest.Kube, m string, history ...string) (*recovery.Client, *recoverytest.Helm) {
	t.Helper()
	var revs []*release.Release
	for _, h := range history {
		v, s, _ := strings.Cut(h, ":")
		n := 0
		for _, c := range v {
			n = n*10 + int(c-'0')
		}
		revs = append(revs, recoverytest.Revision("ollama", "ollama", n, release.Status(s), m))
	}
	h, err := recoverytest.NewHelm(kc, revs...)
	if err != nil {
		t.Fatal(err)
	}
	return &recovery.Client{Config: h.Config}, h
}

func inspectOne(t *testing.T, c *recovery.Client) recovery.Finding {
	t.Helper()
	fs, err := c.Inspect([]recovery.Release{ollama})
	if err != nil || len(fs) != 1 {
		t.Fatalf("Inspect: %v, %v", fs, err)
	}
	return fs[0]
}

// TestApply: every state gets its remedy, through Helm's actions on the
// in-memory storage, and leaves the history Terraform can work with.
func TestApply(t *testing.T) {
	tests := []struct {
		name        string
		history     []string
		remedy      recovery.Remedy
		wantHistory []string
		wantDone    string
	}{
		{name: "pending-install is uninstalled", history: []string{"1:pending-install"}, remedy: recovery.Uninstall, wantDone: "uninstalled"},
		{name: "failed first install is uninstalled", history: []string{"1:failed"}, remedy: recovery.Uninstall, wantDone: "uninstalled"},
		{name: "two failed installs are uninstalled", history: []string{"1:failed", "2:failed"}, remedy: recovery.Uninstall, wantDone: "uninstalled"},
		{name: "interrupted upgrade is rolled back", history: []string{"1:deployed", "2:pending-upgrade"}, remedy: recovery.Rollback,
			wantHistory: []string{"1:superseded", "2:pending-upgrade", "3:deployed"}, wantDone: "rolled back to revision 1"},
		{name: "failed upgrade is rolled back", history: []string{"1:superseded", "2:deployed", "3:failed"}, remedy: recovery.Rollback,
			wantHistory: []string{"1:superseded", "2:superseded", "3:failed", "4:deployed"}, wantDone: "rolled back to revision 2"},
		{name: "interrupted rollback is rolled back", history: []string{"1:superseded", "2:pending-rollback"}, remedy: recovery.Rollback,
			wantHistory: []string{"1:superseded", "2:pending-rollback", "3:deployed"}, wantDone: "rolled back to revision 1"},
		{name: "several revisions", history: []string{"1:superseded", "2:superseded", "3:deployed", "4:failed", "5:pending-upgrade"}, remedy: recovery.Rollback,
			wantHistory: []string{"1:superseded", "2:superseded", "3:superseded", "4:failed", "5:pending-upgrade", "6:deployed"}, wantDone: "rolled back to revision 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc := recoverytest.NewKube(t)
			c, h := setup(t, kc, recoverytest.Manifest(deployment, models), tc.history...)
			f := inspectOne(t, c)
			if f.State != recovery.Stuck || f.Remedy != tc.remedy {
				t.Fatalf("finding %s, %s; want stuck, %s", f.State, f.Remedy, tc.remedy)
			}
			out, err := c.Apply(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.Done, tc.wantDone) {
				t.Errorf("Done = %q; want %q", out.Done, tc.wantDone)
			}
			if got := h.History("ollama", "ollama"); !reflect.DeepEqual(got, tc.wantHistory) {
				t.Errorf("history %v; want %v", got, tc.wantHistory)
			}
			if after := inspectOne(t, c); after.Remedy != recovery.Nothing {
				t.Errorf("after the remedy: %s, %s", after.State, after.Remedy)
			}
		})
	}
}

// TestUninstallKeepsClaims: the uninstall of a never-deployed release
// deletes its other objects and no PersistentVolumeClaim (Kube fails the
// test on one), nor a StatefulSet that would take its claims with it.
func TestUninstallKeepsClaims(t *testing.T) {
	kc := recoverytest.NewKube(t)
	c, h := setup(t, kc, recoverytest.Manifest(deployment, models, service, mongodb), "1:pending-install")
	out, err := c.Apply(inspectOne(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Service ollama/ollama", "Deployment ollama/ollama"}; !reflect.DeepEqual(kc.Deleted(), want) {
		t.Errorf("deleted %q; want %q", kc.Deleted(), want)
	}
	if want := []string{"PersistentVolumeClaim ollama/ollama", "StatefulSet ollama/mongodb"}; !reflect.DeepEqual(out.Kept, want) {
		t.Errorf("kept %q; want %q", out.Kept, want)
	}
	if got := h.History("ollama", "ollama"); got != nil {
		t.Errorf("records left: %v; Terraform could not install it again", got)
	}
}

// TestPlainUninstallDeletesClaims shows what the protection is for: Helm's
// own uninstall of the same release deletes the claim, and Kube sees it.
func TestPlainUninstallDeletesClaims(t *testing.T) {
	kc := recoverytest.NewKube(t)
	kc.AllowClaimDeletion = true
	_, h := setup(t, kc, recoverytest.Manifest(deployment, models), "1:pending-install")
	cfg, _ := h.Config("ollama")
	if _, err := action.NewUninstall(cfg).Run("ollama"); err != nil {
		t.Fatal(err)
	}
	if !contains(kc.Deleted(), "PersistentVolumeClaim ollama/ollama") {
		t.Errorf("deleted %q; the fake does not see claim deletions", kc.Deleted())
	}
}

// TestRollbackKeepsClaims: a claim the stuck upgrade added, which the
// revision rolled back to lacks, is left in place, not deleted.
func TestRollbackKeepsClaims(t *testing.T) {
	kc := recoverytest.NewKube(t)
	h, err := recoverytest.NewHelm(kc,
		recoverytest.Revision("ollama", "ollama", 1, release.StatusDeployed, recoverytest.Manifest(deployment, models)),
		recoverytest.Revision("ollama", "ollama", 2, release.StatusPendingUpgrade, recoverytest.Manifest(deployment, models, cache, service)))
	if err != nil {
		t.Fatal(err)
	}
	c := &recovery.Client{Config: h.Config}
	out, err := c.Apply(inspectOne(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Service ollama/ollama"}; !reflect.DeepEqual(kc.Deleted(), want) {
		t.Errorf("deleted %q; want %q", kc.Deleted(), want)
	}
	if want := []string{"PersistentVolumeClaim ollama/ollama-cache"}; !reflect.DeepEqual(out.Kept, want) {
		t.Errorf("kept %q; want %q", out.Kept, want)
	}
	if waits := kc.Waits(); len(waits) != 1 || waits[0] != time.Minute {
		t.Errorf("waits %v; want one of the release's timeout (1m)", waits)
	}
}

// TestPlainRollbackDeletesClaims: Helm's own rollback would delete it.
func TestPlainRollbackDeletesClaims(t *testing.T) {
	kc := recoverytest.NewKube(t)
	kc.AllowClaimDeletion = true
	h, err := recoverytest.NewHelm(kc,
		recoverytest.Revision("ollama", "ollama", 1, release.StatusDeployed, recoverytest.Manifest(deployment)),
		recoverytest.Revision("ollama", "ollama", 2, release.StatusPendingUpgrade, recoverytest.Manifest(deployment, cache)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := h.Config("ollama")
	rb := action.NewRollback(cfg)
	rb.Version = 1
	if err := rb.Run("ollama"); err != nil {
		t.Fatal(err)
	}
	if !contains(kc.Deleted(), "PersistentVolumeClaim ollama/ollama-cache") {
		t.Errorf("deleted %q; the fake does not see claim deletions", kc.Deleted())
	}
}

// TestApplyNeverUninstallsDeployed: a finding that asks for an uninstall
// of a release whose record now has a deployed revision changes nothing.
func TestApplyNeverUninstallsDeployed(t *testing.T) {
	for _, history := range [][]string{
		{"1:deployed"},
		{"1:deployed", "2:pending-install"},
		{"1:superseded", "2:failed"},
	} {
		t.Run(strings.Join(history, ","), func(t *testing.T) {
			kc := recoverytest.NewKube(t)
			c, h := setup(t, kc, recoverytest.Manifest(deployment, models), history...)
			stale := recovery.Finding{Release: ollama, Decision: recovery.Decision{State: recovery.Stuck, Status: release.StatusPendingInstall, Revision: 1, Remedy: recovery.Uninstall}}
			_, err := c.Apply(stale)
			if !errors.Is(err, recovery.ErrChanged) {
				t.Errorf("error %v; want ErrChanged", err)
			}
			if len(kc.Deleted()) != 0 || !reflect.DeepEqual(h.History("ollama", "ollama"), history) {
				t.Errorf("changed: deleted %q, history %v", kc.Deleted(), h.History("ollama", "ollama"))
			}
		})
	}
}

// TestApplyIsBounded: a rollback whose wait does not end is abandoned
// after the release's timeout plus Grace.
func TestApplyIsBounded(t *testing.T) {
	kc := recoverytest.NewKube(t)
	kc.WaitDelay = 5 * time.Second
	c, _ := setup(t, kc, recoverytest.Manifest(deployment), "1:deployed", "2:pending-upgrade")
	c.Grace = 50 * time.Millisecond
	f := inspectOne(t, c)
	f.Release.Timeout = 10 * time.Millisecond
	start := time.Now()
	_, err := c.Apply(f)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 60ms") {
		t.Errorf("error %v; want a timeout", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Apply took %s", took)
	}
}

func TestApplyReportsHelmErrors(t *testing.T) {
	kc := recoverytest.NewKube(t)
	kc.UpdateError = errors.New("exceeded quota")
	c, _ := setup(t, kc, recoverytest.Manifest(deployment), "1:deployed", "2:failed")
	_, err := c.Apply(inspectOne(t, c))
	if err == nil || !strings.Contains(err.Error(), "recover ollama/ollama: rollback to revision 1:") || !strings.Contains(err.Error(), "exceeded quota") {
		t.Errorf("error %v; want the release, the remedy and Helm's error", err)
	}
}

func TestInspect(t *testing.T) {
	kc := recoverytest.NewKube(t)
	h, err := recoverytest.NewHelm(kc,
		recoverytest.Revision("ingress-nginx", "ingress-nginx", 1, release.StatusPendingInstall, ""),
		recoverytest.Revision("librechat", "librechat", 1, release.StatusSuperseded, ""),
		recoverytest.Revision("librechat", "librechat", 2, release.StatusDeployed, ""),
		// same name, other namespace: not the stack's release
		recoverytest.Revision("ollama", "default", 1, release.StatusFailed, ""))
	if err != nil {
		t.Fatal(err)
	}
	rels := []recovery.Release{
		{Name: "ingress-nginx", Namespace: "ingress-nginx"},
		{Name: "librechat", Namespace: "librechat"},
		{Name: "ollama", Namespace: "ollama"},
	}
	fs, err := (&recovery.Client{Config: h.Config}).Inspect(rels)
	if err != nil {
		t.Fatal(err)
	}
	want := []recovery.State{recovery.Stuck, recovery.Deployed, recovery.NotInstalled}
	for i, f := range fs {
		if f.State != want[i] || f.Release != rels[i] {
			t.Errorf("%s: %s; want %s", f.Release, f.State, want[i])
		}
	}
}

func TestInspectError(t *testing.T) {
	c := &recovery.Client{Config: func(ns string) (*action.Configuration, error) { return nil, errors.New("no cluster") }}
	_, err := c.Inspect([]recovery.Release{ollama})
	if err == nil || !strings.Contains(err.Error(), "ollama/ollama: no cluster") {
		t.Errorf("error %v; want the release and the cause", err)
	}
}

// kubeconfig writes a kubeconfig whose context "test" points at url.
func kubeconfig(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	config := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "` + url + `"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: test, context: {cluster: c, user: u}}, {name: other, context: {cluster: c, user: u}}]
current-context: other
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPing(t *testing.T) {
	answering := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"major":"1","minor":"31","gitVersion":"v1.31.0"}`)
	}))
	defer answering.Close()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hanging.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name    string
		cluster recovery.Cluster
		want    string
		wantErr string
	}{
		{name: "answers", cluster: recovery.Cluster{Kubeconfig: kubeconfig(t, answering.URL), Context: "test"}, want: "v1.31.0"},
		{name: "current context", cluster: recovery.Cluster{Kubeconfig: kubeconfig(t, answering.URL)}, want: "v1.31.0"},
		{name: "does not answer", cluster: recovery.Cluster{Kubeconfig: kubeconfig(t, hanging.URL), Context: "test"}, wantErr: "deadline exceeded|Timeout"},
		{name: "refuses", cluster: recovery.Cluster{Kubeconfig: kubeconfig(t, closed.URL), Context: "test"}, wantErr: "connection refused"},
		{name: "no such context", cluster: recovery.Cluster{Kubeconfig: kubeconfig(t, answering.URL), Context: "minikube"}, wantErr: `context "minikube" does not exist`},
		{name: "no kubeconfig", cluster: recovery.Cluster{Kubeconfig: filepath.Join(t.TempDir(), "missing"), Context: "test"}, wantErr: "loading the kubeconfig"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got, err := recovery.Ping(tc.cluster, 300*time.Millisecond)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Ping took %s", took)
			}
			if tc.wantErr == "" && (err != nil || got != tc.want) {
				t.Errorf("Ping = %q, %v; want %q", got, err, tc.want)
			}
			if tc.wantErr != "" && (err == nil || !regexp.MustCompile(tc.wantErr).MatchString(err.Error())) {
				t.Errorf("Ping error %v; want %q in it", err, tc.wantErr)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// apiServer serves the Secrets the Helm Secrets driver wrote for revs, in
// their namespaces, as a Kubernetes API server would, and records the
// requests.
func apiServer(t *testing.T, revs ...*release.Release) (*httptest.Server, *[]string) {
	t.Helper()
	clientset := k8sfake.NewSimpleClientset()
	for _, r := range revs {
		d := driver.NewSecrets(clientset.CoreV1().Secrets(r.Namespace))
		if err := d.Create(fmt.Sprintf("sh.helm.release.v1.%s.v%d", r.Name, r.Version), r); err != nil {
			t.Fatal(err)
		}
	}
	var requests []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.URL.Path+"?"+r.URL.Query().Get("labelSelector"))
		mu.Unlock()
		ns, ok := strings.CutPrefix(r.URL.Path, "/api/v1/namespaces/")
		ns, ok2 := strings.CutSuffix(ns, "/secrets")
		if !ok || !ok2 || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		selector, err := labels.Parse(r.URL.Query().Get("labelSelector"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		list, err := clientset.CoreV1().Secrets(ns).List(r.Context(), metav1.ListOptions{LabelSelector: selector.String()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		list.Kind, list.APIVersion = "SecretList", "v1"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// TestNewReadsHelmSecrets: New reads the records the helm provider writes
// (Secrets in the release's namespace) through the kubeconfig's context.
func TestNewReadsHelmSecrets(t *testing.T) {
	srv, requests := apiServer(t,
		recoverytest.Revision("ollama", "ollama", 1, release.StatusDeployed, ""),
		recoverytest.Revision("ollama", "ollama", 2, release.StatusPendingUpgrade, ""),
		recoverytest.Revision("ingress-nginx", "ingress-nginx", 1, release.StatusPendingInstall, ""))
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	path := filepath.Join(t.TempDir(), "config")
	config := `apiVersion: v1
kind: Config
clusters: [{name: live, cluster: {server: "` + srv.URL + `"}}, {name: dead, cluster: {server: "` + dead.URL + `"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: test, context: {cluster: live, user: u}}, {name: other, context: {cluster: dead, user: u}}]
current-context: other
`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	rels := []recovery.Release{
		{Name: "ingress-nginx", Namespace: "ingress-nginx"},
		{Name: "librechat", Namespace: "librechat"},
		{Name: "ollama", Namespace: "ollama"},
	}
	fs, err := recovery.New(recovery.Cluster{Kubeconfig: path, Context: "test"}).Inspect(rels)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %s %s %d", f.Release, f.State, f.Remedy, f.Target))
	}
	want := []string{"ingress-nginx/ingress-nginx stuck uninstall 0", "librechat/librechat not installed nothing 0", "ollama/ollama stuck rollback 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings %q; want %q", got, want)
	}
	if !contains(*requests, "/api/v1/namespaces/ollama/secrets?name=ollama,owner=helm") {
		t.Errorf("requests %q; want Helm's Secrets query in the release's namespace", *requests)
	}
	if _, err := recovery.New(recovery.Cluster{Kubeconfig: path}).Inspect(rels); err == nil || !strings.Contains(err.Error(), "read ingress-nginx/ingress-nginx") {
		t.Errorf("the current context's dead cluster: %v; want an error naming the release", err)
	}
}
