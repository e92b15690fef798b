// Package rbac grants groups access to the platform: developers a Role in
// each app namespace, viewers a read-only ClusterRole. Secrets are in neither.
package rbac

import (
	"sort"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/clusterrolebindingv1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/clusterrolev1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/rolebindingv1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/rolev1"

	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// Rule is one RBAC policy rule.
type Rule struct {
	APIGroups, Resources, Verbs []string
}

// DeveloperRules let developers inspect workloads, read logs, restart pods
// and port-forward, but not change what Helm deployed nor read secrets.
var DeveloperRules = []Rule{
	{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "resourcequotas", "limitranges"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"delete"}},
	{APIGroups: []string{""}, Resources: []string{"pods/portforward"}, Verbs: []string{"create"}},
	{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets", "replicasets"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses", "networkpolicies"}, Verbs: []string{"get", "list", "watch"}},
}

// ViewerRules read what the platform runs on, across the cluster.
var ViewerRules = []Rule{
	{APIGroups: []string{""}, Resources: []string{"namespaces", "nodes", "pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "persistentvolumes", "resourcequotas", "limitranges"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"apps"}, Resources: []string{"deployments", "statefulsets", "replicasets", "daemonsets"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: []string{"get", "list", "watch"}},
	{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses", "ingressclasses", "networkpolicies"}, Verbs: []string{"get", "list", "watch"}},
}

// Config says who gets access.
type Config struct {
	// Env names the cluster-wide objects, which two environments on one
	// cluster must not share. Required.
	Env string
	// Namespaces are references to the app namespaces, by app name.
	Namespaces map[string]*string
	// DeveloperGroups get DeveloperRules in each namespace; none, no Roles.
	DeveloperGroups []string
	// ViewerGroups get ViewerRules cluster-wide; none, no ClusterRole.
	ViewerGroups []string
	// Labels go on every object.
	Labels map[string]string
}

// Output names what was created; empty where nothing was.
type Output struct {
	RoleName, ClusterRoleName string
}

// New creates kubernetes_role_v1.<id>_<app> with a matching role binding per
// namespace, and kubernetes_cluster_role_v1.<id>_viewer with its binding.
func New(scope constructs.Construct, id string, c Config) Output {
	var out Output
	if len(c.DeveloperGroups) > 0 {
		out.RoleName = "llm-platform-developer"
		for _, app := range sortedKeys(c.Namespaces) {
			ns := c.Namespaces[app]
			name, namespace, labels := jsii.String(out.RoleName), ns, jsiival.Map(c.Labels)
			rolev1.NewRoleV1(scope, address.ID(id, app), &rolev1.RoleV1Config{
				Metadata: &rolev1.RoleV1Metadata{Name: name, Namespace: namespace, Labels: labels},
				Rule:     roleRules(DeveloperRules),
			})
			// Named like its role (address.Set).
			binding := rolebindingv1.NewRoleBindingV1(scope, jsii.String("binding-"+address.Name(id, app)), &rolebindingv1.RoleBindingV1Config{
				Metadata: &rolebindingv1.RoleBindingV1Metadata{Name: name, Namespace: namespace, Labels: labels},
				RoleRef: &rolebindingv1.RoleBindingV1RoleRef{
					ApiGroup: jsii.String("rbac.authorization.k8s.io"),
					Kind:     jsii.String("Role"),
					Name:     address.Attr("kubernetes_role_v1", "metadata[0].name", id, app),
				},
				Subject: roleSubjects(c.DeveloperGroups),
			})
			address.Set(binding, id, app)
		}
	}
	if len(c.ViewerGroups) > 0 {
		out.ClusterRoleName = "llm-platform-viewer-" + c.Env
		name, labels := jsii.String(out.ClusterRoleName), jsiival.Map(c.Labels)
		clusterrolev1.NewClusterRoleV1(scope, address.ID(id, "viewer"), &clusterrolev1.ClusterRoleV1Config{
			Metadata: &clusterrolev1.ClusterRoleV1Metadata{Name: name, Labels: labels},
			Rule:     clusterRoleRules(ViewerRules),
		})
		binding := clusterrolebindingv1.NewClusterRoleBindingV1(scope, jsii.String("binding-"+address.Name(id, "viewer")), &clusterrolebindingv1.ClusterRoleBindingV1Config{
			Metadata: &clusterrolebindingv1.ClusterRoleBindingV1Metadata{Name: name, Labels: labels},
			RoleRef: &clusterrolebindingv1.ClusterRoleBindingV1RoleRef{
				ApiGroup: jsii.String("rbac.authorization.k8s.io"),
				Kind:     jsii.String("ClusterRole"),
				Name:     address.Attr("kubernetes_cluster_role_v1", "metadata[0].name", id, "viewer"),
			},
			Subject: clusterRoleSubjects(c.ViewerGroups),
		})
		address.Set(binding, id, "viewer")
	}
	return out
}

func roleRules(rules []Rule) *[]*rolev1.RoleV1Rule {
	out := make([]*rolev1.RoleV1Rule, len(rules))
	for i, r := range rules {
		out[i] = &rolev1.RoleV1Rule{ApiGroups: jsii.Strings(r.APIGroups...), Resources: jsii.Strings(r.Resources...), Verbs: jsii.Strings(r.Verbs...)}
	}
	return &out
}

func clusterRoleRules(rules []Rule) *[]*clusterrolev1.ClusterRoleV1Rule {
	out := make([]*clusterrolev1.ClusterRoleV1Rule, len(rules))
	for i, r := range rules {
		out[i] = &clusterrolev1.ClusterRoleV1Rule{ApiGroups: jsii.Strings(r.APIGroups...), Resources: jsii.Strings(r.Resources...), Verbs: jsii.Strings(r.Verbs...)}
	}
	return &out
}

func roleSubjects(groups []string) *[]*rolebindingv1.RoleBindingV1Subject {
	out := make([]*rolebindingv1.RoleBindingV1Subject, len(groups))
	for i, g := range groups {
		out[i] = &rolebindingv1.RoleBindingV1Subject{Kind: jsii.String("Group"), Name: jsii.String(g), ApiGroup: jsii.String("rbac.authorization.k8s.io")}
	}
	return &out
}

func clusterRoleSubjects(groups []string) *[]*clusterrolebindingv1.ClusterRoleBindingV1Subject {
	out := make([]*clusterrolebindingv1.ClusterRoleBindingV1Subject, len(groups))
	for i, g := range groups {
		out[i] = &clusterrolebindingv1.ClusterRoleBindingV1Subject{Kind: jsii.String("Group"), Name: jsii.String(g), ApiGroup: jsii.String("rbac.authorization.k8s.io")}
	}
	return &out
}

func sortedKeys(m map[string]*string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
