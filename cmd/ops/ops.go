package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	storagev1 "k8s.io/client-go/kubernetes/typed/storage/v1"

	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/statelock"
)

// Exit codes, as terraform plan -detailed-exitcode has them.
const (
	exitOK    = 0
	exitError = 1
	exitDrift = 2
)

// command is one program ops runs: in dir, with env added to the
// environment, reading stdin (nil: nothing) and writing stdout; stderr goes
// to the user.
type command struct {
	dir    string
	env    []string
	stdin  io.Reader
	stdout io.Writer
	name   string
	args   []string
}

// runFunc runs a command and returns its exit code. A command that cannot
// start is an error.
type runFunc func(c command) (int, error)

func execRun(c command) (int, error) {
	cmd := exec.Command(c.name, c.args...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = c.dir, c.stdin, c.stdout, os.Stderr
	cmd.Env = append(os.Environ(), c.env...)
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return exitError, fmt.Errorf("%s: %w", c.name, err)
	}
	return exitOK, nil
}

type ops struct {
	root        string
	out, errOut io.Writer
	run         runFunc

	// helm reads Helm's records through a cluster; nil: recovery.New.
	helm func(recovery.Cluster) helmRecords
	// ping checks that a cluster answers; nil: recovery.Ping, bounded.
	ping func(recovery.Cluster) (string, error)
	// leases reads a kubernetes backend's Leases (its state lock); nil: a
	// client through the backend's config_path and config_context.
	leases func(statelock.Backend) (coordinationv1.LeasesGetter, error)
	// host is this machine now (name, time, Terraform processes), to judge
	// a lock's holder; nil: statelock.ThisHost.
	host func() (statelock.Host, error)
	// storage reads the cluster's StorageClasses for the change check;
	// nil: a client through the stack's kubeconfig and context.
	storage func(recovery.Cluster) (storagev1.StorageClassesGetter, error)
	// lookupEnv reads TF_VAR_kubeconfig_path and the like; nil: os.LookupEnv.
	lookupEnv recovery.LookupEnv
	// in answers recover's question, asked only when interactive (stdin
	// is a terminal) and not autoApprove (AUTO_APPROVE=1).
	in          io.Reader
	interactive bool
	autoApprove bool
}

func (o ops) dispatch(verb, envSpec string) (int, error) {
	envs, err := o.environments(envSpec)
	if err != nil {
		return exitError, err
	}
	switch verb {
	case "drift":
		return o.drift(envs)
	case "status":
		return o.status(envs)
	case "rollback":
		return o.rollback(envs)
	case "recover":
		return o.recover(envs)
	case "preflight":
		return o.preflight(envs)
	case "deploy":
		return o.deploy(envs)
	case "diff":
		return o.diff(envs)
	case "destroy":
		return o.destroy(envs)
	}
	return exitError, fmt.Errorf("unknown command %q; use diff, drift, status, rollback, recover, preflight, deploy or destroy", verb)
}

