// Package quota bounds a namespace: a ResourceQuota for the whole namespace
// and a LimitRange that gives containers without resources sane ones.
package quota

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/limitrangev1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/resourcequotav1"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// Config is the budget of one namespace. Quantities are Kubernetes quantities
// checked by the config loader.
type Config struct {
	// Namespace is a reference to the namespace's name. Required.
	Namespace *string
	// Labels go on both objects.
	Labels map[string]string
	// Hard is the ResourceQuota's spec.hard, e.g. requests.cpu: "2". Required.
	Hard map[string]string
	// DefaultRequest and Default are the LimitRange's container defaults
	// (cpu, memory). Required.
	DefaultRequest, Default map[string]string
}

// Output names the created objects.
type Output struct {
	QuotaName, LimitRangeName string
}

// Names of the objects in each namespace.
const (
	QuotaName      = "platform-quota"
	LimitRangeName = "container-defaults"
)

// New creates kubernetes_resource_quota_v1.<id> and kubernetes_limit_range_v1.<id>.
func New(scope constructs.Construct, id string, c Config) Output {
	// Both are named like the namespace (address.Set).
	q := resourcequotav1.NewResourceQuotaV1(scope, jsii.String("quota-"+id), &resourcequotav1.ResourceQuotaV1Config{
		Metadata: &resourcequotav1.ResourceQuotaV1Metadata{
			Name:      jsii.String(QuotaName),
			Namespace: c.Namespace,
			Labels:    jsiival.Map(c.Labels),
		},
		Spec: &resourcequotav1.ResourceQuotaV1Spec{Hard: quantities(c.Hard)},
	})
	address.Set(q, id)
	l := limitrangev1.NewLimitRangeV1(scope, jsii.String("limitrange-"+id), &limitrangev1.LimitRangeV1Config{
		Metadata: &limitrangev1.LimitRangeV1Metadata{
			Name:      jsii.String(LimitRangeName),
			Namespace: c.Namespace,
			Labels:    jsiival.Map(c.Labels),
		},
		Spec: &limitrangev1.LimitRangeV1Spec{
			Limit: &[]*limitrangev1.LimitRangeV1SpecLimit{{
				Type:           jsii.String("Container"),
				DefaultRequest: quantities(c.DefaultRequest),
				Default:        quantities(c.Default),
			}},
		},
	})
	address.Set(l, id)
	return Output{QuotaName: QuotaName, LimitRangeName: LimitRangeName}
}

// quantities writes each quantity in the canonical form the API server
// returns, so that Terraform sees no difference after a refresh.
func quantities(m map[string]string) *map[string]*string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if q, err := resource.ParseQuantity(v); err == nil {
			v = q.String()
		}
		out[k] = v
	}
	return jsiival.Map(out)
}
