// Package change compares what an environment's apps stack has deployed
// with what its next deploy will make, object by object, and predicts what
// the Kubernetes API server will refuse, what loses data and what cannot be
// undone. It is pure: the caller brings the deployed and the next objects
// (Helm's records, the render of the stack), the StorageClasses it knows and
// the namespaces the base stack's plan deletes; nothing here reaches a
// cluster.
package change

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/llm-platform/cdktf-llm/render"
)

// The rules, as findings name them.
const (
	// RuleRefused: the API server rejects the upgrade.
	RuleRefused = "refused"
	// RuleDataLoss: the deploy deletes a claim, and its volume with it.
	RuleDataLoss = "data-loss"
	// RuleIrreversible: the deploy works, but reverting it will not (a warning).
	RuleIrreversible = "irreversible"
	// RuleLeftBehind: something outlives what it needs, or is left with no
	// owner (a warning).
	RuleLeftBehind = "left-behind"
)

// Release is one Helm release, as deployed or as the next deploy will make it.
type Release struct {
	// Address is the helm_release resource's, e.g. helm_release.ollama.
	Address string
	// Name and Namespace are the release's.
	Name, Namespace string
	// Objects are its objects, hooks included.
	Objects []render.Object
}

// StorageClass is what is known of a class; AllowVolumeExpansion nil = unknown.
type StorageClass struct {
	Name                 string
	Default              bool
	AllowVolumeExpansion *bool
}

// Accepted is a change the config accepts knowingly: Object as findings name
// it (e.g. "PersistentVolumeClaim ollama/ollama"), Rule (e.g. "data-loss"),
// and the Reason, printed with it.
type Accepted struct{ Object, Rule, Reason string }

// Input is one environment's apps stack, deployed and next.
type Input struct {
	// Stack is the apps stack's name, e.g. apps-dev.
	Stack string
	// Deployed is what runs now; empty when nothing is deployed yet, and
	// then there is nothing to find.
	Deployed []Release
	// DeployedFrom says where Deployed came from, for the report, e.g.
	// "Helm's records".
	DeployedFrom string
	// Next is what the next deploy makes.
	Next []Release
	// StorageClasses are the classes known; StorageClassesFrom says from
	// where ("the cluster", "cluster.storageClasses in envs/dev.yaml"),
	// empty when nothing is known.
	StorageClasses     []StorageClass
	StorageClassesFrom string
	// RemovedNamespaces are the namespaces the base stack's plan deletes or
	// replaces.
	RemovedNamespaces []string
	// Accept lists the findings the config accepts knowingly.
	Accept []Accepted
}

// FieldChange is one changed field of an object: its path (e.g.
// spec.resources.requests.storage) and its values, short; an empty value is
// an absent field.
type FieldChange struct{ Path, Old, New string }

// The changes an ObjectDiff names.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// ObjectDiff is one object the deploy adds, removes or changes: Object as
// findings name it, Change one of Added, Removed, Changed, and for a changed
// object its changed fields.
type ObjectDiff struct {
	Object string
	Change string
	Fields []FieldChange
}

// ReleaseDiff is what the deploy changes in one release, by its address.
type ReleaseDiff struct {
	Address string
	Objects []ObjectDiff
}

// Finding is one predicted problem: where (Stack, the release's Address, the
// Object as "Kind namespace/name" or "Kind name" for a cluster-scoped one),
// the field and its old and new values, the rule, what happens, and the safe
// way through.
type Finding struct {
	Stack, Address          string
	Object, Field, Old, New string
	Rule                    string
	Message, Fix            string
	// Reason is the config's, for an accepted finding.
	Reason string
}

// String is the finding on one line: where, the rule, the field's old and
// new values, what happens, the fix, and the config's reason if accepted.
func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s: %s: %s: %s %s -> %s: %s; fix: %s", f.Stack, f.Address, f.Object, f.Rule, f.Field, orNone(f.Old), orNone(f.New), f.Message, f.Fix)
	if f.Reason != "" {
		s += "; accepted: " + f.Reason
	}
	return s
}

// Report is the outcome of Check.
type Report struct {
	// Stack, DeployedFrom and StorageClassesFrom are the input's, for Write.
	Stack, DeployedFrom, StorageClassesFrom string
	// NothingDeployed is true when there was nothing to compare with.
	NothingDeployed bool
	// Diffs are the releases the deploy changes, by address.
	Diffs []ReleaseDiff
	// Findings fail the deploy: refused and data-loss, not accepted.
	Findings []Finding
	// Warnings never fail: irreversible and left-behind.
	Warnings []Finding
	// Accepted are findings the config accepts, with its reason.
	Accepted []Finding
	// Unused are the config's accepted changes that match no finding: an
	// entry left after its change was deployed would accept a later one.
	Unused []Accepted
}

