package statelock

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/llm-platform/cdktf-llm/statelock/statelocktest"
)

func TestMain(m *testing.M) {
	statelocktest.Serve()
	os.Exit(m.Run())
}

func writeStack(t *testing.T, doc string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cdktf.out", "stacks", "apps-prod")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadBackend(t *testing.T) {
	tests := []struct {
		name, doc string
		want      func(dir string) Backend
		where     func(dir string) string
		wantErr   string
	}{
		{name: "local, as synthesized", doc: `{"terraform":{"backend":{"local":{"path":"../../../.terraform-state/apps-prod.tfstate"}}}}`,
			want: func(dir string) Backend {
				return Backend{Type: "local", Path: filepath.Join(dir, "../../../.terraform-state/apps-prod.tfstate")}
			},
			where: func(dir string) string {
				return filepath.Join(dir, "../../../.terraform-state/.apps-prod.tfstate.lock.info")
			}},
		{name: "no backend: Terraform's default", doc: `{}`,
			want:  func(dir string) Backend { return Backend{Type: "local", Path: filepath.Join(dir, "terraform.tfstate")} },
			where: func(dir string) string { return filepath.Join(dir, ".terraform.tfstate.lock.info") }},
		{name: "kubernetes", doc: `{"terraform":{"backend":{"kubernetes":{"secret_suffix":"apps-prod","namespace":"terraform-state","config_path":"~/.kube/config","config_context":"prod"}}}}`,
			want: func(string) Backend {
				return Backend{Type: "kubernetes", Namespace: "terraform-state", SecretSuffix: "apps-prod", ConfigPath: "~/.kube/config", ConfigContext: "prod"}
			},
			where: func(string) string { return "Lease terraform-state/lock-tfstate-default-apps-prod" }},
		{name: "s3", doc: `{"terraform":{"backend":{"s3":{"bucket":"tf","key":"llm-platform/apps-prod.tfstate"}}}}`,
			want:  func(string) Backend { return Backend{Type: "s3", Bucket: "tf", Key: "llm-platform/apps-prod.tfstate"} },
			where: func(string) string { return "s3://tf/llm-platform/apps-prod.tfstate.tflock" }},
		{name: "kubernetes without suffix", doc: `{"terraform":{"backend":{"kubernetes":{}}}}`, wantErr: "no secret_suffix"},
		{name: "unsupported", doc: `{"terraform":{"backend":{"consul":{}}}}`, wantErr: `backend "consul" is not one the config supports`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeStack(t, tc.doc)
			b, err := ReadBackend(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want(dir); b != want {
				t.Errorf("backend %+v; want %+v", b, want)
			}
			if w := tc.where(dir); b.Where() != w {
				t.Errorf("where %q; want %q", b.Where(), w)
			}
		})
	}
}

const lockInfoJSON = `{"ID":"8d3e-1f","Operation":"OperationTypeApply","Info":"","Who":"root@runner-7","Version":"1.14.0","Created":"2026-12-01T20:00:00.5Z","Path":""}`

var kubeBackend = Backend{Type: "kubernetes", Namespace: "terraform-state", SecretSuffix: "apps-prod"}

