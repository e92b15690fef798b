// Package ollama installs the Ollama model server from the otwld chart.
package ollama

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/constructs/placement"
)

// Port is Ollama's API port.
const Port = 11434

// Chart is the otwld chart; Version is set per environment.
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
	// Release names the release and pins the chart. Required.
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
}

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

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (Output, error) {
	c.Release.Chart.Repository, c.Release.Chart.Name = Chart.Repository, Chart.Name
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
}

// OllamaValues is the chart's ollama: section.
type OllamaValues struct {
	GPU    GPUValues    `json:"gpu"`
	Models ModelsValues `json:"models"`
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
	return v
}
