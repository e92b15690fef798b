// Package networkpolicy isolates a namespace: it denies all ingress and
// egress, then allows each listed flow with a policy of its own, so that
// `kubectl get networkpolicy` reads as the list of allowed flows.
package networkpolicy

import (
	"sort"
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/networkpolicyv1"

	"github.com/llm-platform/cdktf-llm/constructs/address"
	"github.com/llm-platform/cdktf-llm/constructs/jsiival"
)

// Peer is the other side of a flow. The zero Peer is anywhere.
type Peer struct {
	// Namespace selects that namespace by its kubernetes.io/metadata.name
	// label. Default "": the policy's own namespace when Pods is set, else
	// no namespace selector.
	Namespace string
	// Pods selects the pods with all these labels (of Namespace, or of the
	// policy's namespace). Default nil: every pod of Namespace.
	Pods map[string]string
	// CIDRs select addresses outside the cluster, e.g. 0.0.0.0/0, each an
	// ipBlock peer of its own. Kubernetes refuses them together with
	// Namespace or Pods.
	CIDRs []string
}

// Port is a port of a flow.
type Port struct {
	// Number is the port. Required.
	Number int
	// Protocol is TCP or UDP. Default "TCP".
	Protocol string
}

// Flow is one allowed direction of traffic for the selected pods of the
// namespace.
type Flow struct {
	// Name is the policy's name, allow-<Name>. Required.
	Name string
	// Ingress is true for traffic into the pods, false for traffic out.
	Ingress bool
	// Pods selects the pods of the namespace the flow applies to, by all
	// these labels. Default nil: every pod of the namespace.
	Pods map[string]string
	Peer Peer
	// Ports limits the flow. Default none: every port.
	Ports []Port
}

// Config is the isolation of one namespace.
type Config struct {
	// Namespace is a reference to the namespace's name. Required.
	Namespace *string
	// Labels go on every policy.
	Labels map[string]string
	// Allow lists the allowed flows; everything else is denied.
	Allow []Flow
}

// Output names the policies.
type Output struct {
	Names []string
}

// DNS allows name lookups on port 53 anywhere (cluster DNS or a node-local cache).
var DNS = Flow{Name: "dns", Peer: Peer{}, Ports: []Port{{Number: 53, Protocol: "UDP"}, {Number: 53, Protocol: "TCP"}}}

// New creates kubernetes_network_policy_v1.<id>_default_deny and one
// kubernetes_network_policy_v1.<id>_allow_<flow> per flow.
func New(scope constructs.Construct, id string, c Config) Output {
	var out Output
	add := func(name string, spec *networkpolicyv1.NetworkPolicyV1Spec) {
		networkpolicyv1.NewNetworkPolicyV1(scope, address.ID(id, name), &networkpolicyv1.NetworkPolicyV1Config{
			Metadata: &networkpolicyv1.NetworkPolicyV1Metadata{
				Name:      jsii.String(name),
				Namespace: c.Namespace,
				Labels:    jsiival.Map(c.Labels),
			},
			Spec: spec,
		})
		out.Names = append(out.Names, name)
	}
	add("default-deny", &networkpolicyv1.NetworkPolicyV1Spec{
		PodSelector: podSelector(nil),
		PolicyTypes: jsii.Strings("Ingress", "Egress"),
	})
	flows := append([]Flow(nil), c.Allow...)
	sort.SliceStable(flows, func(i, j int) bool { return flows[i].Name < flows[j].Name })
	for _, f := range flows {
		spec := &networkpolicyv1.NetworkPolicyV1Spec{PodSelector: podSelector(f.Pods)}
		if f.Ingress {
			spec.PolicyTypes = jsii.Strings("Ingress")
			spec.Ingress = &[]*networkpolicyv1.NetworkPolicyV1SpecIngress{{
				From:  ingressPeers(f.Peer),
				Ports: ingressPorts(f.Ports),
			}}
		} else {
			spec.PolicyTypes = jsii.Strings("Egress")
			spec.Egress = &[]*networkpolicyv1.NetworkPolicyV1SpecEgress{{
				To:    egressPeers(f.Peer),
				Ports: egressPorts(f.Ports),
			}}
		}
		add("allow-"+f.Name, spec)
	}
	return out
}

