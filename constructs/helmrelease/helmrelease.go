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

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/constructs/address"
)

// MaxHistory is how many revisions Helm keeps per release for rollback.
const MaxHistory = 10

// Chart is a locked chart: where it comes from and the digest of its
// archive, as the chart lock (package chartlock) has them.
type Chart struct {
	// Repository is an HTTP chart repository or an oci:// registry path,
	// where the chart is published. Required.
	Repository string
	// Name is the chart's name in the repository. Required.
	Name string
	// Version is the exact chart version. Required.
	Version string
	// Digest is the sha256 of the locked archive (sha256:…). Required.
	Digest string
}

// Description is what the release's Helm description says of its chart:
// name, version, where it is published and its locked digest. Terraform's
// plan shows it, `helm history` lists it, and a new digest for the same
// version (a re-locked chart) is a change Terraform applies.
func (c Chart) Description() string {
	return fmt.Sprintf("%s %s from %s, %s", c.Name, c.Version, c.Repository, c.Digest)
}

// Config is one release. It installs the chart's locked archive from the
// stack's own folder (chartlock.StackPath), never from the repository:
// the synth puts the archive there, checked against the lock, so plan,
// apply and destroy need no chart repository and install the bytes that
// were checked.
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
	// PreventDestroy makes Terraform refuse any plan that would uninstall
	// the release (or replace it: a new name or namespace), and so delete
	// the claims it holds. Default false.
	PreventDestroy bool
}

// Output describes the release.
type Output struct {
	Name, Namespace string
	// Chart is the locked chart it installs.
	Chart Chart
	// Revision is a reference to the deployed revision number.
	Revision *string
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
	ch := c.Chart
	if ch.Repository == "" || ch.Name == "" || ch.Version == "" || ch.Digest == "" {
		return Output{}, fmt.Errorf("release %s: chart %+v: repository, name, version and digest are all required (from the chart lock)", c.Name, ch)
	}
	cfg := &release.ReleaseConfig{
		Name:            jsii.String(c.Name),
		Namespace:       jsii.String(c.Namespace),
		Chart:           jsii.String(chartlock.StackPath(ch.Name, ch.Version)),
		Version:         jsii.String(ch.Version),
		Description:     jsii.String(ch.Description()),
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
	if c.PreventDestroy {
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
	}
	r := release.NewRelease(scope, address.ID(id), cfg)
	return Output{
		Name:      c.Name,
		Namespace: c.Namespace,
		Chart:     ch,
		Revision:  address.Attr("helm_release", "metadata.revision", id),
		Resource:  r,
	}, nil
}
