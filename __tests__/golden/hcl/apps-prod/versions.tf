# apps-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    helm = {
      source  = "helm"
      version = "3.1.1"
    }
  }

  backend "kubernetes" {
    config_context = "prod"
    config_path    = "~/.kube/config"
    namespace      = "terraform-state"
    secret_suffix  = "apps-prod"
  }
}
