package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/statelock"
)

// A Terraform killed while it holds a stack's state lock leaves it behind.
// With the kubernetes backend the lock is a Lease without expiry, so every
// later plan and apply of the stack fails on it; with the local backend the
// system frees the state file's lock when the process dies, and only the
// lock info file is left. recover releases a lock whose holder is gone
// (statelock.Judge) after a yes; status, drift and deploy report a lock
// that blocks.

// stackLock is one stack's lock and the verdict on it.
type stackLock struct {
	stack   string
	lock    statelock.Lock
	verdict statelock.Verdict
}

// leasesFor reads a kubernetes backend's Leases, through its kubeconfig.
func (o ops) leasesFor(b statelock.Backend) (coordinationv1.LeasesGetter, error) {
	if o.leases != nil {
		return o.leases(b)
	}
	path, err := recovery.ExpandHome(b.ConfigPath)
	if err != nil {
		return nil, err
	}
	config, err := recovery.Cluster{Kubeconfig: path, Context: b.ConfigContext}.RESTConfig(recovery.RequestTimeout)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("creating a client: %w", err)
	}
	return client.CoordinationV1(), nil
}

// thisHost is this machine now, for statelock.Judge.
func (o ops) thisHost() (statelock.Host, error) {
	if o.host != nil {
		return o.host()
	}
	return statelock.ThisHost(os.Getenv("TERRAFORM_BINARY_NAME"))
}

// readLock reads a stack's state lock from its backend.
func (o ops) readLock(stack string) (statelock.Lock, error) {
	b, err := statelock.ReadBackend(o.stackDir(stack))
	if err != nil {
		return statelock.Lock{}, fmt.Errorf("%s: %w", stack, err)
	}
	var l statelock.Lock
	switch b.Type {
	case "kubernetes":
		leases, err := o.leasesFor(b)
		if err != nil {
			return l, fmt.Errorf("%s: reading %s: %w", stack, b.Where(), err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), recovery.RequestTimeout)
		defer cancel()
		l, err = statelock.Lease(ctx, leases, b)
		if err != nil {
			return l, fmt.Errorf("%s: %w", stack, err)
		}
	case "s3":
		l = statelock.S3(b)
	default:
		if l, err = statelock.Local(b); err != nil {
			return l, fmt.Errorf("%s: %w", stack, err)
		}
	}
	return l, nil
}

// lockBound is how long an apply of env can hold a lock: its apps stack's
// LongestApply (the base stack's apply is shorter).
func (o ops) lockBound(env string) (time.Duration, error) {
	st, err := o.appsStack(env)
	if err != nil {
		return 0, err
	}
	return st.LongestApply(), nil
}

// locks reads and judges the locks of env's stacks.
func (o ops) locks(env string) ([]stackLock, error) {
	bound, err := o.lockBound(env)
	if err != nil {
		return nil, err
	}
	host, err := o.thisHost()
	if err != nil {
		return nil, err
	}
	var out []stackLock
	for _, stack := range stacks(env) {
		l, err := o.readLock(stack)
		if err != nil {
			return nil, err
		}
		out = append(out, stackLock{stack: stack, lock: l, verdict: statelock.Judge(l, o.absStackDir(stack), bound, host)})
	}
	return out, nil
}

// absStackDir is a stack's folder as a process's working directory shows it.
func (o ops) absStackDir(stack string) string {
	dir, err := filepath.Abs(o.stackDir(stack))
	if err != nil {
		return o.stackDir(stack)
	}
	return dir
}

