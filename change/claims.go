package change

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// tellClasses is the way to tell the check what it does not know of classes.
const tellClasses = "tell the check: set cluster.storageClasses in the config (name, default, allowVolumeExpansion) or run with a reachable cluster"

// copyData is the way to move a claim's data to a claim it cannot become.
const copyData = "copy the data to a new claim: snapshot or back up the volume, deploy the new claim under another name, restore into it, then point the app at it"

// class resolves a claim's class: its storageClassName ("" is no class: a
// statically provisioned volume, never expanded), else the default class.
// known is false when the check cannot tell; desc names it either way.
func (c *checker) class(name *string) (sc StorageClass, known bool, desc string) {
	unknown := func(missing string) string {
		if c.in.StorageClassesFrom == "" {
			return "no StorageClasses are known to the check"
		}
		return "the classes known from " + c.in.StorageClassesFrom + " " + missing
	}
	switch {
	case name == nil && c.defaultClass == nil:
		return StorageClass{}, false, "the default class, unknown: " + unknown("name no default")
	case name == nil:
		return *c.defaultClass, true, fmt.Sprintf("%q (the default class)", c.defaultClass.Name)
	case *name == "":
		return StorageClass{AllowVolumeExpansion: new(bool)}, true, `"" (no class: a statically provisioned volume)`
	}
	sc, known = c.classes[*name]
	if !known {
		return StorageClass{}, false, fmt.Sprintf("%q, unknown: %s", *name, unknown("do not include it"))
	}
	return sc, true, fmt.Sprintf("%q", *name)
}

// claimPatch predicts the API server's answer to the upgrade of a claim: a
// claim's spec is immutable after creation but for resources.requests (and
// volumeAttributesClassName), and its storage request may only grow, on a
// class that allows expansion.
func (c *checker) claimPatch(f Finding, old, new *corev1.PersistentVolumeClaim, add func(Finding)) {
	refuse := func(field, o, n, msg, fix string) {
		f.Rule, f.Field, f.Old, f.New, f.Message, f.Fix = RuleRefused, field, o, n, msg, fix
		add(f)
	}
	immutable := "a claim's spec is immutable after creation but for resources.requests: the API server refuses the upgrade"
	c.claimClass(old, new, refuse, immutable)
	if o, n := strings.Join(modes(old), ","), strings.Join(modes(new), ","); o != n {
		refuse("spec.accessModes", o, n, immutable, "keep accessModes "+o+" in the config; to change them, "+copyData)
	}
	if o, n := volumeMode(old), volumeMode(new); o != n {
		refuse("spec.volumeMode", o, n, immutable, "keep volumeMode "+o+" in the config; to change it, "+copyData)
	}
	if o, n := old.Spec.VolumeName, new.Spec.VolumeName; o != n {
		msg := immutable
		if o == "" {
			msg += " (the claim is bound already: only the name of the volume it is bound to passes)"
		}
		refuse("spec.volumeName", o, n, msg, "leave volumeName as deployed ("+orNone(o)+"); to bind another volume, create a new claim that names it")
	}
	c.claimSize(f, old, new, add)
}

// claimClass checks spec.storageClassName: the rendered value, else the
// default class the API server set when it created the claim.
func (c *checker) claimClass(old, new *corev1.PersistentVolumeClaim, refuse func(field, o, n, msg, fix string), immutable string) {
	o, n := old.Spec.StorageClassName, new.Spec.StorageClassName
	switch {
	case equality.Semantic.DeepEqual(o, n):
	case n == nil:
		refuse("spec.storageClassName", *o, "", immutable+" (removing it from the chart makes Helm's patch clear it)", fmt.Sprintf("keep storageClass %q in the config", *o))
	case o == nil:
		// Created without one, the claim got the default class then.
		if _, known, desc := c.class(nil); !known {
			refuse("spec.storageClassName", "", *n, fmt.Sprintf("the claim was created without a class, so it got %s; if that is not %q, %s", desc, *n, immutable), "keep storageClass unset in the config, or "+tellClasses)
		} else if c.defaultClass.Name != *n {
			refuse("spec.storageClassName", "", *n, fmt.Sprintf("the claim was created without a class, so it got %s; %s", desc, immutable), fmt.Sprintf("keep storageClass unset (or %q) in the config; to move to class %q, %s", c.defaultClass.Name, *n, copyData))
		}
	default:
		refuse("spec.storageClassName", *o, *n, immutable, fmt.Sprintf("keep storageClass %q in the config; to move the data to class %q, %s", *o, *n, copyData))
	}
}

