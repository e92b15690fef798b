package contract

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/llm-platform/cdktf-llm/render"
)

// evaluator is Pod Security Admission's own policy evaluator.
var evaluator = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		panic(fmt.Sprintf("pod security: %v", err))
	}
	return e
}()

// checkPodSecurity evaluates every pod template of r against the enforce
// level of its namespace, as the base stack labels it.
func checkPodSecurity(in Input, r *render.Rendered, report func(Finding)) {
	for _, p := range pods(r) {
		ns := p.Object.Namespace
		labels, ok := in.Base.Namespaces[ns]
		if !ok {
			continue // checkWiring reports a namespace the base stack does not create
		}
		pol, errs := api.PolicyToEvaluate(labels, api.Policy{Enforce: api.LevelVersion{Level: api.LevelPrivileged, Version: api.LatestVersion()}})
		if len(errs) > 0 {
			report(Finding{Rule: RulePodSecurity, Object: p.Object.ID(),
				Problem: fmt.Sprintf("namespace %s has invalid Pod Security labels: %v", ns, errs.ToAggregate()),
				Fix:     "the namespace construct writes them; use privileged, baseline or restricted"})
			continue
		}
		lv := pol.Enforce
		if lv.Version.Latest() {
			lv.Version = kubeVersion(in.Env.Cluster.KubernetesVersion)
		}
		agg := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &p.Template.ObjectMeta, &p.Template.Spec))
		if agg.Allowed {
			continue
		}
		report(Finding{Rule: RulePodSecurity, Object: p.Object.ID(),
			Problem: fmt.Sprintf("namespace %s enforces Pod Security %q, which rejects the pod: %s", ns, lv.String(), agg.ForbiddenDetail()),
			Fix:     podSecurityFix(in, ns, agg.ForbiddenReason())})
	}
}

func podSecurityFix(in Input, ns, reason string) string {
	if a, ok := appOf(in.Env, ns); ok && (a.Section == "ollama" || a.Section == "librechat") {
		return fmt.Sprintf("set security.podSecurity to a level the pod meets (now %q), or change the pod in the values that constructs/%s writes (%s)", in.Env.Security.PodSecurity, a.Construct, reason)
	}
	return fmt.Sprintf("change the pod in its release's values (%s)", reason)
}

// kubeVersion parses "1.34"; anything else is the evaluator's latest.
func kubeVersion(v string) api.Version {
	major, minor, ok := strings.Cut(v, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil {
		return api.LatestVersion()
	}
	return api.MajorMinorVersion(ma, mi)
}
