// Package deviceplugin installs NVIDIA's device plugin, which advertises
// nvidia.com/gpu on the nodes where it runs.
package deviceplugin

import (
	"encoding/json"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/placement"
)

// Chart is NVIDIA's chart; the apps stack gives its version and locked digest.
var Chart = helmrelease.Chart{Repository: "https://nvidia.github.io/k8s-device-plugin", Name: "nvidia-device-plugin"}

// Config is one plugin release.
type Config struct {
	// Release names the release; its Chart is this package's Chart, at a
	// locked version and digest (the apps stack gives them). Required.
	Release helmrelease.Config
	// Placement is the GPU nodes'. With a node selector, it replaces the
	// chart's default affinity (which needs node-feature-discovery labels);
	// with tolerations, they replace the chart's defaults.
	Placement placement.Placement
}

// Values are the keys of the chart's values.yaml that we set.
type Values struct {
	NodeSelector map[string]string      `json:"nodeSelector,omitempty"`
	Tolerations  []placement.Toleration `json:"tolerations,omitempty"`
	// Affinity is only ever written as null, which removes the chart's default.
	Affinity *json.RawMessage `json:"affinity,omitempty"`
}

var null = json.RawMessage("null")

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (helmrelease.Output, error) {
	v := Values{NodeSelector: c.Placement.NodeSelector, Tolerations: c.Placement.Tolerations}
	if len(v.NodeSelector) > 0 {
		v.Affinity = &null
	}
	c.Release.Values = v
	return helmrelease.New(scope, id, c.Release)
}
