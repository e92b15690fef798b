package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/recovery/recoverytest"
	"github.com/llm-platform/cdktf-llm/statelock"
	"github.com/llm-platform/cdktf-llm/statelock/statelocktest"
)

const (
	testHost = "runner-7"
	lockID   = "5c1c3b4e-9d0f-4a3e-8b1a-1f2e3d4c5b6a"
)

var testNow = time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)

// lease is the kubernetes backend's Lease of a stack, held by lockID
// since age ago, taken by who; who "" is a free Lease.
func lease(stack, who string, age time.Duration) *coordv1.Lease {
	l := &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "lock-tfstate-default-" + stack, Namespace: "terraform-state",
		Labels: map[string]string{"tfstate": "true", "app.kubernetes.io/managed-by": "terraform"}}}
	if who == "" {
		return l
	}
	id := lockID
	l.Spec.HolderIdentity = &id
	info := fmt.Sprintf(`{"ID":%q,"Operation":"OperationTypeApply","Info":"","Who":%q,"Version":"1.14.0","Created":%q,"Path":""}`,
		lockID, who, testNow.Add(-age).Format(time.RFC3339Nano))
	l.Annotations = map[string]string{statelock.LockInfoAnnotation: info}
	return l
}

// lockedProject is the shipped stacks with the stand-in terraform, Helm's
// records in memory (records, as for newCluster), the state locks of the
// kubernetes backend (prod) in a fake client, and this machine as host
// (its processes: procs). force-unlock through the stand-in frees the
// fake Lease as Terraform's does: holder and lock info cleared, ID checked.
type lockedProject struct {
	root   string
	calls  func() []call
	leases *fake.Clientset
	helm   *recoverytest.Helm
	procs  func() []statelock.Process
}

func newLockedProject(t *testing.T, leases []*coordv1.Lease, records ...string) *lockedProject {
	t.Helper()
	p := &lockedProject{calls: standIn(t), root: project(t), procs: func() []statelock.Process { return nil }}
	objs := make([]runtime.Object, 0, len(leases))
	for _, l := range leases {
		objs = append(objs, l)
	}
	p.leases = fake.NewClientset(objs...)
	h, err := recoverytest.NewHelm(recoverytest.NewKube(t), revisions(records)...)
	if err != nil {
		t.Fatal(err)
	}
	p.helm = h
	return p
}

func (p *lockedProject) ops(t *testing.T, out, errOut *bytes.Buffer) ops {
	return ops{
		root: p.root, out: out, errOut: errOut,
		run: func(c command) (int, error) {
			code, err := execRun(c)
			if code == exitOK && err == nil && len(c.args) == 3 && c.args[0] == "force-unlock" {
				p.unlock(t, filepath.Base(c.dir), c.args[2])
			}
			return code, err
		},
		helm:   func(recovery.Cluster) helmRecords { return &recovery.Client{Config: p.helm.Config} },
		ping:   func(recovery.Cluster) (string, error) { return "v1.31.0", nil },
		leases: func(statelock.Backend) (coordinationv1.LeasesGetter, error) { return p.leases.CoordinationV1(), nil },
		host: func() (statelock.Host, error) {
			return statelock.Host{Name: testHost, Now: testNow, Processes: p.procs()}, nil
		},
		lookupEnv: func(string) (string, bool) { return "", false },
	}
}

