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
	// Namespace selects all pods of that namespace by its
	// kubernetes.io/metadata.name label.
	Namespace string
	// CIDR selects addresses outside the cluster, e.g. 0.0.0.0/0.
	CIDR string
}

// Port is a port of a flow.
type Port struct {
	Number int
	// Protocol is TCP or UDP. Default "TCP".
	Protocol string
}

// Flow is one allowed direction of traffic for every pod of the namespace.
type Flow struct {
	// Name is the policy's name, allow-<Name>. Required.
	Name string
	// Ingress is true for traffic into the namespace, false for traffic out.
	Ingress bool
	Peer    Peer
	// Ports limits the flow; none allows every port.
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
	scope = constructs.NewConstruct(scope, jsii.String("networkpolicy-"+id))
	var out Output
	add := func(name string, spec *networkpolicyv1.NetworkPolicyV1Spec) {
		p := networkpolicyv1.NewNetworkPolicyV1(scope, jsii.String(name), &networkpolicyv1.NetworkPolicyV1Config{
			Metadata: &networkpolicyv1.NetworkPolicyV1Metadata{
				Name:      jsii.String(name),
				Namespace: c.Namespace,
				Labels:    jsiival.Map(c.Labels),
			},
			Spec: spec,
		})
		address.Set(p, id, name)
		out.Names = append(out.Names, name)
	}
	// An empty pod selector selects every pod of the namespace.
	all := &networkpolicyv1.NetworkPolicyV1SpecPodSelector{}
	add("default-deny", &networkpolicyv1.NetworkPolicyV1Spec{
		PodSelector: all,
		PolicyTypes: jsii.Strings("Ingress", "Egress"),
	})
	flows := append([]Flow(nil), c.Allow...)
	sort.SliceStable(flows, func(i, j int) bool { return flows[i].Name < flows[j].Name })
	for _, f := range flows {
		spec := &networkpolicyv1.NetworkPolicyV1Spec{PodSelector: all}
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

func namespaceLabels(ns string) *map[string]*string {
	return jsiival.Map(map[string]string{"kubernetes.io/metadata.name": ns})
}

func ingressPeers(p Peer) interface{} {
	switch {
	case p.Namespace != "":
		return &[]*networkpolicyv1.NetworkPolicyV1SpecIngressFrom{{
			NamespaceSelector: &networkpolicyv1.NetworkPolicyV1SpecIngressFromNamespaceSelector{MatchLabels: namespaceLabels(p.Namespace)},
		}}
	case p.CIDR != "":
		return &[]*networkpolicyv1.NetworkPolicyV1SpecIngressFrom{{
			IpBlock: &networkpolicyv1.NetworkPolicyV1SpecIngressFromIpBlock{Cidr: jsii.String(p.CIDR)},
		}}
	}
	return nil
}

func egressPeers(p Peer) interface{} {
	switch {
	case p.Namespace != "":
		return &[]*networkpolicyv1.NetworkPolicyV1SpecEgressTo{{
			NamespaceSelector: &networkpolicyv1.NetworkPolicyV1SpecEgressToNamespaceSelector{MatchLabels: namespaceLabels(p.Namespace)},
		}}
	case p.CIDR != "":
		return &[]*networkpolicyv1.NetworkPolicyV1SpecEgressTo{{
			IpBlock: &networkpolicyv1.NetworkPolicyV1SpecEgressToIpBlock{Cidr: jsii.String(p.CIDR)},
		}}
	}
	return nil
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
	out := make([]*networkpolicyv1.NetworkPolicyV1SpecEgressPorts, len(ports))
	for i, p := range ports {
		out[i] = &networkpolicyv1.NetworkPolicyV1SpecEgressPorts{Port: jsii.String(strconv.Itoa(p.Number)), Protocol: protocol(p)}
	}
	return &out
}
