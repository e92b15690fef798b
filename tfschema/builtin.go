package tfschema

import (
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// Schemas Terraform itself defines (backends, connection, provisioners).
// They are not in the provider schema file, so they are written here, from
// Terraform 1.11's source (internal/backend/local/backend.go,
// internal/backend/remote-state/kubernetes/backend.go,
// internal/backend/remote-state/s3/backend.go,
// internal/communicator/shared/shared.go, builtin/provisioners).

// The built-in "terraform" provider needs no required_providers entry.
const (
	builtinProviderName   = "terraform"
	builtinProviderSource = "terraform.io/builtin/terraform"
)

// builtinProvider is the schema of the built-in provider.
var builtinProvider = &tfjson.ProviderSchema{
	ConfigSchema: &tfjson.Schema{Block: &tfjson.SchemaBlock{}},
	ResourceSchemas: map[string]*tfjson.Schema{
		"terraform_data": {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{
			"id":               {AttributeType: cty.String, Computed: true},
			"input":            optional(cty.DynamicPseudoType),
			"output":           {AttributeType: cty.DynamicPseudoType, Computed: true},
			"triggers_replace": optional(cty.DynamicPseudoType),
		}}},
	},
	DataSourceSchemas: map[string]*tfjson.Schema{
		"terraform_remote_state": {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{
			"backend":   required(cty.String),
			"config":    optional(cty.DynamicPseudoType),
			"defaults":  optional(cty.DynamicPseudoType),
			"outputs":   {AttributeType: cty.DynamicPseudoType, Computed: true},
			"workspace": optional(cty.String),
		}}},
	},
	Functions: map[string]*tfjson.FunctionSignature{
		"encode_tfvars": {}, "decode_tfvars": {}, "encode_expr": {},
	},
}

// backendSchemas holds the backends whose arguments are checked.
var backendSchemas = map[string]*tfjson.SchemaBlock{
	"local": {Attributes: map[string]*tfjson.SchemaAttribute{
		"path":          optional(cty.String),
		"workspace_dir": optional(cty.String),
	}},
	"kubernetes": {
		Attributes: map[string]*tfjson.SchemaAttribute{
			"secret_suffix":            required(cty.String),
			"labels":                   optional(cty.Map(cty.String)),
			"namespace":                optional(cty.String),
			"in_cluster_config":        optional(cty.Bool),
			"load_config_file":         optional(cty.Bool),
			"host":                     optional(cty.String),
			"username":                 optional(cty.String),
			"password":                 optional(cty.String),
			"insecure":                 optional(cty.Bool),
			"client_certificate":       optional(cty.String),
			"client_key":               optional(cty.String),
			"cluster_ca_certificate":   optional(cty.String),
			"config_paths":             optional(cty.List(cty.String)),
			"config_path":              optional(cty.String),
			"config_context":           optional(cty.String),
			"config_context_auth_info": optional(cty.String),
			"config_context_cluster":   optional(cty.String),
			"token":                    optional(cty.String),
			"proxy_url":                optional(cty.String),
		},
		NestedBlocks: map[string]*tfjson.SchemaBlockType{
			"exec": {
				NestingMode: tfjson.SchemaNestingModeSingle,
				Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{
					"api_version": required(cty.String),
					"command":     required(cty.String),
					"env":         optional(cty.Map(cty.String)),
					"args":        optional(cty.List(cty.String)),
				}},
			},
		},
	},
	"s3": {Attributes: map[string]*tfjson.SchemaAttribute{
		"bucket": required(cty.String),
		"key":    required(cty.String),
		// The schema makes region optional because AWS_REGION or
		// AWS_DEFAULT_REGION may supply it; a stack must be self-contained,
		// so it is required here.
		"region":                             required(cty.String),
		"allowed_account_ids":                optional(cty.Set(cty.String)),
		"dynamodb_endpoint":                  optional(cty.String),
		"ec2_metadata_service_endpoint":      optional(cty.String),
		"ec2_metadata_service_endpoint_mode": optional(cty.String),
		"endpoint":                           optional(cty.String),
		"endpoints": singleNested(map[string]*tfjson.SchemaAttribute{
			"dynamodb": optional(cty.String),
			"iam":      optional(cty.String),
			"s3":       optional(cty.String),
			"sso":      optional(cty.String),
			"sts":      optional(cty.String),
		}),
		"forbidden_account_ids":       optional(cty.Set(cty.String)),
		"iam_endpoint":                optional(cty.String),
		"sts_endpoint":                optional(cty.String),
		"sts_region":                  optional(cty.String),
		"encrypt":                     optional(cty.Bool),
		"acl":                         optional(cty.String),
		"access_key":                  optional(cty.String),
		"secret_key":                  optional(cty.String),
		"kms_key_id":                  optional(cty.String),
		"dynamodb_table":              optional(cty.String),
		"use_lockfile":                optional(cty.Bool),
		"profile":                     optional(cty.String),
		"retry_mode":                  optional(cty.String),
		"shared_config_files":         optional(cty.Set(cty.String)),
		"shared_credentials_file":     optional(cty.String),
		"shared_credentials_files":    optional(cty.Set(cty.String)),
		"token":                       optional(cty.String),
		"skip_credentials_validation": optional(cty.Bool),
		"skip_requesting_account_id":  optional(cty.Bool),
		"skip_metadata_api_check":     optional(cty.Bool),
		"skip_region_validation":      optional(cty.Bool),
		"skip_s3_checksum":            optional(cty.Bool),
		"sse_customer_key":            optional(cty.String),
		"workspace_key_prefix":        optional(cty.String),
		"force_path_style":            optional(cty.Bool),
		"use_path_style":              optional(cty.Bool),
		"max_retries":                 optional(cty.Number),
		"assume_role": singleNested(map[string]*tfjson.SchemaAttribute{
			"role_arn":            required(cty.String),
			"duration":            optional(cty.String),
			"external_id":         optional(cty.String),
			"policy":              optional(cty.String),
			"policy_arns":         optional(cty.Set(cty.String)),
			"session_name":        optional(cty.String),
			"source_identity":     optional(cty.String),
			"tags":                optional(cty.Map(cty.String)),
			"transitive_tag_keys": optional(cty.Set(cty.String)),
		}),
		"assume_role_with_web_identity": singleNested(map[string]*tfjson.SchemaAttribute{
			"role_arn":                required(cty.String),
			"duration":                optional(cty.String),
			"policy":                  optional(cty.String),
			"policy_arns":             optional(cty.Set(cty.String)),
			"session_name":            optional(cty.String),
			"web_identity_token":      optional(cty.String),
			"web_identity_token_file": optional(cty.String),
		}),
		"custom_ca_bundle":       optional(cty.String),
		"http_proxy":             optional(cty.String),
		"https_proxy":            optional(cty.String),
		"no_proxy":               optional(cty.String),
		"insecure":               optional(cty.Bool),
		"use_fips_endpoint":      optional(cty.Bool),
		"use_dualstack_endpoint": optional(cty.Bool),
	}},
}

