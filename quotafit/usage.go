package quotafit

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
)

// Quota resource names this package computes besides the corev1 constants.
const (
	storageClassSuffixStorage = ".storageclass.storage.k8s.io/requests.storage"
	storageClassSuffixClaims  = ".storageclass.storage.k8s.io/persistentvolumeclaims"
	betaStorageClassAnnot     = "volume.beta.kubernetes.io/storage-class"
)

// Usage is what a set of objects charges against a namespace's quota at its
// peak.
type Usage struct {
	// Used is the total, keyed by quota resource names: pods, cpu,
	// requests.cpu, limits.cpu, memory, requests.memory, limits.memory,
	// requests.ephemeral-storage, hugepages-<size>, requests.<extended> (e.g.
	// requests.nvidia.com/gpu), persistentvolumeclaims, requests.storage and
	// <class>.storageclass.storage.k8s.io/{requests.storage,persistentvolumeclaims}.
	Used corev1.ResourceList
	// Items is the per-object breakdown, sorted by name and then kind.
	Items []Item
	// Problems are admission rejections that happen regardless of the quota,
	// sorted by object name.
	Problems []Problem
}

// Item is one object's share of a Usage.
type Item struct {
	// Object is "Kind/Name".
	Object string
	// Pods is the object's peak pod count (replicas + surge); 0 for a
	// PersistentVolumeClaim.
	Pods int64
	// Surge is how many of Pods exist only during a rolling update.
	Surge int64
	// Requests and Limits are one pod's effective values (PodRequirements),
	// keyed by resource name (cpu, memory, nvidia.com/gpu); for a
	// PersistentVolumeClaim, the claim's requests.
	Requests, Limits corev1.ResourceList
	// Used is everything the object charges, pods and claims, keyed by quota
	// resource names like Usage.Used.
	Used corev1.ResourceList
	// Missing lists, for the quota resources whose presence the quota
	// admission insists on (cpu, memory, requests.cpu, requests.memory,
	// limits.cpu, limits.memory), the containers that have no value for them
	// after defaulting. A quota that names one of them rejects these pods.
	Missing map[corev1.ResourceName][]string

	// pod holds what quota scopes look at; nil for a PersistentVolumeClaim.
	pod *podFacts
	// podUsed is the compute charge of all Pods; perPod that of one.
	podUsed, perPod corev1.ResourceList
	// claims are the PVCs the object creates or is.
	claims []claimUse
}

// podFacts are the properties of an object's pods that quota scopes select
// on.
type podFacts struct {
	bestEffort, terminating, crossNamespace bool
	priorityClass                           string
}

// claimUse is the charge of count PVCs with the same volume attributes class.
type claimUse struct {
	count int64
	vac   string
	used  corev1.ResourceList
}

// requiredPresent are the quota resources for which the quota admission
// requires every container to have a value (a backward-compatibility rule of
// the pod evaluator, limited to cpu and memory).
var requiredPresent = []corev1.ResourceName{
	corev1.ResourceCPU, corev1.ResourceMemory,
	corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory,
	corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory,
}