// podSelector selects the pods with all the labels; none selects every pod
// of the namespace.
func podSelector(labels map[string]string) *networkpolicyv1.NetworkPolicyV1SpecPodSelector {
	if len(labels) == 0 {
		return &networkpolicyv1.NetworkPolicyV1SpecPodSelector{}
	}
	return &networkpolicyv1.NetworkPolicyV1SpecPodSelector{MatchLabels: jsiival.Map(labels)}
}

// The bindings give ingress and egress rules distinct types with the same
// fields; the egress ones are converted from the ingress ones.

func ingressPeers(p Peer) interface{} {
	from := ingressPeer(p)
	if from == nil {
		return nil
	}
	return &from
}

func egressPeers(p Peer) interface{} {
	from := ingressPeer(p)
	if from == nil {
		return nil
	}
	to := make([]*networkpolicyv1.NetworkPolicyV1SpecEgressTo, len(from))
	for i, f := range from {
		to[i] = &networkpolicyv1.NetworkPolicyV1SpecEgressTo{
			NamespaceSelector: (*networkpolicyv1.NetworkPolicyV1SpecEgressToNamespaceSelector)(f.NamespaceSelector),
			PodSelector:       (*networkpolicyv1.NetworkPolicyV1SpecEgressToPodSelector)(f.PodSelector),
			IpBlock:           (*networkpolicyv1.NetworkPolicyV1SpecEgressToIpBlock)(f.IpBlock),
		}
	}
	return &to
}

// ingressPeer is p as a rule's peers: one selector peer, or one ipBlock
// peer per CIDR; nil for anywhere.
func ingressPeer(p Peer) []*networkpolicyv1.NetworkPolicyV1SpecIngressFrom {
	if len(p.CIDRs) > 0 {
		out := make([]*networkpolicyv1.NetworkPolicyV1SpecIngressFrom, len(p.CIDRs))
		for i, c := range p.CIDRs {
			out[i] = &networkpolicyv1.NetworkPolicyV1SpecIngressFrom{IpBlock: &networkpolicyv1.NetworkPolicyV1SpecIngressFromIpBlock{Cidr: jsii.String(c)}}
		}
		return out
	}
	if p.Namespace == "" && len(p.Pods) == 0 {
		return nil
	}
	from := &networkpolicyv1.NetworkPolicyV1SpecIngressFrom{}
	if p.Namespace != "" {
		from.NamespaceSelector = &networkpolicyv1.NetworkPolicyV1SpecIngressFromNamespaceSelector{
			MatchLabels: jsiival.Map(map[string]string{"kubernetes.io/metadata.name": p.Namespace}),
		}
	}
	if len(p.Pods) > 0 {
		from.PodSelector = &networkpolicyv1.NetworkPolicyV1SpecIngressFromPodSelector{MatchLabels: jsiival.Map(p.Pods)}
	}
	return []*networkpolicyv1.NetworkPolicyV1SpecIngressFrom{from}
}

func protocol(p Port) *string {
	if p.Protocol == "" {
		return jsii.String("TCP")
	}
	return jsii.String(p.Protocol)
}

func ingressPorts(ports []Port) interface{} {
	if len(ports) == 0 {
		return nil
	}
	out := make([]*networkpolicyv1.NetworkPolicyV1SpecIngressPorts, len(ports))
	for i, p := range ports {
		out[i] = &networkpolicyv1.NetworkPolicyV1SpecIngressPorts{Port: jsii.String(strconv.Itoa(p.Number)), Protocol: protocol(p)}
	}
	return &out
}

func egressPorts(ports []Port) interface{} {
	if len(ports) == 0 {
		return nil
	}
	in := *ingressPorts(ports).(*[]*networkpolicyv1.NetworkPolicyV1SpecIngressPorts)
	out := make([]*networkpolicyv1.NetworkPolicyV1SpecEgressPorts, len(in))
	for i, p := range in {
		out[i] = (*networkpolicyv1.NetworkPolicyV1SpecEgressPorts)(p)
	}
	return &out
}
