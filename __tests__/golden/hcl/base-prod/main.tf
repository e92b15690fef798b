# base-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

resource "kubernetes_cluster_role_v1" "platform_viewer" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name = "llm-platform-viewer-prod"
  }

  rule {
    api_groups = [""]
    resources  = ["namespaces", "nodes", "pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "persistentvolumes", "resourcequotas", "limitranges"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments", "statefulsets", "replicasets", "daemonsets"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["batch"]
    resources  = ["jobs", "cronjobs"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["ingresses", "ingressclasses", "networkpolicies"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_namespace_v1" "ingress_nginx" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by"               = "cdktf"
      "app.kubernetes.io/name"                     = "ingress-nginx"
      "app.kubernetes.io/part-of"                  = "llm-platform"
      "llm-platform/environment"                   = "prod"
      "pod-security.kubernetes.io/audit"           = "baseline"
      "pod-security.kubernetes.io/audit-version"   = "latest"
      "pod-security.kubernetes.io/enforce"         = "baseline"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "baseline"
      "pod-security.kubernetes.io/warn-version"    = "latest"
    }
    name = "ingress-nginx"
  }
}

resource "kubernetes_namespace_v1" "librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by"               = "cdktf"
      "app.kubernetes.io/name"                     = "librechat"
      "app.kubernetes.io/part-of"                  = "llm-platform"
      "llm-platform/environment"                   = "prod"
      "pod-security.kubernetes.io/audit"           = "baseline"
      "pod-security.kubernetes.io/audit-version"   = "latest"
      "pod-security.kubernetes.io/enforce"         = "baseline"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "baseline"
      "pod-security.kubernetes.io/warn-version"    = "latest"
    }
    name = "librechat"
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "kubernetes_namespace_v1" "nvidia_device_plugin" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by"               = "cdktf"
      "app.kubernetes.io/name"                     = "nvidia-device-plugin"
      "app.kubernetes.io/part-of"                  = "llm-platform"
      "llm-platform/environment"                   = "prod"
      "pod-security.kubernetes.io/audit"           = "privileged"
      "pod-security.kubernetes.io/audit-version"   = "latest"
      "pod-security.kubernetes.io/enforce"         = "privileged"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "privileged"
      "pod-security.kubernetes.io/warn-version"    = "latest"
    }
    name = "nvidia-device-plugin"
  }
}

resource "kubernetes_namespace_v1" "ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by"               = "cdktf"
      "app.kubernetes.io/name"                     = "ollama"
      "app.kubernetes.io/part-of"                  = "llm-platform"
      "llm-platform/environment"                   = "prod"
      "pod-security.kubernetes.io/audit"           = "baseline"
      "pod-security.kubernetes.io/audit-version"   = "latest"
      "pod-security.kubernetes.io/enforce"         = "baseline"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "baseline"
      "pod-security.kubernetes.io/warn-version"    = "latest"
    }
    name = "ollama"
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "kubernetes_cluster_role_binding_v1" "platform_viewer" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name = "llm-platform-viewer-prod"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.platform_viewer.metadata[0].name
  }

  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "llm-platform:viewers"
  }

  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "sre"
  }
}

resource "kubernetes_limit_range_v1" "librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "container-defaults"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    limit {
      default = {
        cpu    = "1"
        memory = "1Gi"
      }
      default_request = {
        cpu    = "250m"
        memory = "256Mi"
      }
      type = "Container"
    }
  }
}

