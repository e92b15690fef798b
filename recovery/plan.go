package recovery

import (
	"fmt"
	"sort"

	"helm.sh/helm/v3/pkg/release"
)

// State is what Helm's record says of a release.
type State int

const (
	// NotInstalled: Helm has no record of the release.
	NotInstalled State = iota
	// Deployed: the latest revision is deployed.
	Deployed
	// Stuck: the latest revision is pending-install, pending-upgrade,
	// pending-rollback or failed, which blocks the next apply.
	Stuck
	// Unusual: any other latest status (uninstalling, uninstalled,
	// superseded, unknown); recovery leaves it to a person.
	Unusual
)

func (s State) String() string {
	switch s {
	case NotInstalled:
		return "not installed"
	case Deployed:
		return "deployed"
	case Stuck:
		return "stuck"
	}
	return "unusual"
}

// Remedy is what recovery does to a release.
type Remedy int

const (
	// Nothing: the release needs no remedy.
	Nothing Remedy = iota
	// Uninstall: the release was never deployed; uninstall it (keeping
	// its PersistentVolumeClaims) so that Terraform installs it again.
	Uninstall
	// Rollback: roll back to the last deployed revision (Decision.Target).
	Rollback
	// Manual: recovery does not touch a release in this state.
	Manual
	// Adopt: Helm has it deployed and the stack's state has no record of
	// it; import it into the state (Adopt, below).
	Adopt
)

func (r Remedy) String() string {
	switch r {
	case Nothing:
		return "nothing"
	case Uninstall:
		return "uninstall"
	case Rollback:
		return "rollback"
	case Adopt:
		return "adopt"
	}
	return "manual"
}

// Decision is the verdict on one release's history.
type Decision struct {
	State State
	// Status and Revision are the latest revision's; empty and 0 when the
	// release is not installed.
	Status   release.Status
	Revision int
	// Remedy is what to do; Target is the revision a Rollback goes back to.
	Remedy Remedy
	Target int
	// Happened says what the record shows happened, for people.
	Happened string
}

// Decide classifies a release from its history (any order, any length)
// and chooses the remedy. It is pure: it reads only the revisions' numbers,
// statuses and descriptions. A release with a deployed or superseded
// revision is never given Uninstall.
func Decide(history []*release.Release) Decision {
	revs := sortedRevisions(history)
	if len(revs) == 0 {
		return Decision{State: NotInstalled, Happened: "Helm has no record of it; Terraform installs it"}
	}
	latest := revs[len(revs)-1]
	d := Decision{Status: status(latest), Revision: latest.Version}
	switch d.Status {
	case release.StatusDeployed:
		d.State, d.Happened = Deployed, fmt.Sprintf("revision %d is deployed", d.Revision)
	case release.StatusPendingInstall, release.StatusPendingUpgrade, release.StatusPendingRollback, release.StatusFailed:
		d.State = Stuck
		decideStuck(&d, latest, revs[:len(revs)-1])
	default:
		d.State, d.Remedy = Unusual, Manual
		d.Happened = fmt.Sprintf("revision %d is %s%s", d.Revision, d.Status, description(latest))
	}
	if d.Remedy == Uninstall && everDeployed(revs) {
		// Unreachable by construction; kept so that no change above can
		// ever make a deployed release an uninstall.
		d.Remedy = Manual
	}
	return d
}

// decideStuck chooses between uninstalling a release that was never
// deployed and rolling back to the last revision that was.
func decideStuck(d *Decision, latest *release.Release, earlier []*release.Release) {
	target := lastDeployed(earlier)
	if target == nil && everDeployed(earlier) {
		// Deployed once, then uninstalled with its history kept: nothing
		// to roll back to, and it must not be uninstalled.
		d.Remedy = Manual
		d.Happened = fmt.Sprintf("%s; an earlier revision was deployed, then uninstalled", happened(latest))
		return
	}
	if target == nil {
		d.Remedy = Uninstall
		d.Happened = fmt.Sprintf("%s; it was never deployed", happened(latest))
		return
	}
	d.Remedy, d.Target = Rollback, target.Version
	d.Happened = fmt.Sprintf("%s; revision %d (%s) was the last deployed", happened(latest), target.Version, status(target))
}