func TestLease(t *testing.T) {
	holder := "8d3e-1f"
	created := time.Date(2026, 12, 1, 20, 0, 0, 5e8, time.UTC)
	tests := []struct {
		name  string
		lease *coordv1.Lease
		want  Lock
	}{
		{name: "no Lease: never locked", want: Lock{Backend: kubeBackend}},
		{name: "held, with lock info", lease: &coordv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "lock-tfstate-default-apps-prod", Namespace: "terraform-state", Annotations: map[string]string{LockInfoAnnotation: lockInfoJSON}},
			Spec:       coordv1.LeaseSpec{HolderIdentity: &holder}},
			want: Lock{Backend: kubeBackend, Held: true, Info: &Info{ID: "8d3e-1f", Operation: "OperationTypeApply", Who: "root@runner-7", Version: "1.14.0", Created: created}}},
		{name: "held, no lock info", lease: &coordv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "lock-tfstate-default-apps-prod", Namespace: "terraform-state"},
			Spec:       coordv1.LeaseSpec{HolderIdentity: &holder}},
			want: Lock{Backend: kubeBackend, Held: true, Info: &Info{ID: "8d3e-1f"}}},
		{name: "released: no holder, no annotation", lease: &coordv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "lock-tfstate-default-apps-prod", Namespace: "terraform-state"}},
			want: Lock{Backend: kubeBackend}},
		{name: "another stack's Lease", lease: &coordv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: "lock-tfstate-default-base-prod", Namespace: "terraform-state"},
			Spec:       coordv1.LeaseSpec{HolderIdentity: &holder}},
			want: Lock{Backend: kubeBackend}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset()
			if tc.lease != nil {
				client = fake.NewClientset(tc.lease)
			}
			got, err := Lease(context.Background(), client.CoordinationV1(), kubeBackend)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("lock %+v (info %+v); want %+v (info %+v)", got, got.Info, tc.want, tc.want.Info)
			}
		})
	}
}

