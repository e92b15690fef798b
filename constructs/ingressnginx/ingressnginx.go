// Package ingressnginx installs the ingress-nginx controller, for clusters
// that have no ingress controller.
package ingressnginx

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
)

// Chart is ingress-nginx; the apps stack gives its version and locked digest.
var Chart = helmrelease.Chart{Repository: "https://kubernetes.github.io/ingress-nginx", Name: "ingress-nginx"}

// Config is one controller release.
type Config struct {
	// Release names the release and pins the chart. Required.
	Release helmrelease.Config
	// ClassName is the IngressClass the controller serves. Required.
	ClassName string
	// ServiceType is LoadBalancer, NodePort or ClusterIP. Required.
	ServiceType string
}

// Values are the keys of the chart's values.yaml that we set.
type Values struct {
	Controller struct {
		IngressClassResource struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
			Default bool   `json:"default"`
		} `json:"ingressClassResource"`
		Service struct {
			Type string `json:"type"`
		} `json:"service"`
	} `json:"controller"`
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (helmrelease.Output, error) {
	var v Values
	v.Controller.IngressClassResource.Name = c.ClassName
	v.Controller.IngressClassResource.Enabled = true
	v.Controller.Service.Type = c.ServiceType
	if err := c.Release.Chart.Is(Chart); err != nil {
		return helmrelease.Output{}, fmt.Errorf("ingress-nginx %s: %w", c.Release.Name, err)
	}
	c.Release.Values = v
	return helmrelease.New(scope, id, c.Release)
}