// environments expands a name, a list or all (every environment in cdktf.out).
func (o ops) environments(spec string) ([]string, error) {
	var names []string
	if spec == "all" {
		dirs, _ := filepath.Glob(filepath.Join(o.root, "cdktf.out", "stacks", "base-*"))
		for _, d := range dirs {
			names = append(names, strings.TrimPrefix(filepath.Base(d), "base-"))
		}
	} else {
		for _, n := range strings.Split(spec, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	for _, n := range names {
		for _, s := range stacks(n) {
			if _, err := os.Stat(filepath.Join(o.stackDir(s), "cdk.tf.json")); err != nil {
				if _, hcl := os.Stat(filepath.Join(o.stackDir(s), "main.tf")); hcl == nil {
					return nil, fmt.Errorf("cdktf.out holds %s as HCL (make hcl); these commands read its JSON: run `make synth ENV=%s` first", s, n)
				}
				return nil, fmt.Errorf("no synthesized stack %s; run `make synth ENV=%s` first", s, n)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no environment in %q; run `make synth` first or name one", spec)
	}
	return names, nil
}

func stacks(env string) []string { return []string{"base-" + env, "apps-" + env} }

func (o ops) stackDir(stack string) string {
	return filepath.Join(o.root, "cdktf.out", "stacks", stack)
}

// varFile is secrets/<env>.tfvars relative to a stack folder, if it exists.
func (o ops) varFile(env string) []string {
	if _, err := os.Stat(filepath.Join(o.root, "secrets", env+".tfvars")); err != nil {
		return nil
	}
	return []string{"-var-file=../../../secrets/" + env + ".tfvars"}
}

// noInput is in the environment of every Terraform call ops makes (and of
// cdktf's, for destroy): Terraform behaves as with -input=false, so a
// missing value is an error, never a prompt that waits (Terraform's
// documented TF_INPUT). Calls that take the flag also get -input=false.
const noInput = "TF_INPUT=0"

// terraform runs Terraform in a stack's folder, never asking for input;
// extra is added to the environment (placeholders, see secrets.go). The
// program is $TERRAFORM_BINARY_NAME, as for the cdktf CLI (tofu for
// OpenTofu), else terraform.
func (o ops) terraform(stack string, stdout io.Writer, extra []string, args ...string) (int, error) {
	name := os.Getenv("TERRAFORM_BINARY_NAME")
	if name == "" {
		name = "terraform"
	}
	return o.run(command{dir: o.stackDir(stack), env: append([]string{noInput}, extra...), stdout: stdout, name: name, args: args})
}

// init runs terraform init, which is quick once a stack is initialized and
// repairs one whose earlier init failed halfway.
func (o ops) init(stack string) (int, error) {
	return o.terraform(stack, io.Discard, nil, "init", "-input=false", "-no-color")
}

// drift plans every stack with a refresh and reports which resources differ.
func (o ops) drift(envs []string) (int, error) {
	worst := exitOK
	var stuck, locked []string
	for _, env := range envs {
		// A plan needs every variable, the write-only secrets too, which a
		// plan that is never applied does not write (secrets.go).
		fill, err := o.placeholders(env)
		if err != nil {
			return exitError, err
		}
		blocked := map[string]bool{}
		for _, stack := range o.reportLocks(o.out, env) {
			blocked[stack] = true
			locked = append(locked, stack)
			worst = worse(worst, exitDrift)
		}
		for _, stack := range stacks(env) {
			if blocked[stack] {
				fmt.Fprintf(o.out, "%s: not planned: its state is locked (above)\n", stack)
				continue
			}
			code, err := o.driftStack(env, stack, fill)
			if err != nil {
				return exitError, err
			}
			worst = worse(worst, code)
		}
		if o.reportStuck(env) {
			stuck = append(stuck, env)
			worst = worse(worst, exitDrift)
		}
	}
	switch {
	case worst == exitOK:
		fmt.Fprintln(o.out, "no drift: the cluster matches the code")
	case len(locked) > 0:
		fmt.Fprintf(o.out, "locked state found (%s): `make recover ENV=%s` releases a lock whose holder is gone and says what to do with any other\n", strings.Join(locked, ", "), strings.Join(envs, ","))
	case len(stuck) > 0:
		fmt.Fprintf(o.out, "stuck releases found: `make recover ENV=%s`, then `make deploy ENV=%s`\n", strings.Join(stuck, ","), strings.Join(stuck, ","))
	case worst == exitDrift:
		fmt.Fprintln(o.out, "drift found: `make deploy` puts the cluster back to the code; or change the code to match")
	}
	return worst, nil
}

// worse is the worse of two exit codes: error, then drift, then OK.
func worse(a, b int) int {
	switch {
	case a == exitError || b == exitError:
		return exitError
	case a == exitDrift || b == exitDrift:
		return exitDrift
	}
	return exitOK
}

// planFile holds a drift plan, in the stack folder, until it is read.
const planFile = "drift.tfplan"

func (o ops) driftStack(env, stack string, fill []string) (int, error) {
	if code, err := o.init(stack); err != nil || code != exitOK {
		fmt.Fprintf(o.errOut, "%s: terraform init failed (exit %d)\n", stack, code)
		return exitError, err
	}
	args := append([]string{"plan", "-refresh=true", "-detailed-exitcode", "-input=false", "-no-color", "-lock-timeout=60s", "-out=" + planFile}, o.varFile(env)...)
	defer os.Remove(filepath.Join(o.stackDir(stack), planFile))
	code, err := o.terraform(stack, io.Discard, fill, args...)
	if err != nil {
		return exitError, err
	}
	switch code {
	case exitOK:
		fmt.Fprintf(o.out, "%s: in sync\n", stack)
		return exitOK, nil
	case exitDrift:
		var plan bytes.Buffer
		if c, err := o.terraform(stack, &plan, nil, "show", "-json", planFile); err != nil || c != exitOK {
			fmt.Fprintf(o.out, "%s: differs (terraform show failed, exit %d)\n", stack, c)
			return exitDrift, err
		}
		changes, err := planChanges(plan.Bytes())
		if err != nil {
			return exitError, fmt.Errorf("%s: %w", stack, err)
		}
		fmt.Fprintf(o.out, "%s: differs from the code:\n", stack)
		for _, c := range changes {
			fmt.Fprintf(o.out, "  %s\n", c)
		}
		return exitDrift, nil
	default:
		fmt.Fprintf(o.errOut, "%s: terraform plan failed (exit %d)\n", stack, code)
		return exitError, nil
	}
}

// planChanges lists "address: action (what)" for each change and drift in
// a plan from `terraform show -json`.
func planChanges(planJSON []byte) ([]string, error) {
	plan, err := decodePlan(planJSON)
	if err != nil {
		return nil, err
	}
	out := slices.Concat(summarize(plan.ResourceDrift, " (changed outside Terraform)"), summarize(plan.ResourceChanges, " (planned)"))
	slices.Sort(out)
	return slices.Compact(out), nil
}

// plan is what ops reads of a plan from `terraform show -json`.
type plan struct {
	ResourceDrift   []resourceChange `json:"resource_drift"`
	ResourceChanges []resourceChange `json:"resource_changes"`
}

func decodePlan(planJSON []byte) (plan, error) {
	var p plan
	if err := json.Unmarshal(planJSON, &p); err != nil {
		return plan{}, fmt.Errorf("reading the plan: %w", err)
	}
	return p, nil
}

// summarize lists "address: actions"+suffix of each change that does
// something, sorted.
func summarize(rcs []resourceChange, suffix string) []string {
	var out []string
	for _, rc := range rcs {
		if a := strings.Join(rc.Change.Actions, "+"); a != "no-op" && a != "read" {
			out = append(out, rc.Address+": "+a+suffix)
		}
	}
	slices.Sort(out)
	return out
}

// resourceChange is one entry of a plan's resource_changes (or
// resource_drift), as `terraform show -json` writes it.
type resourceChange struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Change  struct {
		Actions []string       `json:"actions"`
		Before  map[string]any `json:"before"`
	} `json:"change"`
}

// release is one entry of the apps stack's releases output.
type release struct {
	Name      string  `json:"-"`
	Namespace string  `json:"namespace"`
	Chart     string  `json:"chart"`
	Version   string  `json:"version"`
	Revision  float64 `json:"revision"`
}

// releases reads the releases output of an applied apps stack.
func (o ops) releases(env string) ([]release, error) {
	stack := "apps-" + env
	if code, err := o.init(stack); err != nil || code != exitOK {
		return nil, fmt.Errorf("%s: terraform init failed (exit %d): %v", stack, code, err)
	}
	var buf bytes.Buffer
	code, err := o.terraform(stack, &buf, nil, "output", "-json", "releases")
	if err != nil || code != exitOK {
		return nil, fmt.Errorf("%s: no releases output (exit %d); is the stack applied? (`make deploy ENV=%s`)", stack, code, env)
	}
	var byName map[string]release
	if err := json.Unmarshal(buf.Bytes(), &byName); err != nil {
		return nil, fmt.Errorf("%s: reading the releases output: %w", stack, err)
	}
	var out []release
	for name, r := range byName {
		r.Name = name
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// status prints what Terraform deployed, then what Helm reports.
func (o ops) status(envs []string) (int, error) {
	for _, env := range envs {
		o.reportLocks(o.out, env)
		o.reportStuck(env) // first: an interrupted first apply leaves no outputs
		rs, err := o.releases(env)
		if err != nil {
			return exitError, err
		}
		fmt.Fprintf(o.out, "%s (terraform outputs):\n", env)
		fmt.Fprintf(o.out, "  %-22s %-22s %-22s %-10s %s\n", "RELEASE", "NAMESPACE", "CHART", "VERSION", "REVISION")
		for _, r := range rs {
			fmt.Fprintf(o.out, "  %-22s %-22s %-22s %-10s %d\n", r.Name, r.Namespace, r.Chart, r.Version, int(r.Revision))
		}
		if _, err := exec.LookPath("helm"); err != nil {
			fmt.Fprintln(o.out, "  (helm is not installed: skipping helm list)")
			continue
		}
		fmt.Fprintf(o.out, "%s (helm list):\n", env)
		for _, ns := range namespaces(rs) {
			if code, err := o.run(command{dir: o.root, stdout: o.out, name: "helm", args: []string{"list", "--namespace", ns}}); err != nil || code != exitOK {
				return exitError, fmt.Errorf("helm list --namespace %s failed (exit %d): %v", ns, code, err)
			}
		}
	}
	return exitOK, nil
}

// rollback shows the history Helm keeps and the way back.
func (o ops) rollback(envs []string) (int, error) {
	for _, env := range envs {
		rs, err := o.releases(env)
		if err != nil {
			return exitError, err
		}
		for _, r := range rs {
			fmt.Fprintf(o.out, "%s/%s (chart %s %s, revision %d):\n", r.Namespace, r.Name, r.Chart, r.Version, int(r.Revision))
			if _, err := exec.LookPath("helm"); err == nil {
				if code, err := o.run(command{dir: o.root, stdout: o.out, name: "helm", args: []string{"history", r.Name, "--namespace", r.Namespace, "--max", "10"}}); err != nil || code != exitOK {
					return exitError, fmt.Errorf("helm history %s failed (exit %d): %v", r.Name, code, err)
				}
			}
		}
	}
	fmt.Fprint(o.out, rollbackAdvice)
	return exitOK, nil
}

const rollbackAdvice = `
Automatic: every release is atomic, so a failed upgrade rolls itself back,
and Helm keeps the last 10 revisions (max_history).
Yours: roll back the code, not the cluster. Revert the change in git
(git revert <commit>), then run make deploy ENV=<env>: Terraform
upgrades the releases back to the reverted versions and values. A manual
helm rollback would leave Terraform's state behind; make drift shows it.
`

func namespaces(rs []release) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if !seen[r.Namespace] {
			seen[r.Namespace] = true
			out = append(out, r.Namespace)
		}
	}
	return out
}