// unlock does what Terraform's kubernetes backend does on force-unlock.
func (p *lockedProject) unlock(t *testing.T, stack, id string) {
	leases := p.leases.CoordinationV1().Leases("terraform-state")
	l, err := leases.Get(context.Background(), "lock-tfstate-default-"+stack, metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != id {
		t.Errorf("force-unlock %s of %s: no such lock (%v)", id, stack, err)
		return
	}
	l.Spec.HolderIdentity = nil
	delete(l.Annotations, statelock.LockInfoAnnotation)
	if _, err := leases.Update(context.Background(), l, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// holder is the Lease's holder, "" when free.
func (p *lockedProject) holder(t *testing.T, stack string) string {
	l, err := p.leases.CoordinationV1().Leases("terraform-state").Get(context.Background(), "lock-tfstate-default-"+stack, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

func (p *lockedProject) stackDir(stack string) string {
	return filepath.Join(p.root, "cdktf.out", "stacks", stack)
}

func TestRecoverLocks(t *testing.T) {
	apps := "apps-prod"
	tests := []struct {
		name      string
		lease     *coordv1.Lease
		live      bool     // terraform runs in the stack's folder here
		liveLater bool     // … from the second look on (after the plan was made)
		auto      bool     // AUTO_APPROVE=1
		want      int      // exit code
		wantOut   []string // in stdout
		wantErr   []string // in stderr
		unlocked  bool     // force-unlock ran and the Lease is free
	}{
		{name: "no Lease", want: exitOK, wantOut: []string{"nothing is stuck"}},
		{name: "a free Lease", lease: lease(apps, "", 0), want: exitOK, wantOut: []string{"nothing is stuck"}},
		{name: "dead holder here: released with AUTO_APPROVE", lease: lease(apps, "root@"+testHost, 5*time.Minute), auto: true, want: exitOK, unlocked: true,
			wantOut: []string{"apps-prod: state locked (Lease terraform-state/lock-tfstate-default-apps-prod): stale",
				"lock " + lockID + ": OperationTypeApply by root@runner-7 since 2026-12-01T20:55:00Z (Terraform 1.14.0)",
				"no terraform or tofu process runs in", "remedy: release it: terraform -chdir=cdktf.out/stacks/apps-prod force-unlock -force " + lockID,
				"apps-prod: lock " + lockID + " released"}},
		{name: "dead holder here, no terminal: plan only, exit 2", lease: lease(apps, "root@"+testHost, 5*time.Minute), want: exitDrift,
			wantOut: []string{"stale", "nothing changed: stdin is not a terminal"}},
		{name: "live holder here: never touched", lease: lease(apps, "root@"+testHost, 5*time.Minute), live: true, auto: true, want: exitDrift,
			wantOut: []string{"apps-prod: state locked", ": held", "terraform (pid 4242) runs in", "not touched: wait for it to finish",
				"terraform -chdir=cdktf.out/stacks/apps-prod force-unlock -force " + lockID, "nothing recover can fix"}},
		{name: "another machine, recent: never touched", lease: lease(apps, "root@ci-3", 20*time.Minute), auto: true, want: exitDrift,
			wantOut: []string{"held, holder unknown", "on ci-3, whose processes this machine cannot see", "not touched"}},
		{name: "another machine, longer ago than an apply can take: released", lease: lease(apps, "root@ci-3", 3*time.Hour), auto: true, want: exitOK, unlocked: true,
			wantOut: []string{"taken 3h0m ago, longer than an apply of this stack can hold it (1h30m)", "released"}},
		{name: "its holder is back before the release: refused", lease: lease(apps, "root@"+testHost, 5*time.Minute), liveLater: true, auto: true, want: exitError,
			wantErr: []string{"apps-prod: releasing lock " + lockID + " failed", "the lock changed since it was read, or its holder is back"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var leases []*coordv1.Lease
			if tc.lease != nil {
				leases = append(leases, tc.lease)
			}
			p := newLockedProject(t, leases)
			looks := 0
			p.procs = func() []statelock.Process {
				looks++
				if tc.live || (tc.liveLater && looks > 1) {
					return []statelock.Process{{PID: 4242, Name: "terraform", Dir: p.stackDir(apps)}}
				}
				return nil
			}
			var out, errOut bytes.Buffer
			o := p.ops(t, &out, &errOut)
			o.autoApprove, o.in = tc.auto, noPrompt{t}
			code, err := o.dispatch("recover", "prod")
			if code != tc.want || (err != nil) != (tc.want == exitError) {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			wantIn(t, "message", errOut.String(), tc.wantErr)
			unlocks := ran(p.calls(), apps, "force-unlock")
			if tc.unlocked {
				if len(unlocks) != 1 || strings.Join(unlocks[0].Args, " ") != "force-unlock -force "+lockID || unlocks[0].Dir != p.stackDir(apps) {
					t.Errorf("force-unlock calls %v; want one `terraform force-unlock -force %s` in %s", unlocks, lockID, p.stackDir(apps))
				}
				if h := p.holder(t, apps); h != "" {
					t.Errorf("the Lease is still held by %s", h)
				}
			} else {
				if len(unlocks) > 0 {
					t.Errorf("force-unlock ran: %v", unlocks)
				}
				if tc.lease != nil && tc.lease.Spec.HolderIdentity != nil && p.holder(t, apps) != lockID {
					t.Errorf("the Lease's holder changed to %q", p.holder(t, apps))
				}
			}
			if len(ran(p.calls(), "base-prod", "force-unlock")) > 0 {
				t.Error("base-prod, which holds no lock, was force-unlocked")
			}
			inputOff(t, p.calls())
		})
	}
}

// TestRecoverLocalLockInfo: a local state's lock info left by a killed run
// is deleted (force-unlock cannot unlock local state); none is not made up.
func TestRecoverLocalLockInfo(t *testing.T) {
	p := newLockedProject(t, nil)
	info := filepath.Join(p.root, ".terraform-state", ".apps-dev.tfstate.lock.info")
	if err := os.MkdirAll(filepath.Dir(info), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(info, []byte(`{"ID":"`+lockID+`","Operation":"OperationTypeApply","Who":"root@`+testHost+`","Version":"1.14.0","Created":"2026-12-01T20:55:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	o := p.ops(t, &out, &errOut)
	o.autoApprove = true
	code, err := o.dispatch("recover", "dev")
	if code != exitOK || err != nil {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out.String(), errOut.String())
	}
	wantIn(t, "output", out.String(), []string{"apps-dev: state lock info left behind (" + info + "): stale", "blocks nothing", "remedy: delete " + info, "apps-dev: lock " + lockID + " released"})
	if _, err := os.Stat(info); !os.IsNotExist(err) {
		t.Errorf("the lock info is still there (%v)", err)
	}
	if c := ran(p.calls(), "apps-dev", "force-unlock"); len(c) > 0 {
		t.Errorf("force-unlock ran on local state: %v", c)
	}
	if strings.Contains(out.String(), "base-dev: state") {
		t.Errorf("base-dev, which has no lock info, was reported:\n%s", out.String())
	}
}

// TestReportLocks: status and drift report a lock that blocks, and deploy
// refuses before Terraform would wait on it, each with the fix.
func TestReportLocks(t *testing.T) {
	noSecrets(t)
	t.Setenv("STANDIN_OUTPUT", `{"ollama":{"namespace":"ollama","chart":"ollama","version":"1.77.0","revision":1}}`)
	tests := []struct {
		verb    string
		live    bool
		want    int
		wantOut []string
		wantErr []string
	}{
		{verb: "status", want: exitOK, wantOut: []string{"apps-prod: state locked (Lease terraform-state/lock-tfstate-default-apps-prod): stale", "fix: make recover ENV=prod", "prod (terraform outputs)"}},
		{verb: "drift", want: exitDrift, wantOut: []string{"apps-prod: state locked", "apps-prod: not planned: its state is locked", "base-prod: in sync", "locked state found (apps-prod): `make recover ENV=prod`"}},
		{verb: "preflight", want: exitDrift, wantOut: []string{"fix: make recover ENV=prod"}, wantErr: []string{"not deploying: the state of apps-prod is locked"}},
		{verb: "preflight", live: true, want: exitDrift, wantOut: []string{"not touched: wait for it to finish", "force-unlock -force " + lockID}, wantErr: []string{"not deploying"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s, live %v", tc.verb, tc.live), func(t *testing.T) {
			p := newLockedProject(t, []*coordv1.Lease{lease("apps-prod", "root@"+testHost, 5*time.Minute), lease("base-prod", "", 0)})
			if tc.live {
				p.procs = func() []statelock.Process {
					return []statelock.Process{{PID: 4242, Name: "terraform", Dir: p.stackDir("apps-prod")}}
				}
			}
			tf, err := exec.LookPath("terraform")
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", filepath.Dir(tf)) // the stand-in, and no helm: helm list is not what this tests
			var out, errOut bytes.Buffer
			o := p.ops(t, &out, &errOut)
			code, err := o.dispatch(tc.verb, "prod")
			if code != tc.want || err != nil {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			wantIn(t, "message", errOut.String(), tc.wantErr)
			all := p.calls()
			if plans := ran(all, "apps-prod", "plan"); len(plans) > 0 {
				t.Errorf("planned the locked stack: %v", plans)
			}
			if c := ran(all, "apps-prod", "force-unlock"); len(c) > 0 || p.holder(t, "apps-prod") != lockID {
				t.Errorf("%s released the lock: %v", tc.verb, c)
			}
			inputOff(t, all)
		})
	}
}

// TestRecoverAdopts: a release Helm has deployed and the apps state lacks
// is imported, with Terraform's own import in the stack's folder, without
// input and with every variable the stack needs; Helm's records are not
// touched (nothing installed, no new revision). Without a terminal nothing
// is imported.
func TestRecoverAdopts(t *testing.T) {
	records := []string{"ollama=1:deployed", "librechat=1:superseded,2:deployed"}
	tests := []struct {
		name       string
		auto       bool
		importExit string
		locked     bool // apps-dev's state is locked by a live process
		want       int
		wantOut    []string
		wantImport bool
	}{
		{name: "AUTO_APPROVE imports", auto: true, want: exitOK, wantImport: true,
			wantOut: []string{"ollama/ollama: deployed: revision 1 is deployed; Terraform's state has no record of it",
				"remedy: import it into the state as it is (terraform import helm_release.ollama ollama/ollama)",
				"apps-dev: ollama/ollama: imported into the state as helm_release.ollama (revision 1, as Helm has it)", "next: make deploy ENV=dev"}},
		{name: "no terminal: plan only", want: exitDrift, wantOut: []string{"remedy: import it", "nothing changed: stdin is not a terminal"}},
		{name: "a failed import is an error", auto: true, importExit: "1", want: exitError, wantImport: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newLockedProject(t, nil, records...)
			t.Setenv("STANDIN_STATE", "helm_release.ingress_nginx,helm_release.librechat")
			if tc.importExit != "" {
				t.Setenv("STANDIN_IMPORT_EXIT", tc.importExit)
			}
			var out, errOut bytes.Buffer
			o := p.ops(t, &out, &errOut)
			o.autoApprove, o.in = tc.auto, noPrompt{t}
			before := p.histories()
			code, err := o.dispatch("recover", "dev")
			if code != tc.want || (err != nil) != (tc.want == exitError) {
				t.Errorf("exit %d, %v; want %d\n%s%s", code, err, tc.want, out.String(), errOut.String())
			}
			wantIn(t, "output", out.String(), tc.wantOut)
			if strings.Contains(out.String(), "librechat/librechat: deployed: revision 2 is deployed;") {
				t.Errorf("librechat, which the state has, is to be adopted:\n%s", out.String())
			}
			imports := ran(p.calls(), "apps-dev", "import")
			if tc.wantImport {
				if len(imports) != 1 || strings.Join(imports[0].Args, " ") != "import -input=false -no-color helm_release.ollama ollama/ollama" || imports[0].Dir != p.stackDir("apps-dev") {
					t.Errorf("imports %v; want one `terraform import -input=false -no-color helm_release.ollama ollama/ollama` in %s", imports, p.stackDir("apps-dev"))
				}
			} else if len(imports) > 0 {
				t.Errorf("imported: %v", imports)
			}
			if after := p.histories(); !reflect.DeepEqual(after, before) {
				t.Errorf("Helm's records changed from %v to %v", before, after)
			}
			inputOff(t, p.calls())
		})
	}
}

// TestRecoverAdoptsNothingWhileLocked: with apps-dev's state held by a
// live process, nothing is imported, and recover says why.
func TestRecoverAdoptsNothingWhileLocked(t *testing.T) {
	p := newLockedProject(t, nil, "ollama=1:deployed")
	t.Setenv("STANDIN_STATE", "")
	state := filepath.Join(p.root, ".terraform-state", "apps-dev.tfstate")
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		t.Fatal(err)
	}
	pid := statelocktest.Hold(t, state)
	var out, errOut bytes.Buffer
	o := p.ops(t, &out, &errOut)
	o.autoApprove = true
	code, err := o.dispatch("recover", "dev")
	if code != exitDrift || err != nil {
		t.Errorf("exit %d, %v; want 2\n%s%s", code, err, out.String(), errOut.String())
	}
	wantIn(t, "output", out.String(), []string{fmt.Sprintf("process %d holds the lock on %s", pid, state), fmt.Sprintf("kill %d", pid), "apps-dev: nothing adopted: its state is locked"})
	if imports := ran(p.calls(), "apps-dev", "import"); len(imports) > 0 {
		t.Errorf("imported into a locked state: %v", imports)
	}
}

func (p *lockedProject) histories() map[string][]string {
	out := map[string][]string{}
	for _, n := range []string{"ingress-nginx", "librechat", "ollama"} {
		if h := p.helm.History(n, n); h != nil {
			out[n] = h
		}
	}
	return out
}
