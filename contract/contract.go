// Package contract checks the releases of an environment's apps stack, as
// their charts render them, against the promises of its base stack: values
// the charts read, quotas that fit a rollout, Pod Security, the network
// flows, the wiring between the apps, and the images. It runs offline,
// before apply, on the synthesized JSON and the rendered charts.
package contract

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// The rules, as findings name them.
const (
	RuleRender      = "render"
	RuleValues      = "values"
	RuleQuota       = "quota"
	RulePodSecurity = "pod-security"
	RuleNetwork     = "network"
	RuleWiring      = "wiring"
	RuleAuth        = "authentication"
	RuleImages      = "images"
	RuleEdge        = "edge"
)

// Input is one environment: its config, what its base stack creates and
// its apps stack's releases, rendered.
type Input struct {
	Env      config.Environment
	Base     Base
	Releases []*render.Rendered
}

// Finding is one broken promise.
type Finding struct {
	// Stack and Release say where: apps-dev, helm_release.librechat.
	Stack, Release string
	// Object is the rendered object, kind/name; empty for the release's values.
	Object string
	// Rule is one of the Rule constants.
	Rule string
	// Problem says what is wrong, with the values involved.
	Problem string
	// Fix names the config field (or code) to change and a value that works.
	Fix string
}

func (f Finding) String() string {
	where := f.Stack
	if f.Release != "" {
		where += ": " + f.Release
	}
	if f.Object != "" {
		where += ": " + f.Object
	}
	return fmt.Sprintf("%s: %s: %s; fix: %s", where, f.Rule, f.Problem, f.Fix)
}

// Report is the outcome for one environment.
type Report struct {
	Env      string
	Findings []Finding
	// Accepted lists what the config accepts knowingly
	// (images.acceptUnmaintained, ingress.acceptExposed).
	Accepted []string
	// Flows is the network matrix: every intended and unintended flow checked.
	Flows []Flow
	// Exposed says, for each host and path an Ingress publishes, what it
	// reaches and how: TLS, the controller's authentication, LibreChat's
	// sign-up.
	Exposed []string
}

// Err is nil when nothing was found, else one error listing every finding.
func (r Report) Err() error {
	if len(r.Findings) == 0 {
		return nil
	}
	lines := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		lines[i] = "  " + f.String()
	}
	return fmt.Errorf("chart check of %s: %d finding(s):\n%s", r.Env, len(r.Findings), strings.Join(lines, "\n"))
}

// Check runs every rule and reports all findings together.
func Check(in Input) Report {
	rep := Report{Env: in.Env.Name}
	for _, r := range in.Releases {
		add := func(f Finding) {
			f.Stack, f.Release = r.Release.Stack, r.Release.Address
			rep.Findings = append(rep.Findings, f)
		}
		checkValues(r, add)
		checkWarnings(r, add)
		rep.Accepted = append(rep.Accepted, checkImages(in.Env, r, add)...)
		checkPodSecurity(in, r, add)
	}
	stack := func(f Finding) {
		if f.Stack == "" && len(in.Releases) > 0 {
			f.Stack = in.Releases[0].Release.Stack
		}
		rep.Findings = append(rep.Findings, f)
	}
	checkQuotas(in, stack)
	w := newWorld(in)
	links := checkWiring(w, stack)
	rep.Flows = checkNetwork(w, links, stack)
	accepted, exposed := checkEdge(w, stack)
	rep.Accepted = append(rep.Accepted, accepted...)
	rep.Exposed = exposed
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		return a.Rule < b.Rule
	})
	return rep
}

// app is the config section of the app that owns a namespace or release.
type app struct {
	// Section is the config path, e.g. ollama or ingress.
	Section string
	// Construct is the package under constructs/ that writes its values.
	Construct string
}

// appOf returns the app that lives in namespace ns, if any.
func appOf(env config.Environment, ns string) (app, bool) {
	switch ns {
	case env.Ollama.Namespace:
		return app{"ollama", "ollama"}, true
	case env.LibreChat.Namespace:
		return app{"librechat", "librechat"}, true
	case env.Ingress.Namespace:
		return app{"ingress", "ingressnginx"}, true
	case env.NvidiaDevicePlugin.Namespace:
		return app{"nvidiaDevicePlugin", "deviceplugin"}, true
	}
	return app{}, false
}

// constructPackage is the constructs/ package that writes a release's
// values, by the release's resource ID.
func constructPackage(id string) string {
	if p, ok := map[string]string{"ingress_nginx": "ingressnginx", "nvidia_device_plugin": "deviceplugin"}[id]; ok {
		return p
	}
	return id
}

// Write prints the report for people: the network matrix, what is accepted,
// the findings, and a summary line.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "%s: network matrix (%d flows; allow = the platform needs it, deny = it must be closed)\n", r.Env, len(r.Flows))
	for _, f := range r.Flows {
		fmt.Fprintln(w, "  "+f.String())
	}
	for _, e := range r.Exposed {
		fmt.Fprintln(w, "  exposed: "+e)
	}
	for _, a := range r.Accepted {
		fmt.Fprintln(w, "  accepted: "+a)
	}
	for _, f := range r.Findings {
		fmt.Fprintln(w, "  finding: "+f.String())
	}
	fmt.Fprintf(w, "%s: %d finding(s), %d flows checked, %d accepted\n", r.Env, len(r.Findings), len(r.Flows), len(r.Accepted))
}
