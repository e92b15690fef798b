# apps-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

resource "helm_release" "ingress_nginx" {
  name             = "ingress-nginx"
  namespace        = "ingress-nginx"
  atomic           = true
  chart            = "./charts/ingress-nginx-4.15.1.tgz"
  cleanup_on_fail  = true
  create_namespace = false
  description      = "ingress-nginx 4.15.1 from https://kubernetes.github.io/ingress-nginx, sha256:da30d0efa89a8ec60372c74a370983ba812717f56f4886b18fd627d266e199ca"
  max_history      = 10
  timeout          = 600
  values = [
    <<-EOT
    controller:
      ingressClassResource:
        default: false
        enabled: true
        name: nginx
      metrics:
        enabled: false
      service:
        type: LoadBalancer
    EOT
  ]
  version       = "4.15.1"
  wait          = true
  wait_for_jobs = true
}

resource "helm_release" "nvidia_device_plugin" {
  name             = "nvidia-device-plugin"
  namespace        = "nvidia-device-plugin"
  atomic           = true
  chart            = "./charts/nvidia-device-plugin-0.20.0.tgz"
  cleanup_on_fail  = true
  create_namespace = false
  description      = "nvidia-device-plugin 0.20.0 from https://nvidia.github.io/k8s-device-plugin, sha256:9e5642bcdd3805c6e931f9d3ca542677d1f714d68c14c1364892011e67d9a606"
  max_history      = 10
  timeout          = 600
  values = [
    <<-EOT
    affinity: null
    nodeSelector:
      nvidia.com/gpu.present: "true"
    tolerations:
    - effect: NoSchedule
      key: nvidia.com/gpu
      operator: Exists
    EOT
  ]
  version       = "0.20.0"
  wait          = true
  wait_for_jobs = true
}

resource "helm_release" "librechat" {
  name             = "librechat"
  namespace        = "librechat"
  atomic           = true
  chart            = "./charts/librechat-2.0.8.tgz"
  cleanup_on_fail  = true
  create_namespace = false
  description      = "librechat 2.0.8 from oci://ghcr.io/danny-avila/librechat-chart, sha256:d1f42159e7ce414a1ea7fb365af8f8665a10330ad427bd5bfefea40961f66c55"
  max_history      = 10
  timeout          = 600
  values = [
    <<-EOT
    fullnameOverride: librechat
    global:
      librechat:
        existingSecretName: librechat-credentials-env
    ingress:
      annotations:
        cert-manager.io/cluster-issuer: letsencrypt
      className: nginx
      enabled: true
      hosts:
      - host: chat.example.com
        paths:
        - path: /
          pathType: ImplementationSpecific
      tls:
      - hosts:
        - chat.example.com
        secretName: librechat-tls
    librechat:
      configEnv:
        ALLOW_EMAIL_LOGIN: "true"
        ALLOW_REGISTRATION: "false"
        ALLOW_SOCIAL_REGISTRATION: "false"
      configYamlContent: |
        cache: true
        endpoints:
          custom:
          - apiKey: ollama
            baseURL: http://ollama.ollama.svc.cluster.local:11434/v1
            modelDisplayLabel: Ollama
            models:
              default:
              - llama3.1:8b
              - qwen2.5-coder:7b
              fetch: true
            name: Ollama
            titleConvo: true
            titleModel: current_model
        version: 1.2.8
      imageVolume:
        enabled: true
        size: 2Gi
    meilisearch:
      auth:
        existingMasterKeySecret: librechat-meilisearch
      enabled: true
      environment:
        MEILI_ENV: production
      persistence:
        enabled: true
        size: 10Gi
        storageClass: ssd
      resources:
        limits:
          cpu: 500m
          memory: 1Gi
        requests:
          cpu: 100m
          memory: 256Mi
    mongodb:
      auth:
        databases:
        - LibreChat
        enabled: true
        existingSecret: librechat-mongodb
        usernames:
        - librechat
      enabled: true
      networkPolicy:
        addExternalClientAccess: false
        allowExternal: false
        allowExternalEgress: false
      persistence:
        enabled: true
        size: 50Gi
        storageClass: ssd
      resources:
        limits:
          cpu: "1"
          memory: 1Gi
        requests:
          cpu: 250m
          memory: 512Mi
      updateStrategy:
        type: Recreate
    resources:
      limits:
        cpu: "2"
        memory: 2Gi
      requests:
        cpu: 500m
        memory: 1Gi
    EOT
  ]
  version       = "2.0.8"
  wait          = true
  wait_for_jobs = true

  depends_on = [helm_release.ingress_nginx]

  lifecycle {
    prevent_destroy = true
  }
}

resource "helm_release" "ollama" {
  name             = "ollama"
  namespace        = "ollama"
  atomic           = true
  chart            = "./charts/ollama-1.77.0.tgz"
  cleanup_on_fail  = true
  create_namespace = false
  description      = "ollama 1.77.0 from https://helm.otwld.com/, sha256:a67f80e81a4a5c49f5f3f23587a2eed08118e5f50a58ef84bc990862978c92da"
  max_history      = 10
  timeout          = 1800
  values = [
    <<-EOT
    fullnameOverride: ollama
    ingress:
      enabled: false
      tls: []
    nodeSelector:
      nvidia.com/gpu.present: "true"
    ollama:
      gpu:
        enabled: true
        number: 1
        nvidiaResource: nvidia.com/gpu
        type: nvidia
      models:
        pull:
        - llama3.1:8b
        - qwen2.5-coder:7b
    persistentVolume:
      enabled: true
      size: 100Gi
      storageClass: ssd
    resources:
      limits:
        cpu: "8"
        memory: 32Gi
      requests:
        cpu: "2"
        memory: 16Gi
    tolerations:
    - effect: NoSchedule
      key: nvidia.com/gpu
      operator: Exists
    EOT
  ]
  version       = "1.77.0"
  wait          = true
  wait_for_jobs = true

  depends_on = [helm_release.nvidia_device_plugin]

  lifecycle {
    prevent_destroy = true
  }
}
