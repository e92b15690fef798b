// Package ollama installs the Ollama model server from the otwld chart.
package ollama

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/placement"
)

// Port is Ollama's API port.
const Port = 11434

// Chart is the otwld chart; the apps stack gives its version and locked digest.
var Chart = helmrelease.Chart{Repository: "https://helm.otwld.com/", Name: "ollama"}

// GPU asks for accelerators.
type GPU struct {
	Enabled bool
	// Type is nvidia or amd.
	Type string
	// Count is the GPUs per pod.
	Count int
	// ResourceName is the extended resource, e.g. nvidia.com/gpu.
	ResourceName string
}

// Config is one Ollama release.
type Config struct {
	// Release names the release; its Chart is this package's Chart, at a
	// locked version and digest (the apps stack gives them). Required.
	Release helmrelease.Config
	// Models are pulled at start.
	Models []string
	GPU    GPU
	// Volume holds the models. Required.
	Volume    placement.Volume
	Resources placement.Resources
	Placement placement.Placement
	// Ingress exposes the API when set.
	Ingress *ingress.Config
	// PodSecurity is the Pod Security Admission level the release's
	// namespace enforces. Default "", like privileged and baseline: the
	// chart's own security contexts, under which Ollama runs as root with its
	// data in /root/.ollama. restricted runs it as User, with its data in
	// Home/.ollama (see values).
	PodSecurity api.Level
}

// User is the uid and gid Ollama runs as, and the group that owns its
// volume, under the restricted level. The image runs as root and has no
// other user; any non-root id works, as Home is set.
const User = 1000

// Home is Ollama's HOME under the restricted level, the one its Linux
// service uses too. The image's HOME is /root, which only root may enter;
// Ollama keeps its key (id_ed25519) and, unless OLLAMA_MODELS says
// otherwise, its models in $HOME/.ollama, where the volume is mounted.
const Home = "/usr/share/ollama"

// Output is the installed release and where it answers.
type Output struct {
	Release helmrelease.Output
	// URL is Ollama's in-cluster API address.
	URL string
}

// ServiceURL is the in-cluster address of release name's Service: the chart
// names it after fullnameOverride, which we set to the release name.
func ServiceURL(release, namespace string) string {
	return fmt.Sprintf("http://%s.%s.svc.cluster.local:%d", release, namespace, Port)
}

// PodLabels select the Ollama pods of a release: the Deployment's selector
// labels (ollama.selectorLabels in the chart's _helpers.tpl), whose name is
// ollama.name, the chart's name, as we set no nameOverride.
func PodLabels(release string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "ollama", "app.kubernetes.io/instance": release}
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (Output, error) {
	if _, err := api.ParseLevel(string(c.PodSecurity)); c.PodSecurity != "" && err != nil {
		return Output{}, fmt.Errorf("ollama %s: PodSecurity: %w", c.Release.Name, err)
	}
	c.Release.Values = values(c)
	r, err := helmrelease.New(scope, id, c.Release)
	if err != nil {
		return Output{}, err
	}
	return Output{Release: r, URL: ServiceURL(c.Release.Name, c.Release.Namespace)}, nil
}

// Values are the keys of the chart's values.yaml that we set.
type Values struct {
	FullnameOverride string                 `json:"fullnameOverride"`
	Ollama           OllamaValues           `json:"ollama"`
	PersistentVolume PersistentVolume       `json:"persistentVolume"`
	Resources        placement.Resources    `json:"resources"`
	NodeSelector     map[string]string      `json:"nodeSelector,omitempty"`
	Tolerations      []placement.Toleration `json:"tolerations,omitempty"`
	Ingress          ingress.Values         `json:"ingress"`
	// PodSecurityContext, SecurityContext (the ollama container's) and
	// ExtraEnv are set under the restricted level only.
	PodSecurityContext *corev1.PodSecurityContext `json:"podSecurityContext,omitempty"`
	SecurityContext    *corev1.SecurityContext    `json:"securityContext,omitempty"`
	ExtraEnv           []corev1.EnvVar            `json:"extraEnv,omitempty"`
}

// OllamaValues is the chart's ollama: section.
type OllamaValues struct {
	GPU    GPUValues    `json:"gpu"`
	Models ModelsValues `json:"models"`
	// MountPath is where the models volume is mounted; the chart's default
	// is /root/.ollama.
	MountPath string `json:"mountPath,omitempty"`
}

// GPUValues is ollama.gpu.
type GPUValues struct {
	Enabled        bool   `json:"enabled"`
	Type           string `json:"type"`
	Number         int    `json:"number"`
	NvidiaResource string `json:"nvidiaResource"`
}

// ModelsValues is ollama.models.
type ModelsValues struct {
	Pull []string `json:"pull"`
}

// PersistentVolume is the models volume.
type PersistentVolume struct {
	Enabled      bool   `json:"enabled"`
	Size         string `json:"size"`
	StorageClass string `json:"storageClass,omitempty"`
}

func values(c Config) Values {
	v := Values{
		FullnameOverride: c.Release.Name,
		Ollama: OllamaValues{
			GPU:    GPUValues{Enabled: c.GPU.Enabled, Type: c.GPU.Type, Number: c.GPU.Count, NvidiaResource: c.GPU.ResourceName},
			Models: ModelsValues{Pull: append([]string{}, c.Models...)},
		},
		PersistentVolume: PersistentVolume{Enabled: true, Size: c.Volume.Size, StorageClass: c.Volume.StorageClass},
		Resources:        c.Resources,
		NodeSelector:     c.Placement.NodeSelector,
		Tolerations:      c.Placement.Tolerations,
		Ingress:          ingress.ValuesFor(c.Ingress, c.Release.Name, "Prefix"),
	}
	if c.PodSecurity == api.LevelRestricted {
		restricted(&v)
	}
	return v
}

// restricted makes the pod meet the restricted Pod Security level. The
// chart's deployment.yaml writes podSecurityContext and securityContext as
// they are, mounts the ollama-data volume (the only one, as no model is
// created from a ConfigMap) at ollama.mountPath, and appends extraEnv to the
// container's env, which the postStart hook's ollama pull shares. fsGroup
// gives User's group the volume, also one written by root before;
// OnRootMismatch re-owns a volume of models only when its root is not yet
// the group's.
func restricted(v *Values) {
	v.PodSecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](User), RunAsGroup: ptr.To[int64](User),
		FSGroup: ptr.To[int64](User), FSGroupChangePolicy: ptr.To(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	v.SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}
	v.Ollama.MountPath = Home + "/.ollama"
	v.ExtraEnv = []corev1.EnvVar{{Name: "HOME", Value: Home}}
}