func TestLocal(t *testing.T) {
	tests := []struct {
		name     string
		info     bool // a lock info file
		held     bool // a live process holds the state file's lock
		wantHeld bool
		wantInfo bool
	}{
		{name: "never locked"},
		{name: "killed holder: lock info left, file lock free", info: true, wantInfo: true},
		{name: "live holder", info: true, held: true, wantHeld: true, wantInfo: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Backend{Type: "local", Path: filepath.Join(t.TempDir(), "apps-dev.tfstate")}
			if tc.info {
				if err := os.WriteFile(b.LockInfoPath(), []byte(lockInfoJSON), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			pid := 0
			if tc.held {
				pid = statelocktest.Hold(t, b.Path)
			}
			l, err := Local(b)
			if err != nil {
				t.Fatal(err)
			}
			if l.Held != tc.wantHeld || l.HolderPID != pid || (l.Info != nil) != tc.wantInfo {
				t.Errorf("held %v by %d, info %+v; want held %v by %d, info %v", l.Held, l.HolderPID, l.Info, tc.wantHeld, pid, tc.wantInfo)
			}
			if tc.wantInfo && l.ID() != "8d3e-1f" {
				t.Errorf("ID %q; want the lock info's", l.ID())
			}
		})
	}
}

func TestJudge(t *testing.T) {
	dir := "/work/p/cdktf.out/stacks/apps-prod"
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	bound := 50 * time.Minute
	held := func(who string, age time.Duration) Lock {
		return Lock{Backend: kubeBackend, Held: true, Info: &Info{ID: "8d3e-1f", Operation: "OperationTypeApply", Who: who, Created: now.Add(-age)}}
	}
	here := "runner-7"
	tf := func(pid int, dir string) Process { return Process{PID: pid, Name: "terraform", Dir: dir} }
	localB := Backend{Type: "local", Path: "/p/.terraform-state/apps-dev.tfstate"}
	tests := []struct {
		name       string
		lock       Lock
		procs      []Process
		blind      bool
		want       State
		wantBlocks bool
		wantWhy    string
	}{
		{name: "no lock", lock: Lock{Backend: kubeBackend}, want: Free},
		{name: "dead holder here: no process", lock: held("root@runner-7", 5*time.Minute), want: Stale, wantBlocks: true, wantWhy: "no terraform or tofu process runs in " + dir},
		{name: "dead holder here: only other stacks' processes", lock: held("root@runner-7", 5*time.Minute), procs: []Process{tf(10, "/work/p/cdktf.out/stacks/base-prod")}, want: Stale, wantBlocks: true},
		{name: "live holder here", lock: held("root@runner-7", 5*time.Minute), procs: []Process{tf(42, dir)}, want: Live, wantBlocks: true, wantWhy: "terraform (pid 42) runs in " + dir},
		{name: "live holder here, older than the bound", lock: held("root@runner-7", 3*time.Hour), procs: []Process{tf(42, dir)}, want: Live, wantBlocks: true},
		{name: "here, another checkout of the stack", lock: held("root@runner-7", 5*time.Minute), procs: []Process{tf(43, "/work/other/cdktf.out/stacks/apps-prod")}, want: Unknown, wantBlocks: true, wantWhy: "pid 43"},
		{name: "here, a process that hides its folder", lock: held("root@runner-7", 5*time.Minute), procs: []Process{{PID: 44, Name: "terraform"}}, want: Unknown, wantBlocks: true, wantWhy: "hide their folders"},
		{name: "here, but processes cannot be listed", lock: held("root@runner-7", 5*time.Minute), blind: true, want: Unknown, wantBlocks: true, wantWhy: "no /proc"},
		{name: "here, processes cannot be listed, older than the bound", lock: held("root@runner-7", 2*time.Hour), blind: true, want: Stale, wantBlocks: true},
		{name: "another machine, recent", lock: held("root@ci-3", 10*time.Minute), want: Unknown, wantBlocks: true, wantWhy: "on ci-3, whose processes this machine cannot see"},
		{name: "another machine, older than the bound", lock: held("root@ci-3", 51*time.Minute), want: Stale, wantBlocks: true, wantWhy: "taken 51m ago, longer than"},
		{name: "no lock info, holder set", lock: Lock{Backend: kubeBackend, Held: true, Info: &Info{ID: "8d3e-1f"}}, want: Unknown, wantBlocks: true, wantWhy: "no lock info"},
		{name: "local: free", lock: Lock{Backend: localB}, want: Free},
		{name: "local: lock info left by a killed run", lock: Lock{Backend: localB, Info: &Info{ID: "x", Who: "root@elsewhere"}}, want: Stale, wantWhy: "blocks nothing"},
		{name: "local: held by a process", lock: Lock{Backend: localB, Held: true, HolderPID: 77, Info: &Info{ID: "x"}}, want: Live, wantBlocks: true, wantWhy: "process 77"},
		{name: "s3: not read", lock: S3(Backend{Type: "s3", Bucket: "b", Key: "k"}), want: NotRead, wantWhy: "s3://b/k.tflock"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.lock, dir, bound, Host{Name: here, Now: now, Processes: tc.procs, Blind: tc.blind})
			if v.State != tc.want || v.Blocks != tc.wantBlocks || !strings.Contains(v.Why, tc.wantWhy) {
				t.Errorf("%s (blocks %v): %s; want %s (blocks %v) with %q", v.State, v.Blocks, v.Why, tc.want, tc.wantBlocks, tc.wantWhy)
			}
		})
	}
}

// TestProcesses finds a process named terraform in its folder through
// this machine's /proc, and not a process of another name.
func TestProcesses(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	bin, stack := t.TempDir(), t.TempDir()
	for _, name := range []string{"terraform", "helm"} {
		if err := os.Symlink(sleep, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	pids := map[string]int{}
	for _, name := range []string{"terraform", "helm"} {
		cmd := exec.Command(filepath.Join(bin, name), "30")
		cmd.Dir = stack
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pids[name] = cmd.Process.Pid
	}
	procs, err := Processes("/proc", "")
	if err != nil {
		t.Fatal(err)
	}
	var found *Process
	for i, p := range procs {
		if p.PID == pids["helm"] {
			t.Errorf("listed %+v, which is not terraform or tofu", p)
		}
		if p.PID == pids["terraform"] {
			found = &procs[i]
		}
	}
	if found == nil || found.Name != "terraform" || !sameDir(found.Dir, stack) {
		t.Errorf("terraform (pid %d) in %s: found %+v", pids["terraform"], stack, found)
	}
}
