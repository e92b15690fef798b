// Package helmrelease installs a pinned chart the safe way: atomic upgrades
// that roll themselves back, cleanup on failure, waiting for readiness, and
// a bounded history to roll back to.
package helmrelease

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v12/release"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/constructs/address"
)

// MaxHistory is how many revisions Helm keeps per release for rollback.
const MaxHistory = 10

// Chart is where a chart comes from.
type Chart struct {
	// Repository is an HTTP chart repository or an oci:// registry path. Required.
	Repository string
	// Name is the chart's name in the repository. Required.
	Name string
	// Version is the exact chart version. Required.
	Version string
}

// Config is one release.
type Config struct {
	// Name is the release name. Required.
	Name string
	// Namespace must exist already; the base stack creates it. Required.
	Namespace string
	Chart     Chart
	// TimeoutSeconds bounds install and upgrade, waits included. Default 600.
	TimeoutSeconds int
	// Values is marshalled to YAML (keys sorted) as the release's values.
	// Typed structs with json tags keep it to keys the chart reads.
	Values any
	// DependsOn orders this release after others.
	DependsOn []cdktf.ITerraformDependable
}

// Output describes the release.
type Output struct {
	Name, Namespace, Chart, Version string
	// Revision is a reference to the deployed revision number.
	Revision *float64
	// Resource is the helm_release, for depends_on.
	Resource cdktf.ITerraformDependable
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (Output, error) {
	values, err := yaml.Marshal(c.Values)
	if err != nil {
		return Output{}, fmt.Errorf("release %s: values: %w", c.Name, err)
	}
	timeout := c.TimeoutSeconds
	if timeout == 0 {
		timeout = 600
	}
	cfg := &release.ReleaseConfig{
		Name:            jsii.String(c.Name),
		Namespace:       jsii.String(c.Namespace),
		Repository:      jsii.String(c.Chart.Repository),
		Chart:           jsii.String(c.Chart.Name),
		Version:         jsii.String(c.Chart.Version),
		CreateNamespace: false,
		Atomic:          true,
		CleanupOnFail:   true,
		Wait:            true,
		WaitForJobs:     true,
		MaxHistory:      jsii.Number(MaxHistory),
		Timeout:         jsii.Number(timeout),
		Values:          jsii.Strings(string(values)),
	}
	if len(c.DependsOn) > 0 {
		cfg.DependsOn = &c.DependsOn
	}
	r := release.NewRelease(scope, jsii.String(id), cfg)
	address.Set(r, id)
	return Output{
		Name:      c.Name,
		Namespace: c.Namespace,
		Chart:     c.Chart.Name,
		Version:   c.Chart.Version,
		Revision:  r.Metadata().Revision(),
		Resource:  r,
	}, nil
}
