# apps-dev: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

output "librechat_url" {
  description = "Where people reach LibreChat."
  value       = "http://chat.localhost"
}

output "ollama_url" {
  description = "Ollama's API inside the cluster."
  value       = "http://ollama.ollama.svc.cluster.local:11434"
}

output "releases" {
  description = "Helm releases: name, namespace, chart, pinned version and deployed revision."
  value = {
    ingress-nginx = {
      chart     = "ingress-nginx"
      namespace = "ingress-nginx"
      revision  = helm_release.ingress_nginx.metadata.revision
      version   = "4.15.1"
    }
    librechat = {
      chart     = "librechat"
      namespace = "librechat"
      revision  = helm_release.librechat.metadata.revision
      version   = "2.0.8"
    }
    ollama = {
      chart     = "ollama"
      namespace = "ollama"
      revision  = helm_release.ollama.metadata.revision
      version   = "1.77.0"
    }
  }
}