resource "kubernetes_limit_range_v1" "ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "container-defaults"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    limit {
      default = {
        cpu    = "1"
        memory = "1Gi"
      }
      default_request = {
        cpu    = "250m"
        memory = "256Mi"
      }
      type = "Container"
    }
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_allow_dns" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-dns"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "53"
        protocol = "UDP"
      }

      ports {
        port     = "53"
        protocol = "TCP"
      }
    }

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_allow_http_https" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-http-https"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      ports {
        port     = "80"
        protocol = "TCP"
      }

      ports {
        port     = "443"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/component" = "controller"
        "app.kubernetes.io/instance"  = "ingress-nginx"
        "app.kubernetes.io/name"      = "ingress-nginx"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_allow_to_api_server" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-to-api-server"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "443"
        protocol = "TCP"
      }

      ports {
        port     = "6443"
        protocol = "TCP"
      }

      to {
        ip_block {
          cidr = "10.0.0.0/8"
        }
      }

      to {
        ip_block {
          cidr = "172.16.0.0/12"
        }
      }

      to {
        ip_block {
          cidr = "192.168.0.0/16"
        }
      }
    }

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_allow_to_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-to-librechat"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "3080"
        protocol = "TCP"
      }

      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "librechat"
          }
        }

        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "librechat"
            "app.kubernetes.io/name"     = "librechat"
          }
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/component" = "controller"
        "app.kubernetes.io/instance"  = "ingress-nginx"
        "app.kubernetes.io/name"      = "ingress-nginx"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_allow_webhook_from_api_server" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-webhook-from-api-server"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      from {
        ip_block {
          cidr = "10.0.0.0/8"
        }
      }

      from {
        ip_block {
          cidr = "172.16.0.0/12"
        }
      }

      from {
        ip_block {
          cidr = "192.168.0.0/16"
        }
      }

      ports {
        port     = "8443"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/component" = "controller"
        "app.kubernetes.io/instance"  = "ingress-nginx"
        "app.kubernetes.io/name"      = "ingress-nginx"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "ingress_nginx_default_deny" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ingress-nginx"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "default-deny"
    namespace = kubernetes_namespace_v1.ingress_nginx.metadata[0].name
  }

  spec {
    policy_types = ["Ingress", "Egress"]

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_dns" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-dns"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "53"
        protocol = "UDP"
      }

      ports {
        port     = "53"
        protocol = "TCP"
      }
    }

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_from_ingress" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-from-ingress"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      from {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "ingress-nginx"
          }
        }
      }

      ports {
        port     = "3080"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "librechat"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_https_out" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-https-out"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "443"
        protocol = "TCP"
      }

      to {
        ip_block {
          cidr = "0.0.0.0/0"
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "librechat"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_meilisearch_from_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-meilisearch-from-librechat"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      from {
        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "librechat"
            "app.kubernetes.io/name"     = "librechat"
          }
        }
      }

      ports {
        port     = "7700"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "meilisearch"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_mongodb_from_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-mongodb-from-librechat"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      from {
        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "librechat"
            "app.kubernetes.io/name"     = "librechat"
          }
        }
      }

      ports {
        port     = "27017"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/component" = "mongodb"
        "app.kubernetes.io/instance"  = "librechat"
        "app.kubernetes.io/name"      = "mongodb"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_to_meilisearch" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-to-meilisearch"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "7700"
        protocol = "TCP"
      }

      to {
        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "librechat"
            "app.kubernetes.io/name"     = "meilisearch"
          }
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "librechat"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_to_mongodb" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-to-mongodb"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "27017"
        protocol = "TCP"
      }

      to {
        pod_selector {
          match_labels = {
            "app.kubernetes.io/component" = "mongodb"
            "app.kubernetes.io/instance"  = "librechat"
            "app.kubernetes.io/name"      = "mongodb"
          }
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "librechat"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_allow_to_ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-to-ollama"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "11434"
        protocol = "TCP"
      }

      to {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "ollama"
          }
        }

        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "ollama"
            "app.kubernetes.io/name"     = "ollama"
          }
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "librechat"
        "app.kubernetes.io/name"     = "librechat"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "librechat_default_deny" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "default-deny"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    policy_types = ["Ingress", "Egress"]

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "nvidia_device_plugin_default_deny" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "nvidia-device-plugin"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "default-deny"
    namespace = kubernetes_namespace_v1.nvidia_device_plugin.metadata[0].name
  }

  spec {
    policy_types = ["Ingress", "Egress"]

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "ollama_allow_dns" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-dns"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "53"
        protocol = "UDP"
      }

      ports {
        port     = "53"
        protocol = "TCP"
      }
    }

    pod_selector {}
  }
}

