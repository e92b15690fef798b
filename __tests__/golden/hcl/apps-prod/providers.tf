# apps-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

provider "helm" {
  kubernetes = {
    config_context = var.kube_context
    config_path    = var.kubeconfig_path
  }
}