// NamespaceUsage sums what objs charge against a quota at their peak, with
// ranges (the namespace's LimitRanges) applied to every pod: pods counts each
// workload's replicas plus surge (Workloads), compute resources are the
// effective pod values (PodRequirements) times that count, and
// persistentvolumeclaims/requests.storage count PVC objects, StatefulSet
// volumeClaimTemplates times replicas and generic ephemeral volumes times
// pods. A PVC without a storage class is charged no per-class resource: the
// default class is assigned by the API server.
//
// Hook objects (helm.sh/hook) are counted like any other; leave out those
// that should not be (test hooks).
func NamespaceUsage(objs []runtime.Object, ranges []corev1.LimitRange) Usage {
	c := collect(objs)
	u := Usage{Used: corev1.ResourceList{}, Problems: c.problems}
	for _, w := range c.workloads {
		item, problems := workloadItem(w, ranges)
		u.Items = append(u.Items, item)
		u.Problems = append(u.Problems, problems...)
	}
	for _, pvc := range c.claims {
		obj := "PersistentVolumeClaim/" + pvc.Name
		u.Items = append(u.Items, Item{
			Object:   obj,
			Requests: pvc.Spec.Resources.Requests.DeepCopy(),
			Used:     claimCharge(pvc, 1),
			claims:   []claimUse{{count: 1, vac: vacOf(pvc), used: claimCharge(pvc, 1)}},
		})
		u.Problems = append(u.Problems, claimProblems(obj, "claim "+pvc.Name, pvc, ranges)...)
	}
	sort.SliceStable(u.Items, func(i, j int) bool { return lessObject(u.Items[i].Object, u.Items[j].Object) })
	sort.SliceStable(u.Problems, func(i, j int) bool { return lessObject(u.Problems[i].Object, u.Problems[j].Object) })
	for _, it := range u.Items {
		addList(u.Used, it.Used)
	}
	return u
}

func workloadItem(w Workload, ranges []corev1.LimitRange) (Item, []Problem) {
	obj := w.Object()
	p := evaluatePod(w.Template.Spec, ranges)
	pods := w.Pods()
	item := Item{
		Object:   obj,
		Pods:     pods,
		Surge:    int64(w.Surge),
		Requests: p.requests,
		Limits:   p.limits,
		Used:     corev1.ResourceList{},
		pod:      facts(p),
		perPod:   podCharge(p.requests, p.limits),
	}
	item.podUsed = times(item.perPod, pods)
	if pods > 0 {
		addList(item.Used, item.podUsed)
		item.Missing = missing(p)
	}
	var problems []Problem
	for _, pr := range p.problems {
		pr.Object = obj
		problems = append(problems, pr)
	}

	// StatefulSet claims: one per replica each; generic ephemeral volumes:
	// one per pod each.
	claim := func(pvc corev1.PersistentVolumeClaim, count int64, what string) {
		problems = append(problems, claimProblems(obj, what, pvc, ranges)...)
		if count <= 0 {
			return
		}
		used := claimCharge(pvc, count)
		item.claims = append(item.claims, claimUse{count: count, vac: vacOf(pvc), used: used})
		addList(item.Used, used)
	}
	for _, t := range w.Claims {
		claim(t, int64(w.Replicas), "volumeClaimTemplate "+t.Name)
	}
	for _, v := range w.Template.Spec.Volumes {
		if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil {
			t := v.Ephemeral.VolumeClaimTemplate
			claim(corev1.PersistentVolumeClaim{ObjectMeta: t.ObjectMeta, Spec: t.Spec}, pods, "ephemeral volume "+v.Name)
		}
	}
	return item, problems
}

// podCharge is what one pod charges, keyed by quota resource names, as the
// quota pod evaluator maps requests and limits.
func podCharge(requests, limits corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{corev1.ResourcePods: *resource.NewQuantity(1, resource.DecimalSI)}
	for _, k := range sortedKeys(requests) {
		v := requests[k]
		switch {
		case k == corev1.ResourceCPU || k == corev1.ResourceMemory || k == corev1.ResourceEphemeralStorage ||
			strings.HasPrefix(string(k), corev1.ResourceHugePagesPrefix):
			out[k] = v.DeepCopy()
			out[corev1.DefaultResourceRequestsPrefix+k] = v.DeepCopy()
		case extended(k):
			out[corev1.DefaultResourceRequestsPrefix+k] = v.DeepCopy()
		}
	}
	for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if v, ok := limits[k]; ok {
			out["limits."+k] = v.DeepCopy()
		}
	}
	return out
}