resource "kubernetes_network_policy_v1" "ollama_allow_from_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-from-librechat"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    policy_types = ["Ingress"]

    ingress {
      from {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = "librechat"
          }
        }

        pod_selector {
          match_labels = {
            "app.kubernetes.io/instance" = "librechat"
            "app.kubernetes.io/name"     = "librechat"
          }
        }
      }

      ports {
        port     = "11434"
        protocol = "TCP"
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "ollama"
        "app.kubernetes.io/name"     = "ollama"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "ollama_allow_model_pulls" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "allow-model-pulls"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    policy_types = ["Egress"]

    egress {
      ports {
        port     = "443"
        protocol = "TCP"
      }

      to {
        ip_block {
          cidr = "0.0.0.0/0"
        }
      }
    }

    pod_selector {
      match_labels = {
        "app.kubernetes.io/instance" = "ollama"
        "app.kubernetes.io/name"     = "ollama"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "ollama_default_deny" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "default-deny"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    policy_types = ["Ingress", "Egress"]

    pod_selector {}
  }
}

resource "kubernetes_resource_quota_v1" "librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "platform-quota"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  spec {
    hard = {
      "limits.cpu"           = "12"
      "limits.memory"        = "24Gi"
      persistentvolumeclaims = "6"
      pods                   = "20"
      "requests.cpu"         = "6"
      "requests.memory"      = "12Gi"
      "requests.storage"     = "120Gi"
    }
  }
}

resource "kubernetes_resource_quota_v1" "ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "ollama"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "platform-quota"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  spec {
    hard = {
      "limits.cpu"              = "16"
      "limits.memory"           = "64Gi"
      persistentvolumeclaims    = "4"
      pods                      = "10"
      "requests.cpu"            = "8"
      "requests.memory"         = "40Gi"
      "requests.nvidia.com/gpu" = "2"
      "requests.storage"        = "300Gi"
    }
  }
}

resource "kubernetes_role_v1" "platform_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "llm-platform-developer"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  rule {
    api_groups = [""]
    resources  = ["pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "resourcequotas", "limitranges"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["delete"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods/portforward"]
    verbs      = ["create"]
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments", "statefulsets", "replicasets"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["batch"]
    resources  = ["jobs", "cronjobs"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["ingresses", "networkpolicies"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_v1" "platform_ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "llm-platform-developer"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  rule {
    api_groups = [""]
    resources  = ["pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "resourcequotas", "limitranges"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["delete"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods/portforward"]
    verbs      = ["create"]
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments", "statefulsets", "replicasets"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["batch"]
    resources  = ["jobs", "cronjobs"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["ingresses", "networkpolicies"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_secret_v1" "librechat_credentials" {
  data_wo = {
    CREDS_IV           = var.creds_iv
    CREDS_KEY          = var.creds_key
    JWT_REFRESH_SECRET = var.jwt_refresh_secret
    JWT_SECRET         = var.jwt_secret
    MEILI_MASTER_KEY   = var.meili_master_key
    MONGO_URI          = "mongodb://librechat:${var.mongodb_password}@librechat-mongodb.librechat.svc.cluster.local:27017/LibreChat"
  }
  data_wo_revision = var.credentials_revision
  type             = "Opaque"

  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "librechat-credentials-env"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }
}

resource "kubernetes_secret_v1" "librechat_credentials_meilisearch" {
  data_wo = {
    MEILI_MASTER_KEY = var.meili_master_key
  }
  data_wo_revision = var.credentials_revision
  type             = "Opaque"

  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "librechat-meilisearch"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }
}

resource "kubernetes_secret_v1" "librechat_credentials_mongodb" {
  data_wo = {
    mongodb-passwords     = var.mongodb_password
    mongodb-root-password = var.mongodb_root_password
  }
  data_wo_revision = var.credentials_revision
  type             = "Opaque"

  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "librechat"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "librechat-mongodb"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }
}

resource "kubernetes_role_binding_v1" "platform_librechat" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "llm-platform-developer"
    namespace = kubernetes_namespace_v1.librechat.metadata[0].name
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.platform_librechat.metadata[0].name
  }

  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "llm-platform:developers"
  }
}

resource "kubernetes_role_binding_v1" "platform_ollama" {
  metadata {
    labels = {
      "app.kubernetes.io/managed-by" = "cdktf"
      "app.kubernetes.io/name"       = "llm-platform"
      "app.kubernetes.io/part-of"    = "llm-platform"
      "llm-platform/environment"     = "prod"
    }
    name      = "llm-platform-developer"
    namespace = kubernetes_namespace_v1.ollama.metadata[0].name
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.platform_ollama.metadata[0].name
  }

  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "llm-platform:developers"
  }
}
