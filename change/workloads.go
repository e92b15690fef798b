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
		f := Finding{Address: e.rel.Address, Object: e.id, Rule: RuleRefused}
		if n.obj.Hook != "" {
			hookCreate(f, n, add)
			continue
		}
		switch old := e.obj.Typed.(type) {
		case *corev1.PersistentVolumeClaim:
			if nw, ok := n.obj.Typed.(*corev1.PersistentVolumeClaim); ok {
				c.claimPatch(f, old, nw, add)
			}
		case *appsv1.StatefulSet:
			if nw, ok := n.obj.Typed.(*appsv1.StatefulSet); ok {
				orphan := kubectlDelete(e) + " --cascade=orphan"
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, orphan+"; kubectl delete pod -n "+e.obj.Namespace+" -l "+metav1.FormatLabelSelector(old.Spec.Selector)+"; then deploy: the claims stay and the new pods mount them", add)
				statefulSetPatch(f, e, n, orphan, add)
			}
		case *appsv1.Deployment:
			if nw, ok := n.obj.Typed.(*appsv1.Deployment); ok {
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, kubectlDelete(e)+", then deploy (its pods are replaced: an outage until the new ones are ready)", add)
			}
		case *appsv1.DaemonSet:
			if nw, ok := n.obj.Typed.(*appsv1.DaemonSet); ok {
				selectorPatch(f, old.Spec.Selector, nw.Spec.Selector, kubectlDelete(e)+", then deploy (its pods are replaced on every node)", add)
			}
		case *batchv1.Job:
			if _, ok := n.obj.Typed.(*batchv1.Job); ok {
				jobPatch(f, e, n, add)
			}
		case *corev1.Service:
			if nw, ok := n.obj.Typed.(*corev1.Service); ok {
				servicePatch(f, kubectlDelete(e), old, nw, add)
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

// hookCreate: Helm never patches a hook, it creates it anew on every
// upgrade, after deleting the old one by its delete policy:
// before-hook-creation (the default when it names none) deletes it then,
// hook-succeeded once it has run; with neither (hook-failed alone) the old
// one stays, and the create is refused.
func hookCreate(f Finding, n *entry, add func(Finding)) {
	policy := annotation(n, hookDeletePolicy)
	if policy == "" || strings.Contains(policy, "before-hook-creation") || strings.Contains(policy, "hook-succeeded") {
		return
	}
	f.Field, f.Old, f.New = "metadata.annotations."+hookDeletePolicy, policy, policy
	f.Message = fmt.Sprintf("Helm creates this hook (%s) anew on every upgrade, and with delete policy %s the one that ran stays: the API server refuses the create (already exists)", n.obj.Hook, policy)
	f.Fix = fmt.Sprintf("add before-hook-creation to its %s; or delete it before the deploy: %s", hookDeletePolicy, kubectlDelete(n))
	add(f)
}

// kubectlDelete is the command that deletes an object.
func kubectlDelete(e *entry) string {
	cmd := "kubectl delete " + strings.ToLower(e.obj.Kind) + " " + e.obj.Name
	if !clusterScoped[e.obj.Kind] {
		cmd += " -n " + e.obj.Namespace
	}
	return cmd
}

// jobPatch: a Job's pod template is immutable (a hook Job Helm creates
// anew: hookCreate).
func jobPatch(f Finding, e, n *entry, add func(Finding)) {
	old, _ := e.fields["spec"].(map[string]any)
	new, _ := n.fields["spec"].(map[string]any)
	var changes []FieldChange
	diffValues("spec.template", old["template"], new["template"], &changes)
	for _, ch := range changes {
		f.Field, f.Old, f.New = ch.Path, ch.Old, ch.New
		f.Message = "a Job's spec.template is immutable: the API server refuses the upgrade"
		f.Fix = fmt.Sprintf("delete the Job before the deploy (%s: it has run), or make it a Helm hook with %s: before-hook-creation, which Helm creates anew", kubectlDelete(e), hookDeletePolicy)
		add(f)
	}
}

// servicePatch: a Service's cluster IPs are immutable once set.
func servicePatch(f Finding, del string, old, new *corev1.Service, add func(Finding)) {
	fix := "keep the cluster IP as deployed (or leave it unset); else " + del + ", then deploy: clients that hold the old IP fail until they resolve the name again"
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
