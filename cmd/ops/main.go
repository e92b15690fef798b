// Command ops runs the day-2 operations on synthesized stacks with the
// tools people already use (terraform, helm) and Helm's Go SDK:
//
//	ops drift ENV      refreshed plan of base-ENV and apps-ENV; exit 2 when the
//	                   cluster differs from the code (or a release is stuck),
//	                   listing what differs
//	ops status ENV     deployed releases: chart versions and revisions, and
//	                   stuck releases
//	ops rollback ENV   each release's history and how to roll back
//	ops recover ENV    find what an interrupted apply left: a state lock whose
//	                   holder is gone, releases stuck in Helm's records,
//	                   releases Helm has deployed and the state lacks; after a
//	                   yes or with AUTO_APPROVE=1, release the lock (terraform
//	                   force-unlock), uninstall (never deployed) or roll back,
//	                   and import (terraform import); exit 0 when nothing is
//	                   stuck, 2 when something is and was not fixed, 1 on error
//	ops preflight ENV  before a deploy: the cluster answers (one call, 5 s), no
//	                   release is stuck and no state lock blocks
//	ops deploy ENV     the preflight, then, with every secret given,
//	                   cdktf deploy base-ENV apps-ENV
//	ops destroy ENV    lists what the stacks hold, then, after a yes or with
//	                   AUTO_APPROVE=1, cdktf destroy apps-ENV base-ENV
//
// ENV is a name, a comma-separated list or all. Stacks are read from
// cdktf.out (run `make synth` first); secrets come from TF_VAR_* or
// secrets/<env>.tfvars, and only deploy needs them (secrets.go); every
// Terraform call runs without input (TF_INPUT=0, -input=false); the cluster is the apps stack's kubeconfig_path and
// kube_context (TF_VAR_kubeconfig_path, TF_VAR_kube_context override them).
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ops drift|status|rollback|recover|preflight|deploy|destroy ENV")
		os.Exit(1)
	}
	o := ops{
		root: ".", out: os.Stdout, errOut: os.Stderr, run: execRun,
		lookupEnv:   os.LookupEnv,
		in:          os.Stdin,
		interactive: term.IsTerminal(int(os.Stdin.Fd())),
		autoApprove: autoApprove(os.Getenv("AUTO_APPROVE")),
	}
	code, err := o.dispatch(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ops:", err)
	}
	os.Exit(code)
}

// autoApprove reads AUTO_APPROVE: 1 (or true) approves.
func autoApprove(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "1" || v == "true"
}
