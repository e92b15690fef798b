// Package ingressnginx installs the ingress-nginx controller, for clusters
// that have no ingress controller.
package ingressnginx

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
)

// Chart is ingress-nginx; the apps stack gives its version and locked digest.
var Chart = helmrelease.Chart{Repository: "https://kubernetes.github.io/ingress-nginx", Name: "ingress-nginx"}

// ReleaseName is the release's name; the controller's pods and Services
// are named after it.
const ReleaseName = "ingress-nginx"

// The controller's container ports (the chart's controller.containerPort,
// controller.admissionWebhooks.port and controller.metrics.port defaults).
const (
	HTTPPort    = 80
	HTTPSPort   = 443
	WebhookPort = 8443
	MetricsPort = 10254
)

// ControllerPodLabels are the labels the chart gives the controller's pods
// of a release.
func ControllerPodLabels(release string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      "ingress-nginx",
		"app.kubernetes.io/instance":  release,
		"app.kubernetes.io/component": "controller",
	}
}

// Config is one controller release.
type Config struct {
	// Release names the release; its Chart is this package's Chart, at a
	// locked version and digest (the apps stack gives them). Required.
	Release helmrelease.Config
	// ClassName is the IngressClass the controller serves. Required.
	ClassName string
	// ServiceType is LoadBalancer, NodePort or ClusterIP. Required.
	ServiceType string
	// Metrics turns the controller's metrics endpoint on (MetricsPort).
	Metrics bool
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
		Metrics struct {
			Enabled bool `json:"enabled"`
		} `json:"metrics"`
	} `json:"controller"`
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (helmrelease.Output, error) {
	var v Values
	v.Controller.IngressClassResource.Name = c.ClassName
	v.Controller.IngressClassResource.Enabled = true
	v.Controller.Service.Type = c.ServiceType
	v.Controller.Metrics.Enabled = c.Metrics
	c.Release.Values = v
	return helmrelease.New(scope, id, c.Release)
}