// printLock says what a lock is, who holds it since when, and what
// recover does with it, for people. Free locks print nothing.
func (o ops) printLock(w io.Writer, l stackLock) {
	v, b := l.verdict, l.lock.Backend
	switch v.State {
	case statelock.Free:
		return
	case statelock.NotRead:
		fmt.Fprintf(w, "%s: state lock not read: %s\n  if a plan fails with \"Error acquiring the state lock\" and no Terraform works on the state: %s\n", l.stack, v.Why, o.forceUnlock(l.stack, "<ID>"))
		return
	}
	what := "locked"
	if !v.Blocks {
		what = "lock info left behind"
	}
	fmt.Fprintf(w, "%s: state %s (%s): %s\n", l.stack, what, b.Where(), v.State)
	if info := l.lock.Info; info != nil {
		fmt.Fprintf(w, "  lock %s: %s by %s since %s (Terraform %s)\n", orUnknown(info.ID), orUnknown(info.Operation), orUnknown(info.Who), created(info.Created), orUnknown(info.Version))
	}
	fmt.Fprintf(w, "  %s\n", v.Why)
	switch {
	case v.State == statelock.Stale && b.Type == "local":
		fmt.Fprintf(w, "  remedy: delete %s, as Terraform's own unlock does (force-unlock cannot unlock local state)\n", b.LockInfoPath())
	case v.State == statelock.Stale:
		fmt.Fprintf(w, "  remedy: release it: %s\n", o.forceUnlock(l.stack, l.lock.ID()))
	case b.Type == "local" && l.lock.HolderPID > 0:
		fmt.Fprintf(w, "  not touched: it ends with process %d; wait for it, or stop it (kill %d)\n", l.lock.HolderPID, l.lock.HolderPID)
	case b.Type == "local":
		fmt.Fprintln(w, "  not touched: it ends with the process that holds it")
	default:
		fmt.Fprintf(w, "  not touched: wait for it to finish; once you are sure no Terraform works on this state: %s\n", o.forceUnlock(l.stack, l.lock.ID()))
	}
}

// forceUnlock is the command that releases a stack's lock by hand.
func (o ops) forceUnlock(stack, id string) string {
	return fmt.Sprintf("terraform -chdir=%s force-unlock -force %s", filepath.Join("cdktf.out", "stacks", stack), id)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func created(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}

// reportLocks prints env's locks that block Terraform, with the command
// that frees them, for status, drift and deploy; when they cannot be read
// it says so and carries on. It returns the stacks blocked.
func (o ops) reportLocks(w io.Writer, env string) []string {
	ls, err := o.locks(env)
	if err != nil {
		fmt.Fprintf(w, "state locks not checked: %v\n", err) // err names the stack
		return nil
	}
	var blocked []string
	for _, l := range ls {
		if !l.verdict.Blocks {
			continue
		}
		o.printLock(w, l)
		if l.verdict.State == statelock.Stale {
			fmt.Fprintf(w, "  fix: make recover ENV=%s\n", env)
		}
		blocked = append(blocked, l.stack)
	}
	return blocked
}

// errLockChanged: the lock is not the one that was judged stale any more.
var errLockChanged = errors.New("the lock changed since it was read, or its holder is back; run recover again")

// release frees a stale lock: it reads and judges the lock again first and
// refuses when it changed. A kubernetes (or s3) lock is released by
// Terraform itself, `terraform force-unlock -force <ID>` in the stack's
// folder, which checks the ID again and clears exactly what it wrote (the
// Lease's holder and lock info); a local lock's left-over info file is
// deleted, as Terraform's own unlock does.
func (o ops) release(env string, l stackLock) error {
	bound, err := o.lockBound(env)
	if err != nil {
		return err
	}
	host, err := o.thisHost()
	if err != nil {
		return err
	}
	now, err := o.readLock(l.stack)
	if err != nil {
		return err
	}
	if v := statelock.Judge(now, o.absStackDir(l.stack), bound, host); v.State != statelock.Stale || now.ID() != l.lock.ID() {
		return fmt.Errorf("%s: not released: %w", l.stack, errLockChanged)
	}
	if now.Backend.Type == "local" {
		if err := os.Remove(now.Backend.LockInfoPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: deleting the lock info: %w", l.stack, err)
		}
		return nil
	}
	if code, err := o.init(l.stack); err != nil || code != exitOK {
		return failed(l.stack+": terraform init", code, err)
	}
	if code, err := o.terraform(l.stack, io.Discard, nil, "force-unlock", "-force", now.ID()); err != nil || code != exitOK {
		return failed(l.stack+": terraform force-unlock -force "+now.ID(), code, err)
	}
	after, err := o.readLock(l.stack)
	if err != nil {
		return err
	}
	if after.Held {
		return fmt.Errorf("%s: %s is still held after terraform force-unlock (lock %s); look at it with kubectl get lease --namespace %s %s -o yaml",
			l.stack, after.Backend.Where(), after.ID(), after.Backend.Namespace, after.Backend.LeaseName())
	}
	return nil
}
