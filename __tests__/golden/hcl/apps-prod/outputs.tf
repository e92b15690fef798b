# apps-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

output "librechat_url" {
  description = "Where people reach LibreChat."
  value       = "https://chat.example.com"
}

output "ollama_url" {
  description = "Ollama's API inside the cluster."
  value       = "http://ollama.ollama.svc.cluster.local:11434"
}

output "releases" {
  description = "Helm releases: name, namespace, chart, pinned version, where the chart is published, the sha256 of its locked archive (installed from the stack's charts/ folder) and the deployed revision."
  value = {
    ingress-nginx = {
      chart      = "ingress-nginx"
      digest     = "sha256:da30d0efa89a8ec60372c74a370983ba812717f56f4886b18fd627d266e199ca"
      namespace  = "ingress-nginx"
      repository = "https://kubernetes.github.io/ingress-nginx"
      revision   = helm_release.ingress_nginx.metadata.revision
      version    = "4.15.1"
    }
    librechat = {
      chart      = "librechat"
      digest     = "sha256:d1f42159e7ce414a1ea7fb365af8f8665a10330ad427bd5bfefea40961f66c55"
      namespace  = "librechat"
      repository = "oci://ghcr.io/danny-avila/librechat-chart"
      revision   = helm_release.librechat.metadata.revision
      version    = "2.0.8"
    }
    nvidia-device-plugin = {
      chart      = "nvidia-device-plugin"
      digest     = "sha256:9e5642bcdd3805c6e931f9d3ca542677d1f714d68c14c1364892011e67d9a606"
      namespace  = "nvidia-device-plugin"
      repository = "https://nvidia.github.io/k8s-device-plugin"
      revision   = helm_release.nvidia_device_plugin.metadata.revision
      version    = "0.20.0"
    }
    ollama = {
      chart      = "ollama"
      digest     = "sha256:a67f80e81a4a5c49f5f3f23587a2eed08118e5f50a58ef84bc990862978c92da"
      namespace  = "ollama"
      repository = "https://helm.otwld.com/"
      revision   = helm_release.ollama.metadata.revision
      version    = "1.77.0"
    }
  }
}
