package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The cdktf CLI flows. Both run on what `make synth` just wrote
// (--skip-synth) and leave provider installation to `terraform init`
// (--skip-provider-lock): cdktf's own `terraform providers lock` asks the
// public registry whatever the CLI configuration's provider_installation
// says, so it fails with only a mirror or a private registry, while init
// writes .terraform.lock.hcl from wherever the providers came from.
var offlineFlags = []string{"--skip-synth", "--skip-provider-lock"}

// deployArgs is `cdktf deploy` of env's stacks, base first (the manifest
// says apps depends on base).
func (o ops) deployArgs(env string) []string {
	args := append(append([]string{"deploy"}, stacks(env)...), o.cdktfFlags(env)...)
	if o.autoApprove {
		args = append(args, "--auto-approve")
	}
	return args
}

// destroyArgs is `cdktf destroy` of env's stacks, apps first.
func (o ops) destroyArgs(env string) []string {
	return append(append([]string{"destroy", "apps-" + env, "base-" + env}, o.cdktfFlags(env)...), "--auto-approve")
}

// cdktfFlags are offlineFlags and env's secrets file, when there is one.
func (o ops) cdktfFlags(env string) []string {
	flags := append([]string(nil), offlineFlags...)
	for _, f := range o.varFile(env) {
		flags = append(flags, "--var-file="+strings.TrimPrefix(f, "-var-file="))
	}
	return flags
}

// cdktf runs the pinned CLI (on PATH through tools/env) in the project.
func (o ops) cdktf(env []string, stdin io.Reader, args ...string) (int, error) {
	return o.run(command{dir: o.root, env: env, stdin: stdin, stdout: o.out, name: "cdktf", args: args})
}

// deploy applies each environment, one `cdktf deploy` each (so that each
// gets its own secrets file): after the preflight, and only with every
// secret given. With AUTO_APPROVE=1 nothing is asked and Terraform gets no
// input; otherwise cdktf asks before applying each stack.
func (o ops) deploy(envs []string) (int, error) {
	if code, err := o.preflight(envs); err != nil || code != exitOK {
		return code, err
	}
	for _, env := range envs {
		if err := o.needSecrets(env); err != nil {
			return exitError, err
		}
	}
	var extra []string
	if o.autoApprove {
		extra = []string{noInput}
	}
	for _, env := range envs {
		if code, err := o.cdktf(extra, o.in, o.deployArgs(env)...); err != nil || code != exitOK {
			return exitError, failed("cdktf deploy "+strings.Join(stacks(env), " "), code, err)
		}
	}
	return exitOK, nil
}

// destroy destroys each environment, apps before base, after a yes (or
// with AUTO_APPROVE=1). Every Terraform call runs without input and with
// placeholders for the secrets that are not given (secrets.go): a destroy
// needs none of them. Without a terminal and AUTO_APPROVE it destroys
// nothing and exits 2.
func (o ops) destroy(envs []string) (int, error) {
	fills := map[string][]string{}
	for _, env := range envs {
		fill, err := o.placeholders(env)
		if err != nil {
			return exitError, err
		}
		fills[env] = fill
		for _, stack := range []string{"apps-" + env, "base-" + env} {
			if err := o.listState(stack); err != nil {
				return exitError, err
			}
		}
	}
	if !o.confirm(question{
		auto:       "AUTO_APPROVE=1: destroying",
		noTerminal: fmt.Sprintf("nothing destroyed: stdin is not a terminal; `make destroy ENV=%s AUTO_APPROVE=1` destroys without asking", strings.Join(envs, ",")),
		ask:        "Destroy all of the above, apps first (PersistentVolumeClaims and their data too)? Only 'yes' destroys: ",
		declined:   "nothing destroyed",
	}) {
		return exitDrift, nil
	}
	for _, env := range envs {
		args := o.destroyArgs(env)
		if code, err := o.cdktf(append([]string{noInput}, fills[env]...), nil, args...); err != nil || code != exitOK {
			return exitError, failed("cdktf "+strings.Join(args, " "), code, err)
		}
	}
	return exitOK, nil
}

// listState prints what a stack's state holds: what a destroy removes.
func (o ops) listState(stack string) error {
	addrs, err := o.stateList(stack)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		fmt.Fprintf(o.out, "%s: nothing deployed\n", stack)
		return nil
	}
	fmt.Fprintf(o.out, "%s: %d resources: %s\n", stack, len(addrs), strings.Join(addrs, ", "))
	return nil
}

// failed says that a command could not run, or ran and failed (its own
// output says why).
func failed(what string, code int, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s failed (exit %d); its output above says why", what, code)
}

// stateList is the addresses a stack's state holds (terraform state list,
// which reads the state without locking it), after terraform init.
func (o ops) stateList(stack string) ([]string, error) {
	if code, err := o.init(stack); err != nil || code != exitOK {
		return nil, failed(stack+": terraform init", code, err)
	}
	var buf strings.Builder
	if code, err := o.terraform(stack, &buf, nil, "state", "list"); err != nil || code != exitOK {
		return nil, failed(stack+": terraform state list", code, err)
	}
	var addrs []string
	sc := bufio.NewScanner(strings.NewReader(buf.String()))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			addrs = append(addrs, line)
		}
	}
	return addrs, nil
}
