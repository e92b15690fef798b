// Package namespace creates a labelled namespace with Pod Security Admission.
package namespace

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/namespacev1"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// ManagedBy is the app.kubernetes.io/managed-by label of everything we create.
const ManagedBy = "cdktf"

// Config describes one namespace.
type Config struct {
	// Name of the namespace. Required.
	Name string
	// App is the app.kubernetes.io/name value, e.g. ollama. Required.
	App string
	// Env is the environment label, e.g. dev. Required.
	Env string
	// PodSecurity is the Pod Security Admission level enforced, audited and
	// warned: privileged, baseline or restricted. Default "baseline".
	PodSecurity string
	// PreventDestroy makes Terraform refuse any plan that would delete the
	// namespace (and so its claims and their data). Default false.
	PreventDestroy bool
}

// Output is the created namespace.
type Output struct {
	// Name is a reference to the namespace's name: using it orders Terraform
	// to create the namespace first.
	Name *string
	// Labels are the common labels, for the objects inside.
	Labels map[string]string
}

// Labels are the labels shared by everything of one app in one environment.
func Labels(app, env string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/managed-by": ManagedBy,
		"app.kubernetes.io/part-of":    "llm-platform",
		"app.kubernetes.io/name":       app,
		"llm-platform/environment":     env,
	}
}

// New creates kubernetes_namespace_v1.<id>.
func New(scope constructs.Construct, id string, c Config) Output {
	level := c.PodSecurity
	if level == "" {
		level = "baseline"
	}
	labels := Labels(c.App, c.Env)
	nsLabels := map[string]string{}
	for k, v := range labels {
		nsLabels[k] = v
	}
	for _, mode := range []string{"enforce", "audit", "warn"} {
		nsLabels["pod-security.kubernetes.io/"+mode] = level
		nsLabels["pod-security.kubernetes.io/"+mode+"-version"] = "latest"
	}
	cfg := &namespacev1.NamespaceV1Config{
		Metadata: &namespacev1.NamespaceV1Metadata{
			Name:   jsii.String(c.Name),
			Labels: jsiival.Map(nsLabels),
		},
	}
	if c.PreventDestroy {
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
	}
	namespacev1.NewNamespaceV1(scope, address.ID(id), cfg)
	return Output{Name: address.Attr("kubernetes_namespace_v1", "metadata[0].name", id), Labels: labels}
}
