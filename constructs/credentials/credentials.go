// Package credentials creates the platform's credentials from sensitive,
// ephemeral Terraform variables: one Secret per consumer in LibreChat's
// namespace, each with only the keys that consumer reads, written through
// the write-only data_wo attribute, so that the values reach neither the plan
// nor the state.
package credentials

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/secretv1"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// The Secrets' names.
const (
	// SecretName is LibreChat's environment Secret, the one its chart reads
	// by default.
	SecretName = "librechat-credentials-env"
	// MeilisearchSecretName is Meilisearch's master key; the subchart passes
	// the whole Secret to Meilisearch's environment.
	MeilisearchSecretName = "librechat-meilisearch"
	// MongoDBSecretName is the Bitnami MongoDB subchart's auth.existingSecret.
	MongoDBSecretName = "librechat-mongodb"
)

// The keys of MongoDB's Secret that the Bitnami chart reads for a standalone
// MongoDB with authentication and auth.usernames (templates/secrets.yaml,
// templates/standalone/dep-sts.yaml): the root password and the
// comma-separated passwords of the users, here one.
const (
	MongoDBRootPasswordKey = "mongodb-root-password"
	MongoDBPasswordsKey    = "mongodb-passwords"
)

// RevisionVariable is the variable to raise after changing any secret value:
// write-only values are not compared, so only a new revision rewrites them.
const RevisionVariable = "credentials_revision"

// MongoDB is where LibreChat logs in to MongoDB, for its MONGO_URI.
type MongoDB struct {
	// Host is the in-cluster host name of MongoDB's Service. Required.
	Host string
	// Port is the Service's port. Required.
	Port int
	// User is LibreChat's MongoDB user and Database the database it is
	// created in (and so authenticates against). Required.
	User, Database string
}

// Config places the Secrets.
type Config struct {
	// Namespace is a reference to LibreChat's namespace. Required.
	Namespace *string
	// Labels go on the Secrets. Default none.
	Labels map[string]string
	// MongoDB is LibreChat's MongoDB login. Required.
	MongoDB MongoDB
	// BasicAuth lists the Ingresses that use ingress-nginx's basic auth: for
	// each, a variable (config.Htpasswd) and its Secret. Default none.
	BasicAuth []BasicAuth
}

// BasicAuth is the basic-auth Secret of one app's Ingress.
type BasicAuth struct {
	// App names the variable (<app>_htpasswd) and the Secret
	// (ingress.BasicAuthSecret). Required.
	App string
	// Namespace is a reference to the app's namespace. Required.
	Namespace *string
	// Labels go on the Secret.
	Labels map[string]string
}

// Output names the Secrets.
type Output struct {
	// LibreChat, Meilisearch and MongoDB are references to the names of
	// SecretName, MeilisearchSecretName and MongoDBSecretName.
	LibreChat, Meilisearch, MongoDB *string
}

