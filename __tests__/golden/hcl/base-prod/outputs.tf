# base-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

output "librechat_credentials_secret" {
  description = "Secret holding LibreChat's credentials (its values are write-only)."
  value       = kubernetes_secret_v1.librechat_credentials.metadata[0].name
}

output "meilisearch_credentials_secret" {
  description = "Secret holding Meilisearch's master key (write-only)."
  value       = kubernetes_secret_v1.librechat_credentials_meilisearch.metadata[0].name
}

output "mongodb_credentials_secret" {
  description = "Secret holding MongoDB's passwords (write-only)."
  value       = kubernetes_secret_v1.librechat_credentials_mongodb.metadata[0].name
}

output "namespaces" {
  description = "Namespaces of the platform, by app."
  value = {
    ingress_nginx        = "ingress-nginx"
    librechat            = "librechat"
    nvidia_device_plugin = "nvidia-device-plugin"
    ollama               = "ollama"
  }
}
