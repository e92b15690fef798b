// Package credentials creates LibreChat's credentials Secret from sensitive,
// ephemeral Terraform variables, written through the write-only data_wo
// attribute: the values reach neither the plan nor the state.
package credentials

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/secretv1"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// SecretName is the Secret the LibreChat chart reads by default.
const SecretName = "librechat-credentials-env"

// RevisionVariable is the variable to raise after changing any secret value:
// write-only values are not compared, so only a new revision rewrites them.
const RevisionVariable = "credentials_revision"

// Config places the Secret.
type Config struct {
	// Namespace is a reference to LibreChat's namespace. Required.
	Namespace *string
	// Labels go on the Secret.
	Labels map[string]string
	// Secrets are the keys and their variables. Default config.Secrets.
	Secrets []config.Secret
}

// Output names the Secret.
type Output struct {
	Name *string
}

// New creates one variable per secret, the credentials_revision variable and
// kubernetes_secret_v1.<id>.
func New(scope constructs.Construct, id string, c Config) Output {
	if c.Secrets == nil {
		c.Secrets = config.Secrets
	}
	scope = constructs.NewConstruct(scope, jsii.String("credentials-"+id))
	data := map[string]*string{}
	for _, s := range c.Secrets {
		v := cdktf.NewTerraformVariable(scope, jsii.String(s.Variable), &cdktf.TerraformVariableConfig{
			Type:        jsii.String("string"),
			Sensitive:   jsii.Bool(true),
			Nullable:    jsii.Bool(false),
			Description: jsii.String(fmt.Sprintf("LibreChat's %s: %s. Generate one with `%s`; pass it as TF_VAR_%s.", s.Key, s.Rule, s.Make, s.Variable)),
			Validation: &[]*cdktf.TerraformVariableValidationConfig{{
				Condition:    jsii.String(fmt.Sprintf("${can(regex(%q, var.%s))}", s.Pattern, s.Variable)),
				ErrorMessage: jsii.String(fmt.Sprintf("%s must be %s; generate one with `%s`.", s.Variable, s.Rule, s.Make)),
			}},
		})
		// Ephemeral: Terraform keeps the value out of plan files and state.
		v.AddOverride(jsii.String("ephemeral"), true)
		address.Set(v, s.Variable)
		data[s.Key] = v.StringValue()
	}
	revision := cdktf.NewTerraformVariable(scope, jsii.String(RevisionVariable), &cdktf.TerraformVariableConfig{
		Type:        jsii.String("number"),
		Default:     1,
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Revision of LibreChat's credentials. The values are write-only, so Terraform cannot see them change: raise this number to write new ones."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String(fmt.Sprintf("${var.%s >= 1 && floor(var.%s) == var.%s}", RevisionVariable, RevisionVariable, RevisionVariable)),
			ErrorMessage: jsii.String(RevisionVariable + " must be a whole number of at least 1."),
		}},
	})
	address.Set(revision, RevisionVariable)
	secret := secretv1.NewSecretV1(scope, jsii.String("secret"), &secretv1.SecretV1Config{
		Metadata: &secretv1.SecretV1Metadata{
			Name:      jsii.String(SecretName),
			Namespace: c.Namespace,
			Labels:    jsiival.Map(c.Labels),
		},
		Type:           jsii.String("Opaque"),
		DataWo:         &data,
		DataWoRevision: revision.NumberValue(),
	})
	address.Set(secret, id)
	return Output{Name: secret.Metadata().Name()}
}
