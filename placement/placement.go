// Package placement holds the pod scheduling and sizing values that several
// charts share, in the shape Kubernetes (and so the charts) use.
package placement

// Resources are a container's requests and limits.
type Resources struct {
	Requests CPUMemory `json:"requests"`
	Limits   CPUMemory `json:"limits"`
}

// CPUMemory is a pair of quantities.
type CPUMemory struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
}

// Toleration is a Kubernetes toleration.
type Toleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"`
	Value    string `json:"value,omitempty"`
	Effect   string `json:"effect,omitempty"`
}

// Volume is a persistent volume claim's size and class.
type Volume struct {
	// Size is a quantity. Required.
	Size string `json:"size"`
	// StorageClass "" uses the cluster's default class.
	StorageClass string `json:"storageClass"`
}

// Placement puts pods on nodes.
type Placement struct {
	NodeSelector map[string]string
	Tolerations  []Toleration
}