// claimCharge is what count PVCs like pvc charge.
func claimCharge(pvc corev1.PersistentVolumeClaim, count int64) corev1.ResourceList {
	one := corev1.ResourceList{corev1.ResourcePersistentVolumeClaims: *resource.NewQuantity(1, resource.DecimalSI)}
	storage, hasStorage := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if hasStorage {
		one[corev1.ResourceRequestsStorage] = storage.DeepCopy()
	}
	if class := classOf(pvc); class != "" {
		one[corev1.ResourceName(class+storageClassSuffixClaims)] = *resource.NewQuantity(1, resource.DecimalSI)
		if hasStorage {
			one[corev1.ResourceName(class+storageClassSuffixStorage)] = storage.DeepCopy()
		}
	}
	return times(one, count)
}

// claimProblems checks a PVC (described as what) against LimitRange items of
// type PersistentVolumeClaim.
func claimProblems(obj, what string, pvc corev1.PersistentVolumeClaim, ranges []corev1.LimitRange) []Problem {
	var out []Problem
	for _, lr := range ranges {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypePersistentVolumeClaim {
				continue
			}
			for _, msg := range rangeViolations(item, string(corev1.LimitTypePersistentVolumeClaim), pvc.Spec.Resources.Requests, nil) {
				out = append(out, Problem{Object: obj, Message: fmt.Sprintf("%s: %s (LimitRange %q)", what, msg, lr.Name)})
			}
		}
	}
	return out
}

func classOf(pvc corev1.PersistentVolumeClaim) string {
	if class, ok := pvc.Annotations[betaStorageClassAnnot]; ok {
		return class
	}
	if pvc.Spec.StorageClassName != nil {
		return *pvc.Spec.StorageClassName
	}
	return ""
}

func vacOf(pvc corev1.PersistentVolumeClaim) string {
	if pvc.Spec.VolumeAttributesClassName != nil {
		return *pvc.Spec.VolumeAttributesClassName
	}
	return ""
}

// missing lists, per quota resource the quota admission requires, the
// containers without a value for it.
func missing(p *pod) map[corev1.ResourceName][]string {
	out := map[corev1.ResourceName][]string{}
	for _, c := range p.containers {
		has := podCharge(c.c.Resources.Requests, c.c.Resources.Limits)
		for _, k := range requiredPresent {
			if _, ok := has[k]; !ok {
				out[k] = append(out[k], c.c.Name)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// facts derives what quota scopes select on from a defaulted pod.
func facts(p *pod) *podFacts {
	f := &podFacts{priorityClass: p.spec.PriorityClassName}
	f.terminating = p.spec.ActiveDeadlineSeconds != nil && *p.spec.ActiveDeadlineSeconds >= 0
	f.bestEffort = true
	qos := func(list corev1.ResourceList) {
		for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if v, ok := list[k]; ok && v.Sign() > 0 {
				f.bestEffort = false
			}
		}
	}
	for _, c := range p.containers {
		qos(c.c.Resources.Requests)
		qos(c.c.Resources.Limits)
	}
	if r := p.spec.Resources; r != nil {
		qos(r.Requests)
		qos(r.Limits)
	}
	if a := p.spec.Affinity; a != nil {
		var terms []corev1.PodAffinityTerm
		if pa := a.PodAffinity; pa != nil {
			terms = append(terms, pa.RequiredDuringSchedulingIgnoredDuringExecution...)
			for _, w := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
				terms = append(terms, w.PodAffinityTerm)
			}
		}
		if pa := a.PodAntiAffinity; pa != nil {
			terms = append(terms, pa.RequiredDuringSchedulingIgnoredDuringExecution...)
			for _, w := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
				terms = append(terms, w.PodAffinityTerm)
			}
		}
		for _, t := range terms {
			if len(t.Namespaces) > 0 || t.NamespaceSelector != nil {
				f.crossNamespace = true
			}
		}
	}
	return f
}

// times multiplies every value of list by n.
func times(list corev1.ResourceList, n int64) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range list {
		v = v.DeepCopy()
		v.Mul(n)
		out[k] = v
	}
	return out
}
