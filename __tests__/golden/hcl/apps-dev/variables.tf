# apps-dev: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

variable "kube_context" {
  type        = string
  description = "Context of the kubeconfig to use; empty uses its current context."
  default     = "minikube"
  nullable    = false
}

variable "kubeconfig_path" {
  type        = string
  description = "Path of the kubeconfig file Terraform uses to reach the cluster."
  default     = "~/.kube/config"
  nullable    = false

  validation {
    condition     = length(trimspace(var.kubeconfig_path)) > 0
    error_message = "kubeconfig_path must name a kubeconfig file, e.g. ~/.kube/config."
  }
}
