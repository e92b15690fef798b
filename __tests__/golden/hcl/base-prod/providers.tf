# base-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

provider "kubernetes" {
  config_context = var.kube_context
  config_path    = var.kubeconfig_path
}
