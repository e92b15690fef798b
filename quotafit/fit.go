package quotafit

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Exceeded is one way a quota rejects the objects.
type Exceeded struct {
	// Resource is the quota resource name, e.g. requests.memory.
	Resource corev1.ResourceName
	// Used is what the objects charge for Resource at their peak; Hard is
	// the quota's spec.hard value.
	Used, Hard resource.Quantity
	// Message explains it with the per-object numbers, e.g.
	// `requests.memory: needs 40Gi, quota "team" allows 32Gi (over by 8Gi):
	// Deployment/ollama 2 pods × 16Gi = 32Gi; StatefulSet/qdrant 1 pod × 8Gi = 8Gi`.
	Message string
}

// Fit compares u with quota's spec.hard and returns, sorted by resource,
// every way the quota would reject the objects (nil when they fit):
//
//   - a resource named in hard whose use is above it;
//   - when hard names cpu, memory, requests.cpu, requests.memory, limits.cpu
//     or limits.memory, containers that still have no value for it after
//     defaulting: the quota admission rejects their pods ("must specify
//     limits.cpu") whatever the totals are.
//
// Only objects the quota's scopes (spec.scopes and spec.scopeSelector) select
// are charged, as the quota admission does; PVCs are selected only by the
// VolumeAttributesClass scope. Hard resources this package does not compute
// are ignored: object counts (count/*, services, ...), and names the quota
// never enforces, such as an extended resource without the requests. prefix
// (nvidia.com/gpu; only requests.nvidia.com/gpu is tracked) or
// limits.nvidia.com/gpu.
//
// u is only what the objects add: for a namespace shared with other
// releases, lower the hard values by the usage that stays.
func Fit(u Usage, quota corev1.ResourceQuota) []Exceeded {
	sels := selectors(quota)
	shares := make([]share, len(u.Items))
	used := u.Used
	if len(sels) > 0 {
		used = corev1.ResourceList{}
	}
	for i, it := range u.Items {
		shares[i] = shareOf(it, sels)
		if len(sels) > 0 {
			addList(used, shares[i].used)
		}
	}

	var out []Exceeded
	for _, k := range sortedKeys(quota.Spec.Hard) {
		if !tracked(k) {
			continue
		}
		hard := quota.Spec.Hard[k]
		v := used[k].DeepCopy()
		if v.Cmp(hard) > 0 {
			over := v.DeepCopy()
			over.Sub(hard)
			var parts []string
			for i, it := range u.Items {
				if c := contribution(it, shares[i], k); c != "" {
					parts = append(parts, c)
				}
			}
			out = append(out, Exceeded{Resource: k, Used: v, Hard: hard, Message: fmt.Sprintf(
				"%s: needs %s, quota %q allows %s (over by %s): %s",
				k, v.String(), quota.Name, hard.String(), over.String(), strings.Join(parts, "; "))})
		}
		if slices.Contains(requiredPresent, k) {
			var lacking []string
			for i, it := range u.Items {
				if names := it.Missing[k]; len(names) > 0 && shares[i].pods && it.Pods > 0 {
					lacking = append(lacking, fmt.Sprintf("%s (container %s)", it.Object, strings.Join(names, ", ")))
				}
			}
			if len(lacking) > 0 {
				res, what := requiredValue(k)
				out = append(out, Exceeded{Resource: k, Used: v, Hard: hard, Message: fmt.Sprintf(
					"%s: quota %q tracks %s, so every container and init container needs a %s %s, and these have none even after LimitRange defaults: %s; their pods are rejected (must specify %s)",
					k, quota.Name, k, res, what, strings.Join(lacking, "; "), k)})
			}
		}
	}
	return out
}

// share is the part of an Item a quota charges.
type share struct {
	pods   bool       // the item's pods are selected
	claims []claimUse // the item's claims that are selected
	used   corev1.ResourceList
}

func shareOf(it Item, sels []corev1.ScopedResourceSelectorRequirement) share {
	if len(sels) == 0 {
		return share{pods: it.pod != nil || len(it.Missing) > 0, claims: it.claims, used: it.Used}
	}
	s := share{used: corev1.ResourceList{}}
	s.pods = it.pod != nil
	for _, sel := range sels {
		s.pods = s.pods && podSelected(it.pod, sel)
	}
	if s.pods && it.Pods > 0 {
		addList(s.used, it.podUsed)
	}
	for _, c := range it.claims {
		ok := true
		for _, sel := range sels {
			ok = ok && sel.ScopeName == corev1.ResourceQuotaScopeVolumeAttributesClass && valueSelected(sel, c.vac)
		}
		if ok {
			s.claims = append(s.claims, c)
			addList(s.used, c.used)
		}
	}
	return s
}

