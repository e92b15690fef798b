// Package clusteraccess declares how a stack reaches the cluster: the
// kubeconfig_path and kube_context variables, defaulted from the config, so
// that nobody's ~/.kube/config is baked into a provider block.
package clusteraccess

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/constructs/address"
)

// Config gives the variables' defaults.
type Config struct {
	// Kubeconfig is the default kubeconfig path. Required.
	Kubeconfig string
	// Context is the default context; empty uses the current one.
	Context string
}

// Output holds references to the variables.
type Output struct {
	ConfigPath, ConfigContext *string
}

// New declares variable.kubeconfig_path and variable.kube_context in the
// stack scope: one pair per stack, so they take no id.
func New(scope constructs.Construct, c Config) Output {
	cdktf.NewTerraformVariable(scope, address.ID("kubeconfig_path"), &cdktf.TerraformVariableConfig{
		Type:        jsii.String("string"),
		Default:     c.Kubeconfig,
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Path of the kubeconfig file Terraform uses to reach the cluster."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String("${length(trimspace(var.kubeconfig_path)) > 0}"),
			ErrorMessage: jsii.String("kubeconfig_path must name a kubeconfig file, e.g. ~/.kube/config."),
		}},
	})
	cdktf.NewTerraformVariable(scope, address.ID("kube_context"), &cdktf.TerraformVariableConfig{
		Type:        jsii.String("string"),
		Default:     c.Context,
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Context of the kubeconfig to use; empty uses its current context."),
	})
	return Output{ConfigPath: address.Var("kubeconfig_path"), ConfigContext: address.Var("kube_context")}
}
