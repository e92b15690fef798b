// Package backend gives a stack an explicit Terraform backend. Without one,
// cdktf writes a local backend with an absolute path into the JSON.
package backend

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// StateDir holds local state, relative to the project root: outside
// cdktf.out, so a re-synth never touches it.
const StateDir = ".terraform-state"

// Config chooses the backend of one stack.
type Config struct {
	// Stack is the stack's name; it names the state. Required.
	Stack string
	// Type is local, kubernetes or s3. Default "local".
	Type string
	// KubeconfigPath and KubeContext reach the cluster (kubernetes).
	KubeconfigPath, KubeContext string
	// Namespace holds the state Secret (kubernetes). Default "default".
	Namespace string
	// Bucket, Region and KeyPrefix place the state object (s3). Bucket and
	// Region are required there; KeyPrefix defaults to "llm-platform".
	Bucket, Region, KeyPrefix string
}

// Output says where the state is, for people.
type Output struct {
	Type, Location string
}

// New adds the backend to stack. Terraform runs in cdktf.out/stacks/<stack>,
// so the local path climbs three folders to the project root.
func New(stack cdktf.TerraformStack, c Config) Output {
	var (
		attrs map[string]interface{}
		out   = Output{Type: c.Type}
	)
	switch c.Type {
	case "kubernetes":
		ns := c.Namespace
		if ns == "" {
			ns = "default"
		}
		attrs = map[string]interface{}{"secret_suffix": c.Stack, "namespace": ns, "config_path": c.KubeconfigPath}
		if c.KubeContext != "" {
			attrs["config_context"] = c.KubeContext
		}
		out.Location = "Secret " + ns + "/tfstate-default-" + c.Stack
	case "s3":
		prefix := c.KeyPrefix
		if prefix == "" {
			prefix = "llm-platform"
		}
		key := prefix + "/" + c.Stack + ".tfstate"
		attrs = map[string]interface{}{"bucket": c.Bucket, "key": key, "region": c.Region, "encrypt": true, "use_lockfile": true}
		out.Location = "s3://" + c.Bucket + "/" + key
	default:
		out.Type = "local"
		attrs = map[string]interface{}{"path": "../../../" + StateDir + "/" + c.Stack + ".tfstate"}
		out.Location = StateDir + "/" + c.Stack + ".tfstate"
	}
	b := &rawBackend{attrs: attrs}
	cdktf.NewTerraformBackend_Override(b, stack, jsii.String("backend"), jsii.String(out.Type))
	return out
}

// rawBackend is a Terraform backend with the attributes we give it: cdktf
// ships no kubernetes backend, and its S3 backend lacks use_lockfile.
type rawBackend struct {
	cdktf.TerraformBackend
	attrs map[string]interface{}
}

func (b *rawBackend) SynthesizeAttributes() *map[string]interface{} { return &b.attrs }

func (b *rawBackend) SynthesizeHclAttributes() *map[string]interface{} { return &b.attrs }