func happened(r *release.Release) string {
	var what string
	switch status(r) {
	case release.StatusPendingInstall:
		what = "the install was interrupted"
	case release.StatusPendingUpgrade:
		what = "the upgrade was interrupted"
	case release.StatusPendingRollback:
		what = "the rollback was interrupted"
	default:
		what = "it failed"
	}
	return fmt.Sprintf("revision %d is %s: %s%s", r.Version, status(r), what, description(r))
}

func description(r *release.Release) string {
	if r.Info == nil || r.Info.Description == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", r.Info.Description)
}

// lastDeployed is the newest deployed revision, else the newest superseded
// one (deployed once, then replaced), else nil; revs is sorted.
func lastDeployed(revs []*release.Release) *release.Release {
	for _, want := range []release.Status{release.StatusDeployed, release.StatusSuperseded} {
		for i := len(revs) - 1; i >= 0; i-- {
			if status(revs[i]) == want {
				return revs[i]
			}
		}
	}
	return nil
}

// everDeployed reports whether any revision was ever deployed: it is
// deployed, superseded (deployed, then replaced) or uninstalled or being
// uninstalled (deployed, then removed with its history kept).
func everDeployed(revs []*release.Release) bool {
	for _, r := range revs {
		switch status(r) {
		case release.StatusDeployed, release.StatusSuperseded, release.StatusUninstalled, release.StatusUninstalling:
			return true
		}
	}
	return false
}

// sortedRevisions is a copy of history without nil entries, oldest first.
func sortedRevisions(history []*release.Release) []*release.Release {
	var revs []*release.Release
	for _, r := range history {
		if r != nil {
			revs = append(revs, r)
		}
	}
	sort.SliceStable(revs, func(i, j int) bool { return revs[i].Version < revs[j].Version })
	return revs
}

func status(r *release.Release) release.Status {
	if r.Info == nil {
		return release.StatusUnknown
	}
	return r.Info.Status
}

// Finding is a release of a stack with the decision on its record.
type Finding struct {
	Release Release
	Decision
}

// Advice says what the remedy does and why, for people.
func (f Finding) Advice() string {
	switch f.Remedy {
	case Uninstall:
		return "uninstall it (its release records and objects, keeping every PersistentVolumeClaim), so that Terraform, which has no record of it, installs it again"
	case Rollback:
		return fmt.Sprintf("roll back to revision %d, the last deployed, which Terraform's state describes; the next deploy upgrades it to the code", f.Target)
	case Adopt:
		return fmt.Sprintf("import it into the state as it is (terraform import %s %s): Terraform reads the release, installs nothing and runs no hook; the next deploy upgrades it in place to the code", f.Release.Address, f.Release.ImportID())
	case Manual:
		return fmt.Sprintf("recover does not touch a release that is %s; look at `helm history %s --namespace %s`", f.Status, f.Release.Name, f.Release.Namespace)
	}
	return "nothing to do"
}

// Adoptable marks for adoption each release that Helm has as deployed and
// whose address the stack's state lacks (inState): a runner killed between
// Helm's deployed record and Terraform's state write leaves one, and the
// next apply fails on it with "cannot re-use a name that is still in use".
// Other findings are returned as they are.
func Adoptable(fs []Finding, inState func(address string) bool) []Finding {
	out := make([]Finding, len(fs))
	for i, f := range fs {
		if f.State == Deployed && f.Remedy == Nothing && !inState(f.Release.Address) {
			f.Remedy = Adopt
			f.Happened += "; Terraform's state has no record of it (an apply was cut short after Helm's record, before Terraform's)"
		}
		out[i] = f
	}
	return out
}
