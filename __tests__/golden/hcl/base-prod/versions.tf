# base-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    kubernetes = {
      source  = "kubernetes"
      version = "2.38.0"
    }
  }

  backend "kubernetes" {
    config_context = "prod"
    config_path    = "~/.kube/config"
    namespace      = "terraform-state"
    secret_suffix  = "base-prod"
  }
}
