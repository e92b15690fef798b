// Package config holds the typed configuration of one platform environment
// and loads it, strictly, from envs/<name>.yaml.
//
// Every field has a default (see Default); a YAML file only states what differs.
// Field comments give the default in brackets, and the README's config
// reference repeats them.
package config

import "github.com/llm-platform/cdktf-llm/placement"

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
	// Changes is how changes to a running environment are checked and
	// guarded (make diff, make deploy).
	Changes Changes `json:"changes"`
}

// Changes is how the change check treats this environment: it compares
// what will be deployed with what is, and fails on a change the API server
// would refuse or that loses data, unless it is accepted here.
type Changes struct {
	// Accept lists such changes this environment makes knowingly, each
	// with the object as the check names it, the rule and the reason;
	// the check prints them as accepted [none].
	Accept []AcceptedChange `json:"accept"`
	// ProtectData puts Terraform's prevent_destroy on what holds data (the
	// Ollama and LibreChat releases and namespaces), so that no plain
	// terraform apply or destroy deletes them by accident: auto (where the
	// state is not local), always or never ["auto"].
	ProtectData string `json:"protectData"`
}

// AcceptedChange is one knowingly accepted change.
type AcceptedChange struct {
	// Object is the object as the check names it, e.g.
	// PersistentVolumeClaim ollama/ollama. Required.
	Object string `json:"object"`
	// Rule is the check's rule: refused or data-loss. Required.
	Rule string `json:"rule"`
	// Reason says why, for reviewers. Required.
	Reason string `json:"reason"`
}

// PreventsDestroy says whether what holds data gets prevent_destroy.
func (e Environment) PreventsDestroy() bool {
	switch e.Changes.ProtectData {
	case "always":
		return true
	case "never":
		return false
	}
	return e.Backend.Type != "local"
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
	// APIServerCIDRs are the addresses of the API server, as pods see it
	// (its endpoints, not the kubernetes Service's ClusterIP) and as it
	// calls admission webhooks from. The ingress controller may call it
	// there (443 and 6443), and only it may call the controller's admission
	// webhook [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16: a control plane in a
	// private network, as kubeadm, minikube, kind and managed clusters have].
	APIServerCIDRs []string `json:"apiServerCIDRs"`
	// StorageClasses is what the change check assumes of the cluster's
	// StorageClasses when the cluster does not answer (when it does, the
	// cluster's own are read) [none: unknown, and a claim that grows is a
	// finding until they are known].
	StorageClasses []StorageClass `json:"storageClasses"`
}

// StorageClass is what the change check needs of one StorageClass.
type StorageClass struct {
	// Name is the class's name. Required.
	Name string `json:"name"`
	// Default says it is the cluster's default class, which a claim
	// without storageClassName gets [false].
	Default bool `json:"default"`
	// AllowVolumeExpansion says claims of the class may grow [false].
	AllowVolumeExpansion bool `json:"allowVolumeExpansion"`
}

// APIServerPorts are the ports the API server listens on, where pods reach
// it: 6443 (kubeadm, kind, minikube) or 443 (most managed control planes).
var APIServerPorts = []int{443, 6443}

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
	// MetricsFrom lists the namespaces (a Prometheus's) that may scrape the
	// controller's metrics on 10254; a non-empty list turns the chart's
	// metrics on [none: metrics off, the port closed].
	MetricsFrom []string `json:"metricsFrom"`
	// AcceptExposed lists deliberate exceptions to the edge rules, each
	// {host, rule, reason}; the check prints them on every run [none].
	AcceptExposed []AcceptedExposure `json:"acceptExposed"`
}

// The edge rules an exception may accept.
const (
	// ExposeUnauthenticated is a backend with no authentication of its own
	// published without one the ingress controller enforces.
	ExposeUnauthenticated = "unauthenticated"
	// ExposePlainHTTP is a host that is not local served without TLS.
	ExposePlainHTTP = "plain-http"
	// ExposeOpenSignUp is LibreChat with open sign-up on a host that is not local.
	ExposeOpenSignUp = "open-signup"
)

// ExposureRules are the rules AcceptedExposure.Rule may name.
var ExposureRules = []string{ExposeUnauthenticated, ExposePlainHTTP, ExposeOpenSignUp}

// AcceptedExposure is one knowingly accepted edge exception.
type AcceptedExposure struct {
	// Host is the Ingress host it applies to. Required.
	Host string `json:"host"`
	// Rule is unauthenticated, plain-http or open-signup. Required.
	Rule string `json:"rule"`
	// Reason says why, for reviewers. Required.
	Reason string `json:"reason"`
}

// Accepted returns the exception of in for host and rule, if there is one.
func (in Ingress) Accepted(host, rule string) (AcceptedExposure, bool) {
	for _, a := range in.AcceptExposed {
		if a.Host == host && a.Rule == rule {
			return a, true
		}
	}
	return AcceptedExposure{}, false
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
	// Auth is what the ingress controller asks of a client before it
	// proxies [basic for Ollama, whose API has none of its own; none for
	// LibreChat, which has its own login].
	Auth IngressAuth `json:"auth"`
}

// The ingress authentication types.
const (
	AuthNone     = "none"
	AuthBasic    = "basic"
	AuthExternal = "external"
)

// IngressAuth is an authentication ingress-nginx enforces on an Ingress.
type IngressAuth struct {
	// Type is none, basic (HTTP basic auth against an htpasswd line the base
	// stack writes write-only into a Secret, from a sensitive, ephemeral
	// variable) or external (every request is checked by URL first, e.g.
	// oauth2-proxy).
	Type string `json:"type"`
	// Realm is basic auth's realm ["LLM platform"].
	Realm string `json:"realm"`
	// URL is external auth's check, answered 2xx to let a request through,
	// e.g. http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth [required
	// with type external].
	URL string `json:"url"`
	// SignIn is where external auth sends a client that is not signed in,
	// e.g. https://auth.example.com/oauth2/start?rd=$escaped_request_uri [""].
	SignIn string `json:"signIn"`
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
	Images Persistence `json:"images"`
	// Registration is who may create an account.
	Registration Registration `json:"registration"`
	Quota        Quota        `json:"quota"`
	LimitRange   LimitRange   `json:"limitRange"`
}

// The sign-up modes.
const (
	SignUpClosed  = "closed"
	SignUpOpen    = "open"
	SignUpDomains = "domains"
)

// Registration is who may sign up to LibreChat.
type Registration struct {
	// Mode is closed (accounts are made by an operator, README: the first
	// account), open (anyone who reaches the site) or domains (anyone with
	// an email address of AllowedDomains) ["": open on a local host, closed
	// on any other].
	Mode string `json:"mode"`
	// AllowedDomains are the email domains that may sign up with mode
	// domains, e.g. example.com [required with mode domains].
	AllowedDomains []string `json:"allowedDomains"`
}

// SignUp is the effective sign-up mode: Registration.Mode, or its default
// for the host (open on a local host or with no Ingress, closed otherwise).
func (l LibreChat) SignUp() string {
	if l.Registration.Mode != "" {
		return l.Registration.Mode
	}
	if l.Ingress.Enabled && !LocalHost(l.Ingress.Host) {
		return SignUpClosed
	}
	return SignUpOpen
}
