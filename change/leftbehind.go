package change

import (
	"fmt"
	"strings"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// checkLeftBehind warns of what outlives what it needs: Ingresses whose
// controller goes, cluster-scoped objects of a release that leaves the
// stack, webhooks that fail closed and whose service goes.
func (c *checker) checkLeftBehind(add func(Finding)) {
	c.checkIngressClasses(add)
	c.checkClusterScoped(add)
	c.checkWebhooks(add)
}

// checkIngressClasses: an Ingress of the next deploy whose class only a
// deployed release renders.
func (c *checker) checkIngressClasses(add func(Finding)) {
	for _, n := range c.next.order {
		ing, ok := n.obj.Typed.(*networkingv1.Ingress)
		if !ok || ing.Spec.IngressClassName == nil {
			continue
		}
		class := *ing.Spec.IngressClassName
		id := "IngressClass " + class
		d, deployed := c.deployed.byID[id]
		if _, next := c.next.byID[id]; next || !deployed {
			continue
		}
		add(Finding{
			Address: n.rel.Address, Object: n.id, Rule: RuleLeftBehind,
			Field: "spec.ingressClassName", Old: class + " (rendered by " + d.rel.Address + ")", New: class + " (rendered by no release)",
			Message: fmt.Sprintf("IngressClass %s goes with %s, and its controller with it; the Ingress stays, but no controller serves it: its hosts stop answering", class, d.rel.Address),
			Fix:     fmt.Sprintf("keep %s in the stack; or point the Ingress at a class that stays (ingressClassName), or drop it with its controller", d.rel.Address),
		})
	}
}

// checkClusterScoped: the cluster-scoped objects of a release that leaves
// the stack, which a namespace's deletion does not take with it.
func (c *checker) checkClusterScoped(add func(Finding)) {
	for _, e := range c.deployed.order {
		if _, stays := c.next.rels[e.rel.Address]; stays || !clusterScoped[e.obj.Kind] {
			continue
		}
		policy := annotation(e, hookDeletePolicy)
		if e.obj.Hook != "" && strings.Contains(policy, "hook-succeeded") {
			continue // Helm deleted it once the hook ran
		}
		f := Finding{Address: e.rel.Address, Object: e.id, Rule: RuleLeftBehind, Field: "release", Old: e.rel.Name}
		del := kubectlDelete(e)
		switch {
		case e.obj.Kind == "CustomResourceDefinition":
			f.Message = fmt.Sprintf("release %s leaves the stack, and Helm never deletes a CustomResourceDefinition: it stays, with every custom resource of it", e.rel.Name)
			f.Fix = "delete it by hand once no custom resource of it is needed (" + del + " deletes them all)"
		case e.obj.Hook != "":
			f.Message = fmt.Sprintf("release %s leaves the stack, and an uninstall never deletes a hook (%s): this cluster-scoped object stays, in no release", e.rel.Name, e.obj.Hook)
			f.Fix = "delete it after the deploy: " + del
		default:
			f.Message = fmt.Sprintf("release %s leaves the stack; its uninstall deletes this cluster-scoped object only if it runs before namespace %s goes (a namespace takes only its namespaced objects); else it stays, in no release, and a later install of the chart fails on it", e.rel.Name, e.rel.Namespace)
			f.Fix = "uninstall the release before its namespace is deleted; if it is left: " + del
		}
		add(f)
	}
}

// annotation is an object's annotation key, empty when it has none.
func annotation(e *entry, key string) string {
	meta, _ := e.fields["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	v, _ := ann[key].(string)
	return v
}

// webhook is one webhook of a Validating- or MutatingWebhookConfiguration.
type webhook struct {
	name    string
	policy  *admissionv1.FailurePolicyType
	service *admissionv1.ServiceReference
	rules   []admissionv1.RuleWithOperations
}

func webhooksOf(o runtime.Object) []webhook {
	var out []webhook
	switch o := o.(type) {
	case *admissionv1.ValidatingWebhookConfiguration:
		for _, w := range o.Webhooks {
			out = append(out, webhook{w.Name, w.FailurePolicy, w.ClientConfig.Service, w.Rules})
		}
	case *admissionv1.MutatingWebhookConfiguration:
		for _, w := range o.Webhooks {
			out = append(out, webhook{w.Name, w.FailurePolicy, w.ClientConfig.Service, w.Rules})
		}
	}
	return out
}

// checkWebhooks: a webhook that fails closed (failurePolicy Fail, the
// default) whose service goes while its configuration stays: in the next
// deploy, or left by the uninstall of a release that leaves the stack.
func (c *checker) checkWebhooks(add func(Finding)) {
	for _, n := range c.next.order {
		c.webhookServices(n, add, fmt.Sprintf("the configuration stays in %s", n.rel.Address),
			"keep the Service (and the pods behind it) while the configuration calls it, drop the configuration with it, or set failurePolicy: Ignore")
	}
	for _, e := range c.deployed.order {
		_, relStays := c.next.rels[e.rel.Address]
		if _, stays := c.next.byID[e.id]; stays || relStays {
			continue
		}
		stays := fmt.Sprintf("the configuration outlives it unless release %s is uninstalled before namespace %s goes (a namespace takes only its namespaced objects)", e.rel.Name, e.rel.Namespace)
		if e.obj.Hook != "" {
			stays = "the configuration, a hook, outlives it: an uninstall never deletes a hook"
		}
		c.webhookServices(e, add, stays,
			"uninstall the release before its namespace is deleted; if the configuration is left: "+kubectlDelete(e))
	}
}

// webhookServices warns of each webhook of e that fails closed and calls a
// Service the deploy removes; stays says how the configuration outlives it.
func (c *checker) webhookServices(e *entry, add func(Finding), stays, fix string) {
	for _, w := range webhooksOf(e.obj.Typed) {
		if w.service == nil || (w.policy != nil && *w.policy != admissionv1.Fail) {
			continue
		}
		why, goes := c.serviceGoes(w.service.Namespace, w.service.Name)
		if !goes {
			continue
		}
		add(Finding{
			Address: e.rel.Address, Object: e.id, Rule: RuleLeftBehind,
			Field: "webhooks[" + w.name + "].clientConfig.service", Old: w.service.Namespace + "/" + w.service.Name,
			Message: fmt.Sprintf("webhook %s (failurePolicy Fail) calls Service %s/%s, and %s; %s, and while it does the API server refuses every %s", w.name, w.service.Namespace, w.service.Name, why, stays, matched(w.rules)),
			Fix:     fix,
		})
	}
}

// serviceGoes says why the deploy removes Service namespace/name; false
// for one it keeps, or that no release deployed.
func (c *checker) serviceGoes(namespace, name string) (string, bool) {
	id := "Service " + namespace + "/" + name
	d, deployed := c.deployed.byID[id]
	_, next := c.next.byID[id]
	switch {
	case c.removedNamespaces[namespace]:
		return "the base stack's plan deletes namespace " + namespace, true
	case !deployed || next:
		return "", false
	case c.next.rels[d.rel.Address] == nil:
		return "it goes with " + d.rel.Address + ", which leaves the stack", true
	}
	return "the next deploy of " + d.rel.Address + " no longer renders it", true
}

// matched says what requests the rules send to a webhook, e.g. "CREATE,
// UPDATE of ingresses".
func matched(rules []admissionv1.RuleWithOperations) string {
	var parts []string
	for _, r := range rules {
		ops := make([]string, len(r.Operations))
		for i, o := range r.Operations {
			ops[i] = string(o)
		}
		parts = append(parts, strings.Join(ops, ", ")+" of "+strings.Join(r.Resources, ", "))
	}
	if len(parts) == 0 {
		return "request it matches"
	}
	return strings.Join(parts, "; ")
}
