# apps-dev: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    helm = {
      source  = "helm"
      version = "3.1.1"
    }
  }

  backend "local" {
    path = "../../../.terraform-state/apps-dev.tfstate"
  }
}
