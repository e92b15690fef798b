package recovery

import (
	"fmt"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/release"
)

// revs builds a history from "version:status" pairs, e.g. "1:deployed".
func revs(t *testing.T, specs ...string) []*release.Release {
	t.Helper()
	var out []*release.Release
	for _, s := range specs {
		var v int
		var st string
		if _, err := fmt.Sscanf(strings.Replace(s, ":", " ", 1), "%d %s", &v, &st); err != nil {
			t.Fatalf("bad revision spec %q: %v", s, err)
		}
		out = append(out, &release.Release{Name: "r", Namespace: "ns", Version: v, Info: &release.Info{Status: release.Status(st)}})
	}
	return out
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name     string
		history  []string
		state    State
		remedy   Remedy
		target   int
		revision int
		happened string
	}{
		{name: "not found", state: NotInstalled, remedy: Nothing, happened: "no record"},
		{name: "deployed only", history: []string{"1:deployed"}, state: Deployed, remedy: Nothing, revision: 1},
		{name: "atomic upgrade rolled back (quota)", history: []string{"1:superseded", "2:failed", "3:deployed"}, state: Deployed, remedy: Nothing, revision: 3},
		{name: "only pending-install", history: []string{"1:pending-install"}, state: Stuck, remedy: Uninstall, revision: 1, happened: "install was interrupted; it was never deployed"},
		{name: "failed first install", history: []string{"1:failed"}, state: Stuck, remedy: Uninstall, revision: 1, happened: "never deployed"},
		{name: "failed install, failed retry", history: []string{"1:failed", "2:failed"}, state: Stuck, remedy: Uninstall, revision: 2},
		{name: "failed install, interrupted upgrade", history: []string{"1:failed", "2:pending-upgrade"}, state: Stuck, remedy: Uninstall, revision: 2},
		{name: "deployed then pending-upgrade", history: []string{"1:deployed", "2:pending-upgrade"}, state: Stuck, remedy: Rollback, target: 1, revision: 2, happened: "upgrade was interrupted"},
		{name: "deployed, superseded, failed upgrade", history: []string{"1:superseded", "2:deployed", "3:failed"}, state: Stuck, remedy: Rollback, target: 2, revision: 3},
		{name: "pending-rollback after superseded", history: []string{"1:superseded", "2:pending-rollback"}, state: Stuck, remedy: Rollback, target: 1, revision: 2, happened: "rollback was interrupted"},
		{name: "several revisions, deployed wins over newer superseded", history: []string{"1:superseded", "2:superseded", "3:deployed", "4:failed", "5:superseded", "6:pending-upgrade"}, state: Stuck, remedy: Rollback, target: 3, revision: 6},
		{name: "several revisions, only superseded", history: []string{"1:superseded", "2:superseded", "3:failed", "4:pending-rollback"}, state: Stuck, remedy: Rollback, target: 2, revision: 4},
		{name: "history out of order", history: []string{"3:pending-upgrade", "1:superseded", "2:deployed"}, state: Stuck, remedy: Rollback, target: 2, revision: 3},
		{name: "deployed, then pending-install (replace)", history: []string{"1:deployed", "2:pending-install"}, state: Stuck, remedy: Rollback, target: 1, revision: 2},
		{name: "uninstalled with history, then pending-install", history: []string{"1:uninstalled", "2:pending-install"}, state: Stuck, remedy: Manual, revision: 2, happened: "then uninstalled"},
		{name: "uninstalling", history: []string{"1:deployed", "2:uninstalling"}, state: Unusual, remedy: Manual, revision: 2},
		{name: "unknown", history: []string{"1:unknown"}, state: Unusual, remedy: Manual, revision: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(revs(t, tc.history...))
			if d.State != tc.state || d.Remedy != tc.remedy || d.Target != tc.target || d.Revision != tc.revision {
				t.Errorf("Decide(%v) = %s, %s, target %d, revision %d; want %s, %s, target %d, revision %d",
					tc.history, d.State, d.Remedy, d.Target, d.Revision, tc.state, tc.remedy, tc.target, tc.revision)
			}
			if !strings.Contains(d.Happened, tc.happened) {
				t.Errorf("Happened = %q; want it to contain %q", d.Happened, tc.happened)
			}
		})
	}
}

func TestDecideReadsDescription(t *testing.T) {
	h := revs(t, "1:deployed", "2:failed")
	h[1].Info.Description = `Upgrade "ollama" failed: exceeded quota`
	if d := Decide(h); !strings.Contains(d.Happened, "exceeded quota") {
		t.Errorf("Happened = %q; want Helm's description in it", d.Happened)
	}
}

func TestDecideWithoutInfo(t *testing.T) {
	d := Decide([]*release.Release{{Name: "r", Version: 1}, nil})
	if d.State != Unusual || d.Remedy != Manual {
		t.Errorf("a revision without info: %s, %s; want unusual, manual", d.State, d.Remedy)
	}
}

