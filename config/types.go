// Package config holds the typed configuration of one platform environment
// and loads it, strictly, from envs/<name>.yaml.
//
// Every field has a default (see Default); a YAML file only states what differs.
// Field comments give the default in brackets, and the README's config
// reference repeats them.
package config

import "github.com/llm-platform/cdktf-llm/constructs/placement"

// Environment is one deployment target. It yields the stacks base-<Name> and
// apps-<Name>, both computed from this one value.
type Environment struct {
	// Name is the environment's name, taken from the file name (envs/<name>.yaml).
	Name string `json:"-"`
	// File is the path the environment was loaded from, for messages.
	File string `json:"-"`

	Cluster  Cluster  `json:"cluster"`
	Backend  Backend  `json:"backend"`
	Security Security `json:"security"`
	Access   Access   `json:"access"`
	Ingress  Ingress  `json:"ingress"`
	// Ollama serves the models.
	Ollama Ollama `json:"ollama"`
	// LibreChat is the chat UI, with its MongoDB and Meilisearch.
	LibreChat LibreChat `json:"librechat"`
	// NvidiaDevicePlugin installs NVIDIA's device plugin, which makes
	// nvidia.com/gpu schedulable; it runs on Ollama's nodes (ollama.nodeSelector
	// and ollama.tolerations).
	NvidiaDevicePlugin DevicePlugin `json:"nvidiaDevicePlugin"`
	// Images is the policy for the container images the charts run.
	Images Images `json:"images"`
}

// Images is the policy for the images the rendered charts run. Every image
// needs a tag or digest other than latest, and an image from a repository
// known to be unmaintained is a finding unless it is accepted here.
type Images struct {
	// AcceptUnmaintained lists unmaintained repositories this environment runs
	// knowingly, each with the reason; the check prints them on every run
	// [docker.io/bitnamilegacy/mongodb, LibreChat's MongoDB; [] makes it a finding].
	AcceptUnmaintained []AcceptedImage `json:"acceptUnmaintained"`
}

// AcceptedImage is one knowingly accepted image repository.
type AcceptedImage struct {
	// Repository is the image repository as the check prints it, e.g.
	// docker.io/bitnamilegacy/mongodb. Required.
	Repository string `json:"repository"`
	// Reason says why, for reviewers. Required.
	Reason string `json:"reason"`
}

// Cluster says how Terraform reaches the cluster. Both values become the
// defaults of the kubeconfig_path and kube_context variables of every stack.
type Cluster struct {
	// Kubeconfig is the kubeconfig file ["~/.kube/config"].
	Kubeconfig string `json:"kubeconfig"`
	// Context is the kubeconfig context; empty uses its current context [""].
	Context string `json:"context"`
	// KubernetesVersion is the cluster's Kubernetes minor version, as
	// major.minor; the charts are rendered and checked for it ["1.34"].
	KubernetesVersion string `json:"kubernetesVersion"`
}

// Backend is where Terraform keeps each stack's state.
type Backend struct {
	// Type is local, kubernetes or s3 ["local"]. local keeps
	// .terraform-state/<stack>.tfstate at the project root, outside cdktf.out.
	Type       string            `json:"type"`
	Kubernetes KubernetesBackend `json:"kubernetes"`
	S3         S3Backend         `json:"s3"`
}

// KubernetesBackend keeps state in a Secret named tfstate-default-<stack>.
// It uses cluster.kubeconfig and cluster.context.
type KubernetesBackend struct {
	// Namespace holds the state Secrets; it must exist ["default"].
	Namespace string `json:"namespace"`
}

// S3Backend keeps state in an S3 bucket with S3-native locking. Credentials
// come from the usual AWS environment, never from this file.
type S3Backend struct {
	// Bucket is the bucket name [required with type s3].
	Bucket string `json:"bucket"`
	// Region is the bucket's region [required with type s3].
	Region string `json:"region"`
	// KeyPrefix is prepended to <stack>.tfstate ["llm-platform"].
	KeyPrefix string `json:"keyPrefix"`
}

// Security holds cluster-wide security settings.
type Security struct {
	// PodSecurity is the Pod Security Admission level enforced (and audited and
	// warned) in the Ollama and LibreChat namespaces: privileged, baseline or
	// restricted ["baseline"].
	PodSecurity string `json:"podSecurity"`
}

// Access grants groups of the cluster's authenticator rights.
type Access struct {
	// DeveloperGroups may manage workloads in the Ollama and LibreChat
	// namespaces, secrets excepted [none].
	DeveloperGroups []string `json:"developerGroups"`
	// ViewerGroups get read-only access, secrets excepted, across the
	// platform's namespaces [none].
	ViewerGroups []string `json:"viewerGroups"`
}

// Ingress describes the cluster's ingress controller.
type Ingress struct {
	// ClassName is the IngressClass of both apps' Ingresses ["nginx"].
	ClassName string `json:"className"`
	// Namespace is where the controller runs; its pods may reach LibreChat
	// (and Ollama, when its ingress is on) ["ingress-nginx"].
	Namespace string `json:"namespace"`
	// Install installs ingress-nginx into Namespace, for clusters that have no
	// controller [true].
	Install bool `json:"install"`
	// ChartVersion is the ingress-nginx chart version ["4.15.1"].
	ChartVersion string `json:"chartVersion"`
	// ServiceType is the controller Service's type: LoadBalancer, NodePort or
	// ClusterIP ["NodePort"]. Helm waits for a LoadBalancer's address, so use
	// LoadBalancer only where the cluster provides one.
	ServiceType string `json:"serviceType"`
}