// New creates one variable per config.Secrets entry, the
// credentials_revision variable, and kubernetes_secret_v1.<id> (LibreChat's),
// <id>_meilisearch and <id>_mongodb.
func New(scope constructs.Construct, id string, c Config) Output {
	vars := map[string]*string{}
	secrets := append([]config.Secret(nil), config.Secrets...)
	for _, b := range c.BasicAuth {
		secrets = append(secrets, config.Htpasswd(b.App))
	}
	for _, s := range secrets {
		v := cdktf.NewTerraformVariable(scope, address.ID(s.Variable), &cdktf.TerraformVariableConfig{
			Type:        jsii.String("string"),
			Sensitive:   jsii.Bool(true),
			Nullable:    jsii.Bool(false),
			Description: jsii.String(fmt.Sprintf("%s: %s. Generate one with `%s`; pass it as TF_VAR_%s.", s.Purpose, s.Rule, s.Make, s.Variable)),
			Validation: &[]*cdktf.TerraformVariableValidationConfig{{
				Condition:    jsii.String(fmt.Sprintf("${can(regex(%q, var.%s))}", s.Pattern, s.Variable)),
				ErrorMessage: jsii.String(fmt.Sprintf("%s must be %s; generate one with `%s`.", s.Variable, s.Rule, s.Make)),
			}},
		})
		// Ephemeral: Terraform keeps the value out of plan files and state.
		v.AddOverride(jsii.String("ephemeral"), true)
		vars[s.Variable] = address.Var(s.Variable)
	}
	ref := func(s config.Secret) *string { return vars[s.Variable] }
	revision := cdktf.NewTerraformVariable(scope, address.ID(RevisionVariable), &cdktf.TerraformVariableConfig{
		Type:        jsii.String("number"),
		Default:     1,
		Nullable:    jsii.Bool(false),
		Description: jsii.String("Revision of the credentials (all their Secrets). The values are write-only, so Terraform cannot see them change: raise this number to write new ones."),
		Validation: &[]*cdktf.TerraformVariableValidationConfig{{
			Condition:    jsii.String(fmt.Sprintf("${var.%s >= 1 && floor(var.%s) == var.%s}", RevisionVariable, RevisionVariable, RevisionVariable)),
			ErrorMessage: jsii.String(RevisionVariable + " must be a whole number of at least 1."),
		}},
	})
	revisionValue := revision.NumberValue()

	// The password needs no encoding: config.MongoDBPassword allows letters
	// and digits only.
	m := c.MongoDB
	mongoURI := fmt.Sprintf("mongodb://%s:%s@%s:%d/%s", m.User, *ref(config.MongoDBPassword), m.Host, m.Port, m.Database)
	secretIn := func(namespace *string, labels map[string]string, name string, data map[string]*string, parts ...string) *string {
		parts = append([]string{id}, parts...)
		secretv1.NewSecretV1(scope, address.ID(parts...), &secretv1.SecretV1Config{
			Metadata: &secretv1.SecretV1Metadata{
				Name:      jsii.String(name),
				Namespace: namespace,
				Labels:    jsiival.Map(labels),
			},
			Type:           jsii.String("Opaque"),
			DataWo:         &data,
			DataWoRevision: revisionValue,
		})
		return address.Attr("kubernetes_secret_v1", "metadata[0].name", parts...)
	}
	secret := func(name string, data map[string]*string, parts ...string) *string {
		return secretIn(c.Namespace, c.Labels, name, data, parts...)
	}
	// ingress-nginx reads basic auth's users from the key auth.
	for _, b := range c.BasicAuth {
		secretIn(b.Namespace, b.Labels, ingress.BasicAuthSecret(b.App), map[string]*string{
			ingress.BasicAuthKey: vars[config.Htpasswd(b.App).Variable],
		}, b.App, "basic_auth")
	}
	return Output{
		LibreChat: secret(SecretName, map[string]*string{
			"CREDS_KEY":          ref(config.CredsKey),
			"CREDS_IV":           ref(config.CredsIV),
			"JWT_SECRET":         ref(config.JWTSecret),
			"JWT_REFRESH_SECRET": ref(config.JWTRefreshSecret),
			"MEILI_MASTER_KEY":   ref(config.MeiliMasterKey),
			// Overrides the chart's MONGO_URI, without credentials, in
			// LibreChat's ConfigMap: envFrom reads this Secret after it.
			"MONGO_URI": jsii.String(mongoURI),
		}),
		Meilisearch: secret(MeilisearchSecretName, map[string]*string{
			"MEILI_MASTER_KEY": ref(config.MeiliMasterKey),
		}, "meilisearch"),
		MongoDB: secret(MongoDBSecretName, map[string]*string{
			MongoDBRootPasswordKey: ref(config.MongoDBRootPassword),
			MongoDBPasswordsKey:    ref(config.MongoDBPassword),
		}, "mongodb"),
	}
}
