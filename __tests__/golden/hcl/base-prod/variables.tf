# base-prod: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).

variable "credentials_revision" {
  type        = number
  description = "Revision of the credentials (all their Secrets). The values are write-only, so Terraform cannot see them change: raise this number to write new ones."
  default     = 1
  nullable    = false

  validation {
    condition     = var.credentials_revision >= 1 && floor(var.credentials_revision) == var.credentials_revision
    error_message = "credentials_revision must be a whole number of at least 1."
  }
}

variable "creds_iv" {
  type        = string
  description = "LibreChat's CREDS_IV: 32 hex digits (16 bytes). Generate one with `openssl rand -hex 16`; pass it as TF_VAR_creds_iv."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^[0-9a-fA-F]{32}$", var.creds_iv))
    error_message = "creds_iv must be 32 hex digits (16 bytes); generate one with `openssl rand -hex 16`."
  }
}

variable "creds_key" {
  type        = string
  description = "LibreChat's CREDS_KEY: 64 hex digits (32 bytes). Generate one with `openssl rand -hex 32`; pass it as TF_VAR_creds_key."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^[0-9a-fA-F]{64}$", var.creds_key))
    error_message = "creds_key must be 64 hex digits (32 bytes); generate one with `openssl rand -hex 32`."
  }
}

variable "jwt_refresh_secret" {
  type        = string
  description = "LibreChat's JWT_REFRESH_SECRET: at least 32 characters. Generate one with `openssl rand -hex 32`; pass it as TF_VAR_jwt_refresh_secret."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^.{32,}$", var.jwt_refresh_secret))
    error_message = "jwt_refresh_secret must be at least 32 characters; generate one with `openssl rand -hex 32`."
  }
}

variable "jwt_secret" {
  type        = string
  description = "LibreChat's JWT_SECRET: at least 32 characters. Generate one with `openssl rand -hex 32`; pass it as TF_VAR_jwt_secret."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^.{32,}$", var.jwt_secret))
    error_message = "jwt_secret must be at least 32 characters; generate one with `openssl rand -hex 32`."
  }
}

variable "kube_context" {
  type        = string
  description = "Context of the kubeconfig to use; empty uses its current context."
  default     = "prod"
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

variable "meili_master_key" {
  type        = string
  description = "Meilisearch's master key, LibreChat's MEILI_MASTER_KEY: at least 16 characters. Generate one with `openssl rand -hex 16`; pass it as TF_VAR_meili_master_key."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^.{16,}$", var.meili_master_key))
    error_message = "meili_master_key must be at least 16 characters; generate one with `openssl rand -hex 16`."
  }
}

variable "mongodb_password" {
  type        = string
  description = "The password of MongoDB's user librechat, LibreChat's login (in its MONGO_URI), which MongoDB sets when it first starts on an empty volume: at least 24 letters and digits. Generate one with `openssl rand -hex 24`; pass it as TF_VAR_mongodb_password."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]{24,}$", var.mongodb_password))
    error_message = "mongodb_password must be at least 24 letters and digits; generate one with `openssl rand -hex 24`."
  }
}

variable "mongodb_root_password" {
  type        = string
  description = "The password of MongoDB's root user, which MongoDB sets when it first starts on an empty volume: at least 24 letters and digits. Generate one with `openssl rand -hex 24`; pass it as TF_VAR_mongodb_root_password."
  nullable    = false
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]{24,}$", var.mongodb_root_password))
    error_message = "mongodb_root_password must be at least 24 letters and digits; generate one with `openssl rand -hex 24`."
  }
}