// DevicePlugin is NVIDIA's device plugin add-on.
type DevicePlugin struct {
	// Install installs the plugin [false].
	Install bool `json:"install"`
	// Namespace gets the privileged Pod Security level that the plugin needs
	// ["nvidia-device-plugin"].
	Namespace string `json:"namespace"`
	// ChartVersion is the nvidia-device-plugin chart version ["0.20.0"].
	ChartVersion string `json:"chartVersion"`
}

// Release is one Helm release.
type Release struct {
	// Name is the release name [the app's name].
	Name string `json:"name"`
	// ChartVersion is the exact chart version [the tested one].
	ChartVersion string `json:"chartVersion"`
	// Timeout bounds install and upgrade, as a Go duration ["30m" for Ollama,
	// whose model pulls are slow; "10m" for LibreChat].
	Timeout string `json:"timeout"`
}

// Ollama is the model server.
type Ollama struct {
	// Namespace ["ollama"].
	Namespace string  `json:"namespace"`
	Release   Release `json:"release"`
	// Models are pulled at start ["llama3.2:1b"].
	Models      []string    `json:"models"`
	GPU         GPU         `json:"gpu"`
	Persistence Persistence `json:"persistence"`
	// Resources of the Ollama container [requests 500m/2Gi, limits 2/6Gi].
	Resources Resources `json:"resources"`
	// NodeSelector places Ollama (and the device plugin) [none].
	NodeSelector map[string]string `json:"nodeSelector"`
	// Tolerations let Ollama (and the device plugin) onto tainted nodes [none].
	Tolerations []Toleration `json:"tolerations"`
	// Ingress exposes Ollama's API. The API has no authentication [off].
	Ingress    AppIngress  `json:"ingress"`
	Quota      OllamaQuota `json:"quota"`
	LimitRange LimitRange  `json:"limitRange"`
}

// GPU asks for accelerators for Ollama.
type GPU struct {
	// Enabled runs Ollama on GPUs [false].
	Enabled bool `json:"enabled"`
	// Type is nvidia or amd ["nvidia"].
	Type string `json:"type"`
	// Count is the GPUs per Ollama pod [1].
	Count int `json:"count"`
	// ResourceName is the extended resource the device plugin offers ["nvidia.com/gpu"].
	ResourceName string `json:"resourceName"`
}

// Persistence is a volume's size and storage class ("" is the cluster's
// default); Resources are a container's requests and limits; CPUMemory is a
// pair of quantities; Toleration is a Kubernetes toleration (operator Equal
// or Exists, default Equal; effect NoSchedule, PreferNoSchedule or NoExecute,
// empty for all). They have the shape the charts take, so they pass through.
type (
	Persistence = placement.Volume
	Resources   = placement.Resources
	CPUMemory   = placement.CPUMemory
	Toleration  = placement.Toleration
)

// DataStore is one of LibreChat's data stores, MongoDB or Meilisearch: the
// fields of its volume (size, storageClass) inline, and its container's
// resources. LibreChat's quota must hold it together with LibreChat's own pod
// twice (a rolling update adds a pod before removing one).
type DataStore struct {
	Persistence `json:",inline"`
	// Resources of the store's container [see LibreChat.MongoDB and
	// LibreChat.Meilisearch].
	Resources Resources `json:"resources"`
}

// AppIngress exposes an app through the cluster's ingress controller.
type AppIngress struct {
	Enabled bool `json:"enabled"`
	// Host is the DNS name.
	Host string `json:"host"`
	// TLSSecretName names the certificate Secret in the app's namespace; empty
	// serves plain HTTP [""].
	TLSSecretName string `json:"tlsSecretName"`
	// Annotations go on the Ingress, e.g. cert-manager.io/cluster-issuer [none].
	Annotations map[string]string `json:"annotations"`
}

// Quota is a namespace's ResourceQuota.
type Quota struct {
	Requests CPUMemory `json:"requests"`
	Limits   CPUMemory `json:"limits"`
	// Pods is the most pods.
	Pods int `json:"pods"`
	// PersistentVolumeClaims is the most claims.
	PersistentVolumeClaims int `json:"persistentVolumeClaims"`
	// Storage is the most storage requested by all claims together.
	Storage string `json:"storage"`
}

// OllamaQuota adds the GPU count to a Quota.
type OllamaQuota struct {
	Quota `json:",inline"`
	// GPUs is the most GPUs (requests.<gpu.resourceName>) [0].
	GPUs int `json:"gpus"`
}

// LimitRange gives containers that state no resources some.
type LimitRange struct {
	// DefaultRequest is a container's request when it has none.
	DefaultRequest CPUMemory `json:"defaultRequest"`
	// Default is a container's limit when it has none.
	Default CPUMemory `json:"default"`
}

// LibreChat is the chat UI with its MongoDB and Meilisearch.
type LibreChat struct {
	// Namespace ["librechat"].
	Namespace string  `json:"namespace"`
	Release   Release `json:"release"`
	// Ingress exposes LibreChat [on, host chat.localhost].
	Ingress AppIngress `json:"ingress"`
	// Resources of the LibreChat container [requests 250m/512Mi, limits 1/1Gi].
	Resources Resources `json:"resources"`
	// MongoDB is the database: its volume [8Gi] and its container's resources
	// [requests 250m/512Mi, limits 1/1Gi], which replace the Bitnami chart's
	// resourcesPreset.
	MongoDB DataStore `json:"mongodb"`
	// Meilisearch is the search index: its volume [2Gi] and its container's
	// resources [requests 100m/256Mi, limits 500m/1Gi]; the chart sets none.
	Meilisearch DataStore `json:"meilisearch"`
	// Images is the volume of uploaded images [2Gi].
	Images     Persistence `json:"images"`
	Quota      Quota       `json:"quota"`
	LimitRange LimitRange  `json:"limitRange"`
}
