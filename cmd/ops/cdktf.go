package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
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
		c, err := o.checkChanges(env, nil)
		if err != nil {
			return exitError, err
		}
		c.write(o.out, env)
		if err := c.report.Err(); err != nil {
			fmt.Fprintf(o.errOut, "not deploying %s: %v\nnothing was changed; fix the config, or accept the change knowingly in %s's changes.accept (object, rule, reason)\n", env, err, env)
			return exitError, nil
		}
		if len(c.removeFirst) > 0 {
			if code, err := o.removeFirst(env, c.removeFirst); err != nil || code != exitOK {
				return code, err
			}
		}
		if code, err := o.cdktf(extra, o.in, o.deployArgs(env)...); err != nil || code != exitOK {
			return exitError, failed("cdktf deploy "+strings.Join(stacks(env), " "), code, err)
		}
		if err := o.record(env); err != nil {
			fmt.Fprintf(o.errOut, "%s: deployed, but its render was not recorded for the change check: %v\n", env, err)
		}
	}
	return exitOK, nil
}

// removeFirst uninstalls the releases a change deletes (gone from the
// code) before cdktf deploy applies the base stack: so that every
// uninstall runs while the release's namespace still exists, and removes
// what the release made outside it (ClusterRoles, IngressClasses, webhook
// configurations). It is a targeted apply of the apps stack, which plans
// the removal of exactly those releases; a targeted destroy would also
// destroy every release that depends on them (LibreChat on the ingress
// controller, say), claims and all.
func (o ops) removeFirst(env string, addresses []string) (int, error) {
	stack := "apps-" + env
	fmt.Fprintf(o.out, "%s: the change removes %s: uninstalling first, before base-%s removes any namespace\n", stack, strings.Join(addresses, ", "), env)
	if !o.confirm(question{
		auto:       "AUTO_APPROVE=1: uninstalling",
		noTerminal: fmt.Sprintf("nothing changed: stdin is not a terminal; `make deploy ENV=%s AUTO_APPROVE=1` deploys without asking", env),
		ask:        "Uninstall them now? Only 'yes' uninstalls: ",
		declined:   "nothing changed",
	}) {
		return exitDrift, nil
	}
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=60s"}
	for _, a := range addresses {
		args = append(args, "-target="+a)
	}
	if code, err := o.terraform(stack, o.out, nil, args...); err != nil || code != exitOK {
		return exitError, failed(stack+": terraform apply -target", code, err)
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
		if protected := o.protected(env); len(protected) > 0 {
			return exitError, fmt.Errorf("not destroying %s: %s hold data and have prevent_destroy (changes.protectData), so Terraform refuses to destroy them; to destroy the environment and its data knowingly, set `changes: {protectData: never}` in envs/%s.yaml, run make synth ENV=%s, then make destroy ENV=%s", env, strings.Join(protected, ", "), env, env, env)
		}
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
		// Nothing is deployed any more: no render to compare with.
		if err := os.RemoveAll(recordDir(o.root, env)); err != nil {
			return exitError, err
		}
	}
	return exitOK, nil
}

// protected lists the resources of env's stacks with prevent_destroy.
func (o ops) protected(env string) []string {
	var out []string
	for _, stack := range stacks(env) {
		var doc struct {
			Resource map[string]map[string]struct {
				Lifecycle struct {
					PreventDestroy bool `json:"prevent_destroy"`
				} `json:"lifecycle"`
			} `json:"resource"`
		}
		data, _ := os.ReadFile(filepath.Join(o.stackDir(stack), "cdk.tf.json"))
		_ = json.Unmarshal(data, &doc)
		for typ, rs := range doc.Resource {
			for name, r := range rs {
				if r.Lifecycle.PreventDestroy {
					out = append(out, stack+": "+typ+"."+name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
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