// Check compares in.Deployed with in.Next and runs every rule.
func Check(in Input) Report {
	rep := Report{Stack: in.Stack, DeployedFrom: in.DeployedFrom, StorageClassesFrom: in.StorageClassesFrom}
	if len(in.Deployed) == 0 {
		rep.NothingDeployed = true
		return rep
	}
	c := newChecker(in)
	rep.Diffs = c.diffs()
	var found []Finding
	add := func(f Finding) {
		f.Stack = in.Stack
		found = append(found, f)
	}
	c.checkPatches(add)
	c.checkClaimsGone(add)
	c.checkTemplateClaims(add)
	c.checkLeftBehind(add)
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Address != found[j].Address {
			return found[i].Address < found[j].Address
		}
		return found[i].Object < found[j].Object
	})
	used := make([]bool, len(in.Accept))
	for _, f := range found {
		if f.Rule != RuleRefused && f.Rule != RuleDataLoss {
			rep.Warnings = append(rep.Warnings, f)
			continue
		}
		if i := accepted(in.Accept, f); i >= 0 {
			used[i] = true
			f.Reason = in.Accept[i].Reason
			rep.Accepted = append(rep.Accepted, f)
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	for i, a := range in.Accept {
		if !used[i] {
			rep.Unused = append(rep.Unused, a)
		}
	}
	return rep
}

// checker is one Check's indexes.
type checker struct {
	in                Input
	deployed, next    index
	removedNamespaces map[string]bool
	classes           map[string]StorageClass
	defaultClass      *StorageClass
}

func newChecker(in Input) *checker {
	c := &checker{in: in, deployed: newIndex(in.Deployed), next: newIndex(in.Next), removedNamespaces: map[string]bool{}, classes: map[string]StorageClass{}}
	for _, ns := range in.RemovedNamespaces {
		c.removedNamespaces[ns] = true
	}
	for i, sc := range in.StorageClasses {
		c.classes[sc.Name] = sc
		if sc.Default && c.defaultClass == nil {
			c.defaultClass = &in.StorageClasses[i]
		}
	}
	return c
}

// accepted is the index of the entry of list that accepts f, or -1.
func accepted(list []Accepted, f Finding) int {
	return slices.IndexFunc(list, func(a Accepted) bool { return a.Object == f.Object && a.Rule == f.Rule })
}

// Err is nil when nothing would be refused or lose data (accepted findings
// aside), else one error listing every finding.
func (r Report) Err() error {
	if len(r.Findings) == 0 {
		return nil
	}
	lines := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		lines[i] = "  " + f.String()
	}
	return fmt.Errorf("change check of %s: %d finding(s):\n%s", r.Stack, len(r.Findings), strings.Join(lines, "\n"))
}

// Write prints the report for people: a header, the diff (a line an object,
// a line a changed field under it), the findings, warnings and accepted
// findings (a line each), and a summary line.
func (r Report) Write(w io.Writer) {
	from := r.DeployedFrom
	if from == "" {
		from = "what is deployed"
	}
	classes := r.StorageClassesFrom
	if classes == "" {
		classes = "unknown"
	}
	if r.NothingDeployed {
		fmt.Fprintf(w, "%s: nothing deployed yet (by %s): every object is new, nothing to check\n", r.Stack, from)
		return
	}
	fmt.Fprintf(w, "%s: the next deploy against %s (StorageClasses: %s)\n", r.Stack, from, classes)
	objects := 0
	for _, d := range r.Diffs {
		for _, o := range d.Objects {
			objects++
			fmt.Fprintf(w, "  %s: %s %s\n", d.Address, o.Change, o.Object)
			for _, f := range o.Fields {
				fmt.Fprintf(w, "      %s: %s -> %s\n", f.Path, orNone(f.Old), orNone(f.New))
			}
		}
	}
	for _, f := range r.Findings {
		fmt.Fprintln(w, "  finding: "+f.String())
	}
	for _, f := range r.Warnings {
		fmt.Fprintln(w, "  warning: "+f.String())
	}
	for _, f := range r.Accepted {
		fmt.Fprintln(w, "  accepted: "+f.String())
	}
	for _, a := range r.Unused {
		fmt.Fprintf(w, "  unused: changes.accept entry {object: %s, rule: %s} accepts nothing in this change; remove it once its change is deployed, so that it cannot accept a later change unseen\n", a.Object, a.Rule)
	}
	fmt.Fprintf(w, "%s: %d object(s) change in %d release(s); %d finding(s), %d warning(s), %d accepted\n", r.Stack, objects, len(r.Diffs), len(r.Findings), len(r.Warnings), len(r.Accepted))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
