package contract

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/llm-platform/cdktf-llm/quotafit"
	"github.com/llm-platform/cdktf-llm/render"
)

// checkQuotas checks, per namespace with a ResourceQuota, that the objects
// every release renders there fit it at the peak of an install or rolling
// update, after the namespace's LimitRange defaults, and that no pod is
// rejected by the LimitRange itself.
func checkQuotas(in Input, report func(Finding)) {
	byNS := map[string][]*render.Rendered{}
	for _, r := range in.Releases {
		byNS[r.Release.Namespace] = append(byNS[r.Release.Namespace], r)
	}
	for _, q := range in.Base.Quotas {
		rels := byNS[q.Namespace]
		var objs []runtime.Object
		origin := map[string]*render.Rendered{}
		for _, r := range rels {
			for _, o := range r.Objects {
				if o.Typed != nil {
					objs = append(objs, o.Typed)
					origin[o.ID()] = r
				}
			}
		}
		var ranges []corev1.LimitRange
		for _, lr := range in.Base.LimitRanges {
			if lr.Namespace == q.Namespace {
				ranges = append(ranges, lr)
			}
		}
		u := quotafit.NamespaceUsage(objs, ranges)
		a, _ := appOf(in.Env, q.Namespace)
		release := func(object string) string {
			if r, ok := origin[object]; ok {
				return r.Release.Address
			}
			if len(rels) == 1 {
				return rels[0].Release.Address
			}
			return ""
		}
		for _, p := range u.Problems {
			report(Finding{Release: release(p.Object), Object: p.Object, Rule: RuleQuota,
				Problem: fmt.Sprintf("the LimitRange of namespace %s rejects the pod: %s", q.Namespace, p.Message),
				Fix:     fmt.Sprintf("set %s.limitRange.default (and defaultRequest) so a defaulted container is valid, or give the container explicit resources", a.Section)})
		}
		for _, e := range quotafit.Fit(u, q) {
			report(Finding{Release: release(""), Object: "ResourceQuota/" + q.Name, Rule: RuleQuota,
				Problem: fmt.Sprintf("namespace %s: %s", q.Namespace, e.Message),
				Fix:     quotaFix(in, a, e)})
		}
	}
}

// quotaField is the config field of each quota resource, below <app>.quota.
var quotaField = map[corev1.ResourceName]string{
	corev1.ResourceRequestsCPU:            "requests.cpu",
	corev1.ResourceRequestsMemory:         "requests.memory",
	corev1.ResourceLimitsCPU:              "limits.cpu",
	corev1.ResourceLimitsMemory:           "limits.memory",
	corev1.ResourcePods:                   "pods",
	corev1.ResourcePersistentVolumeClaims: "persistentVolumeClaims",
	corev1.ResourceRequestsStorage:        "storage",
}

func quotaFix(in Input, a app, e quotafit.Exceeded) string {
	if e.Used.Cmp(e.Hard) <= 0 {
		return fmt.Sprintf("give every container of %s a value for %s (its resources in the config, or %s.limitRange)", a.Section, e.Resource, a.Section)
	}
	field, ok := quotaField[e.Resource]
	if !ok && a.Section == "ollama" && string(e.Resource) == "requests."+in.Env.Ollama.GPU.ResourceName {
		field, ok = "gpus", true
	}
	if !ok {
		return fmt.Sprintf("raise the quota's %s to at least %s", e.Resource, e.Used.String())
	}
	return fmt.Sprintf("set %s.quota.%s to at least %s (or lower what the app asks for)", a.Section, field, e.Used.String())
}