// claimSize checks spec.resources.requests.storage: a shrink is refused, a
// growth is refused unless the class allows expansion, and then cannot be
// undone.
func (c *checker) claimSize(f Finding, old, new *corev1.PersistentVolumeClaim, add func(Finding)) {
	o, oOK := old.Spec.Resources.Requests[corev1.ResourceStorage]
	n, nOK := new.Spec.Resources.Requests[corev1.ResourceStorage]
	if !oOK || !nOK || o.Cmp(n) == 0 {
		return
	}
	f.Field, f.Old, f.New, f.Rule = "spec.resources.requests.storage", o.String(), n.String(), RuleRefused
	keep := fmt.Sprintf("keep %s in the config", o.String())
	if o.Cmp(n) > 0 {
		f.Message = fmt.Sprintf("the claim shrinks from %s to %s: the API server never lets a claim shrink", o.String(), n.String())
		f.Fix = keep + "; to use less, " + copyData
		add(f)
		return
	}
	sc, known, desc := c.class(new.Spec.StorageClassName)
	switch {
	case !known:
		f.Message = fmt.Sprintf("the claim grows from %s to %s; its class is %s, so the check cannot tell whether it allows volume expansion; without it, the API server refuses the upgrade", o.String(), n.String(), desc)
		f.Fix = tellClasses + "; until then " + keep
	case sc.AllowVolumeExpansion == nil:
		f.Message = fmt.Sprintf("the claim grows from %s to %s; whether its class %s allows volume expansion is unknown (from %s); without it, the API server refuses the upgrade", o.String(), n.String(), desc, orNone(c.in.StorageClassesFrom))
		f.Fix = tellClasses + "; until then " + keep
	case !*sc.AllowVolumeExpansion:
		f.Message = fmt.Sprintf("the claim grows from %s to %s, but its class %s does not allow volume expansion: the API server refuses the upgrade", o.String(), n.String(), desc)
		f.Fix = fmt.Sprintf("%s; to get %s, %s; or, if the class's provisioner can expand volumes, set allowVolumeExpansion: true on StorageClass %s, then deploy", keep, n.String(), copyData, sc.Name)
	default:
		f.Rule = RuleIrreversible
		f.Message = fmt.Sprintf("the claim grows from %s to %s in place: its class %s allows volume expansion, so the API server resizes the volume (some drivers grow the file system only when the pod restarts); a claim never shrinks, so once deployed a `git revert` of this and a deploy would be refused", o.String(), n.String(), desc)
		f.Fix = fmt.Sprintf("to go back, keep %s in the config and revert everything else", n.String())
	}
	add(f)
}

func modes(pvc *corev1.PersistentVolumeClaim) []string {
	out := make([]string, len(pvc.Spec.AccessModes))
	for i, m := range pvc.Spec.AccessModes {
		out[i] = string(m)
	}
	return out
}

// volumeMode is the claim's, Filesystem (the API server's default) when unset.
func volumeMode(pvc *corev1.PersistentVolumeClaim) string {
	if pvc.Spec.VolumeMode == nil {
		return string(corev1.PersistentVolumeFilesystem)
	}
	return string(*pvc.Spec.VolumeMode)
}

// keepPolicy is the annotation that makes Helm leave an object it would delete.
const keepPolicy = "helm.sh/resource-policy"

// checkClaimsGone finds the deployed claims the deploy deletes: those in a
// namespace the base stack deletes, and those no longer in their release.
func (c *checker) checkClaimsGone(add func(Finding)) {
	for _, e := range c.deployed.order {
		pvc, ok := e.obj.Typed.(*corev1.PersistentVolumeClaim)
		if !ok {
			continue
		}
		name, ns := e.obj.Name, e.obj.Namespace
		f := Finding{Address: e.rel.Address, Object: e.id, Rule: RuleDataLoss}
		nextRel := c.next.rels[e.rel.Address]
		n, inNext := c.next.byID[e.id]
		switch {
		case c.removedNamespaces[ns]:
			f.Field, f.Old, f.New = "metadata.namespace", ns, "(deleted)"
			if nextRel != nil && nextRel.Namespace != e.rel.Namespace {
				f.New = nextRel.Namespace
			}
			f.Message = fmt.Sprintf("the base stack's plan deletes or replaces namespace %s, and deleting a namespace deletes its claims, this one with its volume (a dynamically provisioned volume's reclaim policy is Delete)", ns)
			f.Fix = c.namespaceFix(e, name)
		case inNext && sameRelease(n.rel, e.rel):
			continue
		case pvc.Annotations[keepPolicy] == "keep":
			f.Rule, f.Field, f.Old, f.New = RuleLeftBehind, "metadata.annotations."+keepPolicy, "keep", "keep"
			f.Message = fmt.Sprintf("the next deploy no longer has the claim in %s, and Helm leaves it (helm.sh/resource-policy: keep): it stays, with its data, in no release; installing a claim of that name there fails until it is deleted", e.rel.Address)
			f.Fix = fmt.Sprintf("delete it once the data is not needed (kubectl delete pvc %s -n %s), or bind its volume to the claim that replaces it", name, ns)
		case nextRel != nil && nextRel.Namespace != e.rel.Namespace:
			f.Field, f.Old, f.New = "metadata.namespace", e.rel.Namespace, nextRel.Namespace
			f.Message = fmt.Sprintf("release %s moves from namespace %s to %s: the provider replaces the release, and its uninstall deletes the claim, with its volume; the new one starts empty", e.rel.Name, e.rel.Namespace, nextRel.Namespace)
			f.Fix = c.namespaceFix(e, name)
		default:
			f.Field, f.Old, f.New, f.Message = "object", storage(e, pvc), "", c.goneCause(e, nextRel, n)
			f.Fix = fmt.Sprintf("keep the claim in the release; or, to keep the data without it, first annotate it (kubectl annotate pvc %s -n %s %s=keep) or copy the data away (snapshot or backup); or accept the loss knowingly in the config: changes.accept: [{object: %s, rule: %s, reason: …}]", name, ns, keepPolicy, e.id, RuleDataLoss)
		}
		add(f)
	}
}

