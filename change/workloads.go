package change

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkPatches runs the refused rules on every object the deploy upgrades
// in place: one in both, in the same release, not in a namespace the base
// stack deletes (a replaced release or namespace deletes and creates its
// objects, which the API server never refuses).
func (c *checker) checkPatches(add func(Finding)) {
	for _, e := range c.deployed.order {
		n, ok := c.next.byID[e.id]
		if !ok || !sameRelease(e.rel, n.rel) || (c.removedNamespaces[e.obj.Namespace] && !clusterScoped[e.obj.Kind]) {
			continue
		}
		name, ns := e.obj.Name, e.obj.Namespace
		f := Finding{Address: e.rel.Address, Object: e.id, Rule: RuleRefused}
		switch old := e.obj.Typed.(type) {
		case *corev1.PersistentVolumeClaim:
			if nw, ok := n.obj.Typed.(*corev1.PersistentVolumeClaim); ok {
				c.claimPatch(f, old, nw, add)
			}
		case *appsv1.StatefulSet:
			if nw, ok := n.obj.Typed.(*appsv1.StatefulSet); ok {
				orphan := fmt.Sprintf("kubectl delete statefulset %s -n %s --cascade=orphan", name, ns)
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, orphan+"; kubectl delete pod -n "+old.Namespace+" -l "+metav1.FormatLabelSelector(old.Spec.Selector)+"; then deploy: the claims stay and the new pods mount them", add)
				statefulSetPatch(f, e, n, orphan, add)
			}
		case *appsv1.Deployment:
			if nw, ok := n.obj.Typed.(*appsv1.Deployment); ok {
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, fmt.Sprintf("kubectl delete deployment %s -n %s, then deploy (its pods are replaced: an outage until the new ones are ready)", name, ns), add)
			}
		case *appsv1.DaemonSet:
			if nw, ok := n.obj.Typed.(*appsv1.DaemonSet); ok {
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, fmt.Sprintf("kubectl delete daemonset %s -n %s, then deploy (its pods are replaced on every node)", name, ns), add)
			}
		case *batchv1.Job:
			if nw, ok := n.obj.Typed.(*batchv1.Job); ok && !recreated(n.obj.Hook, nw) {
				jobPatch(f, e, n, add)
			}
		case *corev1.Service:
			if nw, ok := n.obj.Typed.(*corev1.Service); ok {
				servicePatch(f, name, ns, old, nw, add)
			}
		}
	}
}

// selectorPatch: the selector of an apps/v1 workload is immutable.
func selectorPatch(f Finding, old, new *metav1.LabelSelector, fix string, add func(Finding)) {
	if equality.Semantic.DeepEqual(old, new) {
		return
	}
	f.Field, f.Old, f.New = "spec.selector", metav1.FormatLabelSelector(old), metav1.FormatLabelSelector(new)
	f.Message = "the selector of a Deployment, DaemonSet or StatefulSet is immutable: the API server refuses the upgrade"
	f.Fix = "keep the selector (its labels) as deployed; else " + fix
	add(f)
}

// statefulSetUpdatable are the spec fields the API server lets an upgrade
// change; the selector has its own rule.
var statefulSetUpdatable = map[string]bool{
	"replicas": true, "ordinals": true, "template": true, "updateStrategy": true,
	"persistentVolumeClaimRetentionPolicy": true, "minReadySeconds": true, "selector": true,
}

// statefulSetDefaults are the API server's defaults of the other fields, so
// that a chart that starts or stops spelling one out changes nothing.
var statefulSetDefaults = map[string]any{"podManagementPolicy": "OrderedReady", "revisionHistoryLimit": int64(10)}

// statefulSetPatch: a StatefulSet's spec is immutable but for a few fields.
func statefulSetPatch(f Finding, e, n *entry, orphan string, add func(Finding)) {
	old, _ := e.fields["spec"].(map[string]any)
	new, _ := n.fields["spec"].(map[string]any)
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range new {
		keys[k] = true
	}
	var changes []FieldChange
	for _, k := range sortedKeys(keys) {
		if statefulSetUpdatable[k] {
			continue
		}
		o, nw := old[k], new[k]
		if d, ok := statefulSetDefaults[k]; ok {
			o, nw = orDefault(o, d), orDefault(nw, d)
		}
		diffValues("spec."+k, o, nw, &changes)
	}
	for _, ch := range changes {
		f.Field, f.Old, f.New = ch.Path, ch.Old, ch.New
		f.Message = "a StatefulSet's spec is immutable but for replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds: the API server refuses the upgrade"
		f.Fix = orphan + ", then deploy: the pods and their claims stay, and the new StatefulSet adopts them"
		if strings.HasPrefix(ch.Path, "spec.volumeClaimTemplates") {
			f.Fix += "; the claims made from the old template keep their spec: resize each claim itself (its class must allow expansion)"
		}
		add(f)
	}
}

func orDefault(v, d any) any {
	if v == nil {
		return d
	}
	return v
}

// hookDeletePolicy is the annotation that says when Helm deletes a hook.
const hookDeletePolicy = "helm.sh/hook-delete-policy"

// recreated is true for a Job Helm deletes and creates anew on every
// upgrade, which the API server never refuses: a hook whose delete policy
// is before-hook-creation (Helm's default when it names none).
func recreated(hook string, job *batchv1.Job) bool {
	policy := job.Annotations[hookDeletePolicy]
	return hook != "" && (policy == "" || strings.Contains(policy, "before-hook-creation"))
}

// jobPatch: a Job's pod template is immutable.
func jobPatch(f Finding, e, n *entry, add func(Finding)) {
	old, _ := e.fields["spec"].(map[string]any)
	new, _ := n.fields["spec"].(map[string]any)
	var changes []FieldChange
	diffValues("spec.template", old["template"], new["template"], &changes)
	for _, ch := range changes {
		f.Field, f.Old, f.New = ch.Path, ch.Old, ch.New
		f.Message = "a Job's spec.template is immutable: the API server refuses the upgrade"
		f.Fix = fmt.Sprintf("delete the Job before the deploy (kubectl delete job %s -n %s: it has run), or make it a Helm hook with %s: before-hook-creation, which Helm recreates", e.obj.Name, e.obj.Namespace, hookDeletePolicy)
		add(f)
	}
}

// servicePatch: a Service's cluster IPs are immutable once set.
func servicePatch(f Finding, name, ns string, old, new *corev1.Service, add func(Finding)) {
	fix := fmt.Sprintf("keep the cluster IP as deployed (or leave it unset); else kubectl delete service %s -n %s, then deploy: clients that hold the old IP fail until they resolve the name again", name, ns)
	msg := "a Service's cluster IP is immutable: the API server refuses the upgrade"
	if o, n := old.Spec.ClusterIP, new.Spec.ClusterIP; o != "" && n != "" && o != n {
		f.Field, f.Old, f.New, f.Message, f.Fix = "spec.clusterIP", o, n, msg, fix
		add(f)
	}
	if o, n := strings.Join(old.Spec.ClusterIPs, ","), strings.Join(new.Spec.ClusterIPs, ","); o != "" && n != "" && o != n {
		f.Field, f.Old, f.New, f.Message, f.Fix = "spec.clusterIPs", o, n, msg, fix
		add(f)
	}
}