// knownBackends are the other backend types Terraform 1.11 ships. Their
// arguments are not checked.
var knownBackends = map[string]bool{
	"remote": true, "azurerm": true, "consul": true, "cos": true,
	"gcs": true, "http": true, "oss": true, "pg": true,
}

// connectionSchema is the superset of the ssh and winrm connection
// arguments. Their types are left dynamic; only names and host are checked.
var connectionSchema = &tfjson.SchemaBlock{Attributes: dynamicAttrs(
	[]string{"host"},
	"type", "user", "password", "port", "timeout", "script_path",
	"private_key", "certificate", "agent", "agent_identity", "host_key",
	"target_platform", "bastion_host", "bastion_host_key", "bastion_port",
	"bastion_user", "bastion_password", "bastion_private_key",
	"bastion_certificate", "proxy_scheme", "proxy_host", "proxy_port",
	"proxy_user_name", "proxy_user_password", "https", "insecure",
	"use_ntlm", "cacert",
)}

// provisionerSchemas are the built-in provisioners. when, on_failure and
// connection are handled as meta-arguments.
var provisionerSchemas = map[string]*tfjson.SchemaBlock{
	"local-exec": {Attributes: map[string]*tfjson.SchemaAttribute{
		"command":     required(cty.String),
		"interpreter": optional(cty.List(cty.String)),
		"working_dir": optional(cty.String),
		"environment": optional(cty.Map(cty.String)),
		"quiet":       optional(cty.Bool),
	}},
	"remote-exec": {Attributes: map[string]*tfjson.SchemaAttribute{
		"inline":  optional(cty.List(cty.String)),
		"script":  optional(cty.String),
		"scripts": optional(cty.List(cty.String)),
	}},
	"file": {Attributes: map[string]*tfjson.SchemaAttribute{
		"source":      optional(cty.String),
		"content":     optional(cty.String),
		"destination": required(cty.String),
	}},
}

func optional(ty cty.Type) *tfjson.SchemaAttribute {
	return &tfjson.SchemaAttribute{AttributeType: ty, Optional: true}
}

func required(ty cty.Type) *tfjson.SchemaAttribute {
	return &tfjson.SchemaAttribute{AttributeType: ty, Required: true}
}

func singleNested(attrs map[string]*tfjson.SchemaAttribute) *tfjson.SchemaAttribute {
	return &tfjson.SchemaAttribute{
		Optional: true,
		AttributeNestedType: &tfjson.SchemaNestedAttributeType{
			NestingMode: tfjson.SchemaNestingModeSingle,
			Attributes:  attrs,
		},
	}
}

// dynamicAttrs builds optional attributes of dynamic type, the ones listed
// in req being required.
func dynamicAttrs(req []string, names ...string) map[string]*tfjson.SchemaAttribute {
	attrs := make(map[string]*tfjson.SchemaAttribute, len(req)+len(names))
	for _, n := range names {
		attrs[n] = optional(cty.DynamicPseudoType)
	}
	for _, n := range req {
		attrs[n] = required(cty.DynamicPseudoType)
	}
	return attrs
}
