// Command ops runs the day-2 operations on synthesized stacks with the
// tools people already use (terraform, helm):
//
//	ops drift ENV     refreshed plan of base-ENV and apps-ENV; exit 2 when the
//	                  cluster differs from the code, listing what differs
//	ops status ENV    deployed releases: chart versions and revisions
//	ops rollback ENV  each release's history and how to roll back
//
// ENV is a name, a comma-separated list or all. Stacks are read from
// cdktf.out (run `make synth` first); secrets come from TF_VAR_* or
// secrets/<env>.tfvars.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ops drift|status|rollback ENV")
		os.Exit(1)
	}
	o := ops{root: ".", out: os.Stdout, errOut: os.Stderr, run: execRun}
	code, err := o.dispatch(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ops:", err)
	}
	os.Exit(code)
}