// contribution describes an item's share of k, e.g. "Deployment/ollama 2
// pods × 16Gi = 32Gi"; empty if it has none.
func contribution(it Item, s share, k corev1.ResourceName) string {
	var parts []string
	if v, ok := it.podUsed[k]; ok && s.pods && it.Pods > 0 {
		switch {
		case k == corev1.ResourcePods && it.Surge > 0:
			parts = append(parts, fmt.Sprintf("%d pods (%d of them rolling-update surge)", it.Pods, it.Surge))
		case k == corev1.ResourcePods:
			parts = append(parts, fmt.Sprintf("%d %s", it.Pods, plural(it.Pods, "pod")))
		default:
			one := it.perPod[k]
			parts = append(parts, fmt.Sprintf("%d %s × %s = %s", it.Pods, plural(it.Pods, "pod"), one.String(), v.String()))
		}
	}
	var count int64
	sum := resource.Quantity{}
	for _, c := range s.claims {
		if v, ok := c.used[k]; ok {
			count += c.count
			sum.Add(v)
		}
	}
	if count > 0 {
		if it.pod == nil {
			parts = append(parts, sum.String())
		} else {
			parts = append(parts, fmt.Sprintf("%d %s = %s", count, plural(count, "claim"), sum.String()))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return it.Object + " " + strings.Join(parts, " + ")
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// requiredValue is which container value a required quota resource needs.
func requiredValue(k corev1.ResourceName) (res, what string) {
	switch k {
	case corev1.ResourceLimitsCPU:
		return "cpu", "limit"
	case corev1.ResourceLimitsMemory:
		return "memory", "limit"
	case corev1.ResourceCPU, corev1.ResourceRequestsCPU:
		return "cpu", "request"
	default:
		return "memory", "request"
	}
}

// tracked reports whether k is a quota resource this package computes (and
// the quota pod or PVC evaluator enforces).
func tracked(k corev1.ResourceName) bool {
	switch k {
	case corev1.ResourcePods,
		corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
		corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
		corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage,
		corev1.ResourcePersistentVolumeClaims, corev1.ResourceRequestsStorage:
		return true
	}
	s := string(k)
	switch {
	case strings.HasPrefix(s, corev1.ResourceHugePagesPrefix), strings.HasPrefix(s, corev1.ResourceRequestsHugePagesPrefix):
		return true
	case strings.HasSuffix(s, storageClassSuffixStorage), strings.HasSuffix(s, storageClassSuffixClaims):
		return true
	case strings.HasPrefix(s, corev1.DefaultResourceRequestsPrefix):
		// requests.<extended>, e.g. requests.nvidia.com/gpu.
		return !native(k)
	}
	return false
}

// selectors turns a quota's scopes and scope selector into one list, all of
// which must select an object for the quota to charge it.
func selectors(q corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		out = append(out, q.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

// podSelected reports whether a scope selects pods with facts f. Like the
// quota pod evaluator, only PriorityClass looks at the operator.
func podSelected(f *podFacts, sel corev1.ScopedResourceSelectorRequirement) bool {
	if f == nil {
		return false
	}
	switch sel.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return f.terminating
	case corev1.ResourceQuotaScopeNotTerminating:
		return !f.terminating
	case corev1.ResourceQuotaScopeBestEffort:
		return f.bestEffort
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !f.bestEffort
	case corev1.ResourceQuotaScopePriorityClass:
		return valueSelected(sel, f.priorityClass)
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return f.crossNamespace
	}
	return false
}

// valueSelected applies a selector's operator to a value that is "" when
// unset, with label-selector semantics (NotIn selects unset values).
func valueSelected(sel corev1.ScopedResourceSelectorRequirement, v string) bool {
	switch sel.Operator {
	case corev1.ScopeSelectorOpExists:
		return v != ""
	case corev1.ScopeSelectorOpDoesNotExist:
		return v == ""
	case corev1.ScopeSelectorOpIn:
		return v != "" && slices.Contains(sel.Values, v)
	case corev1.ScopeSelectorOpNotIn:
		return v == "" || !slices.Contains(sel.Values, v)
	}
	return false
}
