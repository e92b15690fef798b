// Package stack creates the stacks of an environment with what each of them
// has: an explicit backend, the cluster-access variables, described outputs.
package stack

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/backend"
	"github.com/llm-platform/cdktf-llm/constructs/clusteraccess"
)

// RequiredVersion is the Terraform versions every stack accepts.
const RequiredVersion = ">= 1.11.0"

// Stack is a new stack and the references to its cluster-access variables.
type Stack struct {
	TF      cdktf.TerraformStack
	Cluster clusteraccess.Output
}

// New adds the stack name to app, with its backend and cluster access.
func New(app constructs.Construct, name string, env config.Environment) Stack {
	s := cdktf.NewTerraformStack(app, jsii.String(name))
	// Write-only attributes (the credentials' data_wo) need Terraform 1.11.
	s.AddOverride(jsii.String("terraform.required_version"), jsii.String(RequiredVersion))
	b := env.Backend
	backend.New(s, backend.Config{
		Stack: name, Type: b.Type,
		KubeconfigPath: env.Cluster.Kubeconfig, KubeContext: env.Cluster.Context, Namespace: b.Kubernetes.Namespace,
		Bucket: b.S3.Bucket, Region: b.S3.Region, KeyPrefix: b.S3.KeyPrefix,
	})
	access := clusteraccess.New(s, clusteraccess.Config{Kubeconfig: env.Cluster.Kubeconfig, Context: env.Cluster.Context})
	return Stack{TF: s, Cluster: access}
}

// Output adds a described output, named as given.
func (s Stack) Output(name, description string, value any) {
	switch value.(type) {
	case string, *string: // passed as it is: one jsii call less
	default:
		// As a token, an object value skips cdktf's own inspection, which
		// calls util.isArray and so prints a deprecation warning on Node 22.
		value = cdktf.Token_AsAny(value)
	}
	cdktf.NewTerraformOutput(s.TF, address.ID(name), &cdktf.TerraformOutputConfig{
		Value:       value,
		Description: jsii.String(description),
	})
}