// goneCause says why a deployed claim is not in its release next time.
func (c *checker) goneCause(e *entry, nextRel *Release, n *entry) string {
	const deletes = "deletes the claim, and its volume with it (a dynamically provisioned volume's reclaim policy is Delete)"
	switch {
	case nextRel == nil:
		return fmt.Sprintf("release %s leaves the stack: its uninstall %s", e.rel.Name, deletes)
	case nextRel.Name != e.rel.Name:
		return fmt.Sprintf("release %s is renamed %s: the provider replaces the release, and the old one's uninstall %s; the new one starts empty", e.rel.Name, nextRel.Name, deletes)
	case n != nil:
		return fmt.Sprintf("the claim moves from %s to %s: the upgrade of %s %s; %s's install then makes an empty one, or fails while the old one is still there", e.rel.Address, n.rel.Address, e.rel.Address, deletes, n.rel.Address)
	}
	return fmt.Sprintf("the chart no longer renders the claim (removed or renamed): the upgrade %s", deletes)
}

// namespaceFix is the way through namespace ns going with claim in it:
// renamed (the release moves to another namespace) or deleted by the base
// stack's plan (and created again, if the plan replaces it).
func (c *checker) namespaceFix(e *entry, claim string) string {
	ns := e.obj.Namespace
	to, why := "namespace "+ns+" (once made again)", "keep namespace "+ns+": undo what in the base stack deletes or replaces it (its plan names the attribute)"
	if r := c.next.rels[e.rel.Address]; r != nil && r.Namespace != ns {
		to, why = "namespace "+r.Namespace, "a namespace's name is immutable, so a rename is a replacement: namespace "+ns+" is deleted, and its claims and volumes with it. To keep the data, keep namespace "+ns+" in the config"
	}
	return fmt.Sprintf("%[4]s; or copy the data first (snapshot or backup, restore into the claim in %[2]s); "+
		"or bind the old volume to a claim in %[2]s: before the deploy PV=$(kubectl get pvc %[3]s -n %[1]s -o jsonpath={.spec.volumeName}); "+
		`kubectl patch pv $PV -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'; kubectl delete pvc %[3]s -n %[1]s; `+
		`kubectl patch pv $PV --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'; then create the claim in %[2]s with volumeName: $PV`, ns, to, claim, why)
}

// checkTemplateClaims finds the claims a deployed StatefulSet made from its
// volumeClaimTemplates that the deploy deletes: they are in no release, so
// only a namespace's deletion takes them, or the StatefulSet's when its
// persistentVolumeClaimRetentionPolicy.whenDeleted is Delete.
func (c *checker) checkTemplateClaims(add func(Finding)) {
	for _, e := range c.deployed.order {
		sts, ok := e.obj.Typed.(*appsv1.StatefulSet)
		if !ok {
			continue
		}
		n, inNext := c.next.byID[e.id]
		policy := sts.Spec.PersistentVolumeClaimRetentionPolicy
		var msg, fix string
		switch {
		case c.removedNamespaces[e.obj.Namespace]:
			msg = fmt.Sprintf("the base stack's plan deletes or replaces namespace %s, and deleting a namespace deletes the claims made from this template, with their volumes", e.obj.Namespace)
		case (!inNext || !sameRelease(n.rel, e.rel)) && policy != nil && policy.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
			msg = "the StatefulSet goes, and its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete: the claims made from this template go with it, with their volumes"
			fix = "first deploy persistentVolumeClaimRetentionPolicy.whenDeleted: Retain, then remove the StatefulSet; or copy the data away (snapshot or backup); or accept the loss knowingly in the config: changes.accept: [{object: " + e.id + ", rule: " + RuleDataLoss + ", reason: …}]"
		default:
			continue
		}
		replicas := 1
		if sts.Spec.Replicas != nil {
			replicas = int(*sts.Spec.Replicas)
		}
		for _, t := range sts.Spec.VolumeClaimTemplates {
			claims := make([]string, replicas)
			for i := range claims {
				claims[i] = fmt.Sprintf("%s-%s-%d", t.Name, sts.Name, i)
			}
			f := Finding{Address: e.rel.Address, Object: e.id, Rule: RuleDataLoss, Field: "spec.volumeClaimTemplates[" + t.Name + "]", Old: strings.Join(claims, ", "), Message: msg, Fix: fix}
			if f.Fix == "" {
				f.Fix = c.namespaceFix(e, claims[0]) + " (for each claim)"
			}
			add(f)
		}
	}
}

// storage is a claim's size, for a finding's old value.
func storage(e *entry, pvc *corev1.PersistentVolumeClaim) string {
	q := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	return fmt.Sprintf("%s/%s (%s)", e.obj.Namespace, e.obj.Name, q.String())
}