var allStatuses = []release.Status{
	release.StatusUnknown, release.StatusDeployed, release.StatusUninstalled, release.StatusSuperseded,
	release.StatusFailed, release.StatusUninstalling, release.StatusPendingInstall,
	release.StatusPendingUpgrade, release.StatusPendingRollback,
}

// histories lists every history of up to n revisions over all statuses.
func histories(n int) [][]release.Status {
	out := [][]release.Status{nil}
	prev := [][]release.Status{nil}
	for i := 0; i < n; i++ {
		var next [][]release.Status
		for _, h := range prev {
			for _, s := range allStatuses {
				next = append(next, append(append([]release.Status(nil), h...), s))
			}
		}
		out, prev = append(out, next...), next
	}
	return out
}

// TestDecideNeverUninstallsDeployed: over every history of up to four
// revisions, a release with a deployed, superseded or uninstalled revision
// is never uninstalled, stuck is exactly the four statuses, and a rollback
// always targets an earlier deployed or superseded revision.
func TestDecideNeverUninstallsDeployed(t *testing.T) {
	all := histories(4)
	if len(all) != 1+9+81+729+6561 {
		t.Fatalf("%d histories", len(all))
	}
	stuck := map[release.Status]bool{release.StatusPendingInstall: true, release.StatusPendingUpgrade: true, release.StatusPendingRollback: true, release.StatusFailed: true}
	for _, statuses := range all {
		var h []*release.Release
		deployed := false
		for i, s := range statuses {
			h = append(h, &release.Release{Name: "r", Version: i + 1, Info: &release.Info{Status: s}})
			deployed = deployed || s == release.StatusDeployed || s == release.StatusSuperseded || s == release.StatusUninstalled || s == release.StatusUninstalling
		}
		d := Decide(h)
		if deployed && d.Remedy == Uninstall {
			t.Errorf("%v: uninstall of a release that was deployed", statuses)
		}
		if len(statuses) > 0 && (d.State == Stuck) != stuck[statuses[len(statuses)-1]] {
			t.Errorf("%v: state %s", statuses, d.State)
		}
		if d.Remedy == Rollback {
			if d.Target < 1 || d.Target >= len(statuses) {
				t.Errorf("%v: rollback to revision %d", statuses, d.Target)
			} else if target := statuses[d.Target-1]; target != release.StatusDeployed && target != release.StatusSuperseded {
				t.Errorf("%v: rollback to revision %d (%s)", statuses, d.Target, target)
			}
		}
		if (d.Remedy == Nothing) != (d.State == Deployed || d.State == NotInstalled) {
			t.Errorf("%v: %s with remedy %s", statuses, d.State, d.Remedy)
		}
	}
}

func TestAdvice(t *testing.T) {
	r := Release{Name: "ollama", Namespace: "ollama"}
	for remedy, want := range map[Remedy]string{
		Uninstall: "keeping every PersistentVolumeClaim",
		Rollback:  "roll back to revision 4",
		Manual:    "helm history ollama --namespace ollama",
		Nothing:   "nothing to do",
	} {
		f := Finding{Release: r, Decision: Decision{Remedy: remedy, Target: 4, Status: release.StatusUninstalling}}
		if got := f.Advice(); !strings.Contains(got, want) {
			t.Errorf("%s: Advice() = %q; want %q in it", remedy, got, want)
		}
	}
}

func TestAdoptable(t *testing.T) {
	finding := func(id string, history ...string) Finding {
		return Finding{Release: Release{Address: "helm_release." + id, Name: id, Namespace: "ns"}, Decision: Decide(revs(t, history...))}
	}
	fs := []Finding{
		finding("tracked", "1:deployed"),
		finding("orphan", "1:deployed"),
		finding("orphan_upgraded", "1:superseded", "2:deployed"),
		finding("absent"),
		finding("stuck", "1:pending-install"),
	}
	inState := map[string]bool{"helm_release.tracked": true}
	got := Adoptable(fs, func(a string) bool { return inState[a] })
	want := map[string]Remedy{"tracked": Nothing, "orphan": Adopt, "orphan_upgraded": Adopt, "absent": Nothing, "stuck": Uninstall}
	for _, f := range got {
		if f.Remedy != want[f.Release.Name] {
			t.Errorf("%s: %s; want %s", f.Release.Name, f.Remedy, want[f.Release.Name])
		}
		if f.Remedy == Adopt && (!strings.Contains(f.Happened, "no record") || !strings.Contains(f.Advice(), "terraform import helm_release."+f.Release.Name+" ns/"+f.Release.Name)) {
			t.Errorf("%s: %q / %q lack what happened and the import", f.Release.Name, f.Happened, f.Advice())
		}
	}
	if fs[1].Remedy != Nothing {
		t.Error("Adoptable changed its input")
	}
}
