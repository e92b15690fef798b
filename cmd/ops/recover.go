package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/statelock"
)

// helmRecords reads and repairs Helm's records of a stack's releases;
// *recovery.Client in production, one on in-memory storage in tests.
type helmRecords interface {
	Inspect(releases []recovery.Release) ([]recovery.Finding, error)
	Apply(f recovery.Finding) (recovery.Outcome, error)
	Deployed(r recovery.Release) (string, error)
}

// pingTimeout bounds the one API call that checks the cluster answers.
const pingTimeout = 5 * time.Second

func (o ops) helmFor(c recovery.Cluster) helmRecords {
	if o.helm != nil {
		return o.helm(c)
	}
	return recovery.New(c)
}

func (o ops) pingCluster(c recovery.Cluster) (string, error) {
	if o.ping != nil {
		return o.ping(c)
	}
	return recovery.Ping(c, pingTimeout)
}

// appsStack reads the releases and cluster of env's synthesized apps stack.
func (o ops) appsStack(env string) (recovery.Stack, error) {
	lookup := o.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	st, err := recovery.LoadStack(o.stackDir("apps-"+env), lookup)
	if err != nil {
		return recovery.Stack{}, fmt.Errorf("apps-%s: %w", env, err)
	}
	return st, nil
}

// unreachableError is a cluster that did not answer the bounded check.
type unreachableError struct {
	stack   string
	cluster recovery.Cluster
	err     error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("%s: the cluster does not answer (%s): %v", e.stack, e.cluster, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// advice says what to check, for people.
func (e *unreachableError) advice() string {
	context := e.cluster.Context
	if context == "" {
		context = "(the kubeconfig's current context)"
	}
	return fmt.Sprintf(`%s: the cluster does not answer.
  kubeconfig: %s
  context:    %s
  error:      %v
Check that the cluster is running (e.g. minikube status; kubectl get --raw /version),
that the kubeconfig has that context (kubectl config get-contexts), and
TF_VAR_kubeconfig_path / TF_VAR_kube_context, which override the config's
cluster section.
`, e.stack, e.cluster.Kubeconfig, context, e.err)
}

// findings reads Helm's record of each release of env's apps stack, after
// checking that the cluster answers. A stack without releases reads nothing.
func (o ops) findings(env string) (recovery.Stack, []recovery.Finding, error) {
	st, err := o.appsStack(env)
	if err != nil || len(st.Releases) == 0 {
		return st, nil, err
	}
	if _, err := o.pingCluster(st.Cluster); err != nil {
		return st, nil, &unreachableError{stack: st.Name, cluster: st.Cluster, err: err}
	}
	fs, err := o.inspect(st)
	return st, fs, err
}

// inspect reads Helm's record of each release of a stack and, when Helm
// has one deployed, what the stack's state holds: a deployed release the
// state lacks is to be adopted.
func (o ops) inspect(st recovery.Stack) ([]recovery.Finding, error) {
	fs, err := o.helmFor(st.Cluster).Inspect(st.Releases)
	if err != nil {
		return nil, fmt.Errorf("%s: reading Helm's records: %w", st.Name, err)
	}
	deployed := false
	for _, f := range fs {
		deployed = deployed || f.State == recovery.Deployed
	}
	if !deployed {
		return fs, nil
	}
	addrs, err := o.stateList(st.Name)
	if err != nil {
		return nil, fmt.Errorf("reading what Terraform's state holds: %w", err)
	}
	inState := map[string]bool{}
	for _, a := range addrs {
		inState[a] = true
	}
	return recovery.Adoptable(fs, func(a string) bool { return inState[a] }), nil
}

// needsRecovery keeps the stuck and unusual findings, and the releases to
// adopt.
func needsRecovery(fs []recovery.Finding) []recovery.Finding {
	var out []recovery.Finding
	for _, f := range fs {
		if f.State == recovery.Stuck || f.State == recovery.Unusual || f.Remedy == recovery.Adopt {
			out = append(out, f)
		}
	}
	return out
}

// reportStuck lists env's stuck releases with the command that fixes them,
// for status and drift; when Helm's records cannot be read it says so and
// carries on. It reports whether a release is stuck.
func (o ops) reportStuck(env string) bool {
	st, fs, err := o.findings(env)
	return o.printStuck(env, st, fs, err)
}

func (o ops) printStuck(env string, st recovery.Stack, fs []recovery.Finding, err error) bool {
	if err != nil {
		fmt.Fprintf(o.out, "stuck releases not checked: %v\n", err) // err names the stack
		return false
	}
	stuck := needsRecovery(fs)
	if len(stuck) == 0 {
		return false
	}
	fmt.Fprintf(o.out, "%s: stuck Helm releases (left by an interrupted or failed apply; the next apply would fail):\n", st.Name)
	for _, f := range stuck {
		fmt.Fprintf(o.out, "  %s: %s\n", f.Release, f.Happened)
	}
	fmt.Fprintf(o.out, "  fix: make recover ENV=%s\n", env)
	return true
}

// envPlan is one environment's findings and state locks.
type envPlan struct {
	env      string
	stack    recovery.Stack
	findings []recovery.Finding
	locks    []stackLock
}

// recover finds each environment's state locks whose holder is gone, its
// stuck releases and the deployed releases its state lacks, says what
// happened and the remedy, and with approval applies it: locks first, then
// Helm's records, then adoption. Exit 0: nothing is stuck (any more); 2:
// something is stuck and was not fixed; 1: error.
func (o ops) recover(envs []string) (int, error) {
	var plans []envPlan
	for _, env := range envs {
		st, fs, err := o.findings(env)
		var unreachable *unreachableError
		if errors.As(err, &unreachable) {
			fmt.Fprint(o.errOut, unreachable.advice())
			return exitError, errors.New("recover needs the cluster")
		}
		if err != nil {
			return exitError, err
		}
		ls, err := o.locks(env)
		if err != nil {
			return exitError, fmt.Errorf("reading the state locks: %w", err)
		}
		for _, l := range ls {
			o.printLock(o.out, l)
		}
		o.printPlan(st, fs)
		plans = append(plans, envPlan{env: env, stack: st, findings: fs, locks: ls})
	}
	fixable, manual := count(plans)
	spec := strings.Join(envs, ",")
	switch {
	case fixable == 0 && manual == 0:
		fmt.Fprintf(o.out, "nothing is stuck; make deploy ENV=%s can go ahead\n", spec)
		return exitOK, nil
	case fixable == 0:
		fmt.Fprintln(o.out, "nothing recover can fix; see the advice above")
		return exitDrift, nil
	}
	if !o.approved(spec) {
		return exitDrift, nil
	}
	failed := o.releaseAll(plans)
	failed += o.applyAll(plans)
	failed += o.adoptAll(plans)
	if failed > 0 {
		return exitError, fmt.Errorf("%d remedies failed; nothing else was changed for them", failed)
	}
	fmt.Fprintf(o.out, "next: make deploy ENV=%s (Terraform installs what was uninstalled, and upgrades to the code what was rolled back or adopted)\n", spec)
	if manual > 0 {
		fmt.Fprintf(o.out, "still stuck: %d release(s) or lock(s) recover leaves to you; see the advice above\n", manual)
		return exitDrift, nil
	}
	return exitOK, nil
}

func (o ops) printPlan(st recovery.Stack, fs []recovery.Finding) {
	fmt.Fprintf(o.out, "%s (Helm's records; %s):\n", st.Name, st.Cluster)
	for _, f := range fs {
		fmt.Fprintf(o.out, "  %s: %s: %s\n", f.Release, f.State, f.Happened)
		if f.Remedy != recovery.Nothing {
			fmt.Fprintf(o.out, "    remedy: %s\n", f.Advice())
		}
	}
}

func count(plans []envPlan) (fixable, manual int) {
	for _, p := range plans {
		for _, f := range p.findings {
			switch f.Remedy {
			case recovery.Uninstall, recovery.Rollback, recovery.Adopt:
				fixable++
			case recovery.Manual:
				manual++
			}
		}
		for _, l := range p.locks {
			switch l.verdict.State {
			case statelock.Stale:
				fixable++
			case statelock.Live, statelock.Unknown:
				manual++
			}
		}
	}
	return fixable, manual
}

// approved asks before recover changes anything.
func (o ops) approved(spec string) bool {
	return o.confirm(question{
		auto:       "AUTO_APPROVE=1: applying the remedies",
		noTerminal: fmt.Sprintf("nothing changed: stdin is not a terminal; `make recover ENV=%s AUTO_APPROVE=1` applies these remedies", spec),
		ask:        "Apply these remedies? Only 'yes' applies them: ",
		declined:   "nothing changed",
	})
}

// question is what ops says when it asks before a change: with
// AUTO_APPROVE, without a terminal, the question, and after a no.
type question struct {
	auto, noTerminal, ask, declined string
}

// confirm is AUTO_APPROVE, else a yes on a terminal; without a terminal
// nothing is asked and the answer is no.
func (o ops) confirm(q question) bool {
	switch {
	case o.autoApprove:
		fmt.Fprintln(o.out, q.auto)
		return true
	case !o.interactive || o.in == nil:
		fmt.Fprintln(o.out, q.noTerminal)
		return false
	}
	fmt.Fprint(o.out, q.ask)
	line, _ := bufio.NewReader(o.in).ReadString('\n')
	if answer := strings.ToLower(strings.TrimSpace(line)); answer == "yes" || answer == "y" {
		return true
	}
	fmt.Fprintln(o.out, q.declined)
	return false
}

// applyAll applies every remedy, each on its own, and counts the failures.
func (o ops) applyAll(plans []envPlan) int {
	failed := 0
	for _, p := range plans {
		client := o.helmFor(p.stack.Cluster)
		for _, f := range p.findings {
			if f.Remedy != recovery.Uninstall && f.Remedy != recovery.Rollback {
				continue // adoption is Terraform's (adoptAll)
			}
			out, err := client.Apply(f)
			if err != nil {
				fmt.Fprintf(o.errOut, "%s: %s failed: %v\n", p.stack.Name, f.Remedy, err)
				failed++
				continue
			}
			fmt.Fprintf(o.out, "%s: %s: %s\n", p.stack.Name, f.Release, out.Done)
			for _, k := range out.Kept {
				fmt.Fprintf(o.out, "  kept %s\n", k)
			}
		}
	}
	return failed
}

// releaseAll releases every stale lock, each on its own, and counts the
// failures.
func (o ops) releaseAll(plans []envPlan) int {
	failed := 0
	for _, p := range plans {
		for _, l := range p.locks {
			if l.verdict.State != statelock.Stale {
				continue
			}
			if err := o.release(p.env, l); err != nil {
				fmt.Fprintf(o.errOut, "%s: releasing lock %s failed: %v\n", l.stack, l.lock.ID(), err)
				failed++
				continue
			}
			fmt.Fprintf(o.out, "%s: lock %s released (%s)\n", l.stack, l.lock.ID(), l.lock.Backend.Where())
		}
	}
	return failed
}

// adoptAll imports each release to adopt into its stack's state, with
// Terraform's own import (the stack's variables and providers): the helm
// provider reads the release, installs nothing and runs no hook. It reads
// Helm's record again first, and adopts nothing while the state is locked.
func (o ops) adoptAll(plans []envPlan) int {
	failed := 0
	for _, p := range plans {
		var adopt []recovery.Finding
		for _, f := range p.findings {
			if f.Remedy == recovery.Adopt {
				adopt = append(adopt, f)
			}
		}
		if len(adopt) == 0 {
			continue
		}
		if l, err := o.readLock(p.stack.Name); err != nil || l.Held {
			fmt.Fprintf(o.out, "%s: nothing adopted: its state is locked (lock %s) or its lock cannot be read (%v); release it, then run recover again\n", p.stack.Name, l.ID(), err)
			continue
		}
		for _, f := range adopt {
			if err := o.adopt(p.stack, f); err != nil {
				fmt.Fprintf(o.errOut, "%s: adopting %s failed: %v\n", p.stack.Name, f.Release, err)
				failed++
				continue
			}
			fmt.Fprintf(o.out, "%s: %s: imported into the state as %s (revision %d, as Helm has it)\n", p.stack.Name, f.Release, f.Release.Address, f.Revision)
		}
	}
	return failed
}

// adopt imports one release, if Helm still has it deployed at the revision
// that was read.
func (o ops) adopt(st recovery.Stack, f recovery.Finding) error {
	now, err := o.helmFor(st.Cluster).Inspect([]recovery.Release{f.Release})
	if err != nil {
		return err
	}
	if now[0].State != recovery.Deployed || now[0].Revision != f.Revision {
		return fmt.Errorf("adopt %s: %w", f.Release, recovery.ErrChanged)
	}
	args := []string{"import", "-input=false", "-no-color", f.Release.Address, f.Release.ImportID()}
	if code, err := o.terraform(st.Name, io.Discard, nil, args...); err != nil || code != exitOK {
		return failed("terraform "+strings.Join(args, " "), code, err)
	}
	return nil
}

// preflight checks, before a deploy, that each environment's cluster
// answers one bounded API call, and that no release is stuck, so that
// Terraform neither waits out a release timeout nor fails on a stuck name.
func (o ops) preflight(envs []string) (int, error) {
	for _, env := range envs {
		st, err := o.appsStack(env)
		if err != nil {
			return exitError, err
		}
		version, err := o.pingCluster(st.Cluster)
		if err != nil {
			fmt.Fprint(o.errOut, (&unreachableError{stack: st.Name, cluster: st.Cluster, err: err}).advice())
			return exitError, errors.New("not deploying to a cluster that does not answer")
		}
		fmt.Fprintf(o.out, "%s: the cluster answers (Kubernetes %s; %s)\n", st.Name, version, st.Cluster)
		if len(st.Releases) == 0 {
			continue
		}
		fs, err := o.inspect(st)
		if o.printStuck(env, st, fs, err) {
			fmt.Fprintf(o.errOut, "not deploying: Helm's records of apps-%s block the apply; run make recover ENV=%s first\n", env, env)
			return exitDrift, nil
		}
	}
	for _, env := range envs {
		if blocked := o.reportLocks(o.out, env); len(blocked) > 0 {
			fmt.Fprintf(o.errOut, "not deploying: the state of %s is locked, and Terraform would fail on it; see above (make recover ENV=%s releases a lock whose holder is gone)\n", strings.Join(blocked, " and "), env)
			return exitDrift, nil
		}
	}
	return exitOK, nil
}
