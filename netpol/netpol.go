// Package netpol evaluates Kubernetes NetworkPolicy semantics offline: given
// the namespaces and policies that will exist, it decides whether a flow from
// one endpoint to another on a port is allowed, and explains why.
//
// It implements the networking.k8s.io/v1 rules as the API documents them
// (k8s.io/api/networking/v1): a pod is isolated for a direction iff a policy
// in its namespace selects it with that policy type; isolated pods accept only
// what the union of the selecting policies' rules allows; a flow needs both
// the source's egress and the destination's ingress to allow it. Policies the
// API server would reject are left out of the evaluation and reported; what
// it accepts is kept, ipBlock CIDRs included, parsed as it parses them
// (k8s.io/utils/net ParseCIDRSloppy; see cidr.go for legacy forms and
// IPv4-mapped blocks).
//
// Compile validates and parses a Cluster's policies once; Compiled.Evaluate
// then decides each flow without parsing anything.
//
// Outside its scope: AdminNetworkPolicy and CNI-specific policy kinds,
// host-network pods, traffic from a pod's own node (always allowed to it),
// Services (evaluate the backing pods and their target port) and NAT.
package netpol

import (
	"net/netip"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Endpoint is one side of a flow: a pod (Namespace, Labels and its container
// Ports) or, when Namespace is "", an address outside the cluster (IP).
type Endpoint struct {
	// Name identifies the endpoint in messages, e.g.
	// "librechat/Deployment/librechat". When empty, one is made up from the
	// namespace and labels, or the IP.
	Name string
	// Namespace is the pod's namespace; "" makes the endpoint external.
	Namespace string
	// Labels are the pod's labels.
	Labels map[string]string
	// Ports are the pod's container ports. Named ports in rules resolve
	// against the destination's ports; a port's protocol defaults to TCP.
	Ports []corev1.ContainerPort
	// IP is the address of an external endpoint, e.g. "203.0.113.10". It is
	// ignored for pods, whose addresses are not known before they run. An
	// external endpoint without a valid IP may match any ipBlock.
	IP string
}

// external reports whether e is an address outside the cluster.
func (e Endpoint) external() bool { return e.Namespace == "" }

// label is e's name for messages.
func (e Endpoint) label() string {
	if e.Name != "" {
		return e.Name
	}
	if e.external() {
		if e.IP == "" {
			return "external address"
		}
		return e.IP
	}
	return e.Namespace + "/pod{" + labels.Set(e.Labels).String() + "}"
}

// Cluster is everything NetworkPolicy evaluation depends on.
type Cluster struct {
	// Namespaces maps a namespace's name to its labels. The label
	// kubernetes.io/metadata.name is implied and always equals the name, as
	// the API server enforces. A namespace missing from the map is taken to
	// exist with that label only.
	Namespaces map[string]map[string]string
	// Policies is every NetworkPolicy that will exist, each in the namespace
	// of its ObjectMeta.Namespace. They are evaluated in this order.
	Policies []networkingv1.NetworkPolicy
	// StrictIPCIDRValidation says the API server runs with the feature gate
	// of that name on (alpha since 1.33, off by default in every release up
	// to 1.34): then ipBlock CIDRs with leading zeros, IPv4-mapped addresses
	// or bits beyond the prefix length are rejected, and a policy with one
	// is left out. Off, they are accepted as the legacy parser reads them.
	StrictIPCIDRValidation bool
}

// Side explains one direction of a flow: the source's egress or the
// destination's ingress.
type Side struct {
	// Evaluated is false when this side's endpoint is external: it has no
	// policies of its own and allows the flow.
	Evaluated bool
	// Selecting lists the policies ("namespace/name", in input order) that
	// select the pod and have this side's policy type. The pod is isolated in
	// this direction iff the list is not empty.
	Selecting []string
	// AllowedBy lists those of Selecting with a rule that matches the flow.
	AllowedBy []string
	// AllowedByIPBlock lists those of Selecting, not in AllowedBy, with a rule
	// that matches the flow only through an ipBlock that may cover the peer
	// pod's address (whether ipBlocks apply to pod traffic depends on the CNI)
	// or the peer's unknown external address.
	AllowedByIPBlock []string
	// Allowed reports whether this direction lets the flow through: it is not
	// evaluated, not isolated, or some selecting policy allows the flow.
	Allowed bool
}

// Isolated reports whether some policy selects the pod for this direction.
func (s Side) Isolated() bool { return len(s.Selecting) > 0 }

// viaIPBlock reports whether s allows the flow only through ipBlock rules.
func (s Side) viaIPBlock() bool {
	return s.Allowed && s.Isolated() && len(s.AllowedBy) == 0 && len(s.AllowedByIPBlock) > 0
}

// Verdict is the outcome of evaluating one flow, with the reasons.
type Verdict struct {
	// Allowed reports whether the flow is allowed: Egress and Ingress both
	// allow it. It counts allowances through ipBlock rules (see ViaIPBlock).
	Allowed bool
	// Egress explains the source's side and Ingress the destination's.
	Egress, Ingress Side
	// ViaIPBlock reports that the flow is allowed only because an ipBlock
	// rule may match a pod (or an external endpoint with no valid IP): on
	// some CNIs it is, on others not. Callers proving a flow allowed should
	// reject such a verdict; callers proving it denied should treat it as
	// allowed.
	ViaIPBlock bool
	// Ignored lists the policies in the source's or destination's namespace
	// (or with no namespace) that the API server would reject, and which
	// were therefore left out, as "namespace/name: reason".
	Ignored []string

	src, dst string
	port     int32
	protocol corev1.Protocol
}

// String renders v on one line, e.g. "allowed: egress by librechat/allow-x,
// ingress by ollama/allow-y" or "denied: ingress: selected by
// ollama/default-deny, no rule allows from librechat/Deployment/librechat on
// 11434/TCP".
func (v Verdict) String() string {
	var b strings.Builder
	flow := strconv.Itoa(int(v.port)) + "/" + string(v.protocol)
	if v.Allowed {
		if v.ViaIPBlock {
			b.WriteString("allowed only via ipBlock (CNI-dependent): ")
		} else {
			b.WriteString("allowed: ")
		}
		b.WriteString(v.Egress.allowedText("egress", v.src))
		b.WriteString(", ")
		b.WriteString(v.Ingress.allowedText("ingress", v.dst))
	} else {
		b.WriteString("denied: ")
		var parts []string
		if !v.Egress.Allowed {
			parts = append(parts, "egress: selected by "+strings.Join(v.Egress.Selecting, ", ")+
				", no rule allows to "+v.dst+" on "+flow)
		}
		if !v.Ingress.Allowed {
			parts = append(parts, "ingress: selected by "+strings.Join(v.Ingress.Selecting, ", ")+
				", no rule allows from "+v.src+" on "+flow)
		}
		b.WriteString(strings.Join(parts, "; "))
	}
	if len(v.Ignored) > 0 {
		b.WriteString("; ignored invalid policies: ")
		b.WriteString(strings.Join(v.Ignored, "; "))
	}
	return b.String()
}

// allowedText explains an allowing side; who is the side's endpoint.
func (s Side) allowedText(dir, who string) string {
	switch {
	case !s.Evaluated:
		return dir + " not evaluated (" + who + " is external)"
	case !s.Isolated():
		return dir + " unrestricted (no policy selects " + who + ")"
	case len(s.AllowedBy) > 0:
		return dir + " by " + strings.Join(s.AllowedBy, " and ")
	default:
		return dir + " by " + strings.Join(s.AllowedByIPBlock, " and ") + " (ipBlock)"
	}
}

// Evaluate decides whether src may open a connection (or send datagrams) to
// dst on port with proto ("" means TCP) under the cluster's policies. It
// validates and parses every policy for this one flow; to evaluate many
// flows, Compile once and call Compiled.Evaluate.
func (c Cluster) Evaluate(src, dst Endpoint, port int32, proto corev1.Protocol) Verdict {
	return c.compile(false, func(ns string) bool { return relevant(ns, src, dst) }).Evaluate(src, dst, port, proto)
}

// relevant says whether a policy in namespace ns bears on a flow from src to
// dst: it is in the namespace of one of them, or in none (and so invalid).
func relevant(ns string, src, dst Endpoint) bool {
	return ns == "" || (!src.external() && ns == src.Namespace) || (!dst.external() && ns == dst.Namespace)
}

// Compiled is a Cluster whose policies are validated and parsed, ready to
// evaluate any number of flows. It is not changed by evaluation, so it may
// be used from several goroutines.
type Compiled struct {
	// namespaces are the namespaces' labels with the implied name label;
	// raw is Cluster.Namespaces, for those not built ahead.
	namespaces map[string]labels.Set
	raw        map[string]map[string]string
	policies   []compiled
}

// Compile validates every policy as the API server of c.KubernetesVersion
// would and parses its selectors and CIDRs, once.
func (c Cluster) Compile() *Compiled { return c.compile(true, nil) }

// compile is Compile of the policies in the namespaces keep accepts (nil:
// all); labelsAhead builds every namespace's labels now, else each
// evaluation builds those it needs.
func (c Cluster) compile(labelsAhead bool, keep func(ns string) bool) *Compiled {
	out := &Compiled{namespaces: map[string]labels.Set{}, raw: c.Namespaces}
	if labelsAhead {
		for ns, l := range c.Namespaces {
			out.namespaces[ns] = namespaceLabels(ns, l)
		}
	}
	opts := c.apiRules()
	for i := range c.Policies {
		if keep == nil || keep(c.Policies[i].Namespace) {
			out.policies = append(out.policies, compile(&c.Policies[i], opts))
		}
	}
	return out
}

// Evaluate decides whether src may open a connection (or send datagrams) to
// dst on port with proto ("" means TCP) under the compiled policies.
func (c *Compiled) Evaluate(src, dst Endpoint, port int32, proto corev1.Protocol) Verdict {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	v := Verdict{src: src.label(), dst: dst.label(), port: port, protocol: proto}
	f := flow{cluster: c, src: src, dst: dst, port: port, proto: proto}

	policies := make([]*compiled, 0, len(c.policies))
	for i := range c.policies {
		p := &c.policies[i]
		if !relevant(p.namespace, src, dst) {
			continue
		}
		if p.invalid != "" {
			v.Ignored = append(v.Ignored, p.namespace+"/"+p.name+": "+p.invalid)
			continue
		}
		policies = append(policies, p)
	}

	v.Egress = f.side(policies, networkingv1.PolicyTypeEgress)
	v.Ingress = f.side(policies, networkingv1.PolicyTypeIngress)
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	v.ViaIPBlock = v.Allowed && (v.Egress.viaIPBlock() || v.Ingress.viaIPBlock())
	return v
}

// flow is one evaluation's inputs.
type flow struct {
	cluster  *Compiled
	src, dst Endpoint
	port     int32
	proto    corev1.Protocol
}

// match is how well a rule or peer matches a flow.
type match int

const (
	noMatch       match = iota
	ipBlockMaybe        // only an ipBlock that may cover the peer matches
	definiteMatch       // matches
)

// side evaluates the egress of f.src or the ingress of f.dst.
func (f flow) side(policies []*compiled, dir networkingv1.PolicyType) Side {
	self, peer := f.src, f.dst
	if dir == networkingv1.PolicyTypeIngress {
		self, peer = f.dst, f.src
	}
	if self.external() {
		return Side{Allowed: true}
	}
	s := Side{Evaluated: true}
	for _, p := range policies {
		if p.namespace != self.Namespace || !p.types[dir] || !p.podSelector.Matches(labels.Set(self.Labels)) {
			continue
		}
		name := p.namespace + "/" + p.name
		s.Selecting = append(s.Selecting, name)
		best := noMatch
		for _, r := range p.rules[dir] {
			best = max(best, f.rule(p.namespace, r, peer))
		}
		switch best {
		case definiteMatch:
			s.AllowedBy = append(s.AllowedBy, name)
		case ipBlockMaybe:
			s.AllowedByIPBlock = append(s.AllowedByIPBlock, name)
		}
	}
	s.Allowed = !s.Isolated() || len(s.AllowedBy) > 0 || len(s.AllowedByIPBlock) > 0
	return s
}

// rule matches a rule of a policy in namespace ns against the flow, whose
// other end is peer. Ports always refer to the destination.
func (f flow) rule(ns string, r rule, peer Endpoint) match {
	if !f.ports(r.ports) {
		return noMatch
	}
	if len(r.peers) == 0 {
		return definiteMatch
	}
	best := noMatch
	for _, p := range r.peers {
		best = max(best, f.peer(ns, p, peer))
	}
	return best
}

// ports reports whether the flow's destination port and protocol match one
// of ports (or ports is empty).
func (f flow) ports(ports []networkingv1.NetworkPolicyPort) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		proto := corev1.ProtocolTCP
		if pp.Protocol != nil {
			proto = *pp.Protocol
		}
		if proto != f.proto {
			continue
		}
		switch {
		case pp.Port == nil:
			return true
		case pp.Port.Type == intstr.String:
			for _, cp := range f.dst.Ports {
				cproto := cp.Protocol
				if cproto == "" {
					cproto = corev1.ProtocolTCP
				}
				if cp.Name == pp.Port.StrVal && cp.ContainerPort == f.port && cproto == f.proto {
					return true
				}
			}
		case pp.EndPort == nil:
			if f.port == pp.Port.IntVal {
				return true
			}
		default:
			if pp.Port.IntVal <= f.port && f.port <= *pp.EndPort {
				return true
			}
		}
	}
	return false
}

// peer matches a peer of a rule of a policy in namespace ns against e.
func (f flow) peer(ns string, p peer, e Endpoint) match {
	if p.ipBlock != nil {
		if !e.external() {
			return ipBlockMaybe
		}
		addr, err := netip.ParseAddr(e.IP)
		if err != nil {
			return ipBlockMaybe
		}
		addr = addr.WithZone("").Unmap()
		if !p.ipBlock.cidr.Contains(addr) {
			return noMatch
		}
		for _, x := range p.ipBlock.except {
			if x.Contains(addr) {
				return noMatch
			}
		}
		return definiteMatch
	}
	if e.external() {
		return noMatch
	}
	if p.namespaceSelector == nil {
		if e.Namespace != ns {
			return noMatch
		}
	} else if !p.namespaceSelector.Matches(f.namespaceLabels(e.Namespace)) {
		return noMatch
	}
	if p.podSelector != nil && !p.podSelector.Matches(labels.Set(e.Labels)) {
		return noMatch
	}
	return definiteMatch
}

// namespaceLabels returns the labels of namespace ns, with the implied
// kubernetes.io/metadata.name.
func (f flow) namespaceLabels(ns string) labels.Set {
	if l, ok := f.cluster.namespaces[ns]; ok {
		return l
	}
	return namespaceLabels(ns, f.cluster.raw[ns])
}

// namespaceLabels is l with the implied kubernetes.io/metadata.name of ns.
func namespaceLabels(ns string, l map[string]string) labels.Set {
	out := make(labels.Set, len(l)+1)
	for k, v := range l {
		out[k] = v
	}
	out[corev1.LabelMetadataName] = ns
	return out
}

// compiled is a validated policy with its selectors parsed, or, when invalid
// is not empty, the reason the API server would reject it.
type compiled struct {
	namespace, name string
	invalid         string
	podSelector     labels.Selector
	types           map[networkingv1.PolicyType]bool
	rules           map[networkingv1.PolicyType][]rule
}

// rule is an ingress or egress rule: from/to peers and ports.
type rule struct {
	ports []networkingv1.NetworkPolicyPort
	peers []peer
}

// peer is a parsed NetworkPolicyPeer; nil selectors are absent.
type peer struct {
	podSelector, namespaceSelector labels.Selector
	ipBlock                        *ipBlock
}

// ipBlock is a parsed IPBlock.
type ipBlock struct {
	cidr   netip.Prefix
	except []netip.Prefix
}

// compile validates p as the API server would (as far as evaluation depends
// on it) and parses it. Every section is validated, including one the policy
// types leave unused, as the API server does.
func compile(p *networkingv1.NetworkPolicy, opts apiRules) compiled {
	cp, reason := compileSpec(p, opts)
	cp.invalid = reason
	return cp
}

// compileSpec is compile; a non-empty reason says why p would be rejected.
func compileSpec(p *networkingv1.NetworkPolicy, opts apiRules) (compiled, string) {
	cp := compiled{
		namespace: p.Namespace,
		name:      p.Name,
		types:     map[networkingv1.PolicyType]bool{},
		rules:     map[networkingv1.PolicyType][]rule{},
	}
	if p.Namespace == "" {
		return cp, "no namespace"
	}
	sel, err := metav1.LabelSelectorAsSelector(&p.Spec.PodSelector)
	if err != nil {
		return cp, "spec.podSelector: " + err.Error()
	}
	cp.podSelector = sel

	types := p.Spec.PolicyTypes
	if len(types) == 0 {
		// The API server's defaulting.
		types = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(p.Spec.Egress) > 0 {
			types = append(types, networkingv1.PolicyTypeEgress)
		}
	}
	if len(types) > 2 {
		return cp, "spec.policyTypes: more than 2 entries"
	}
	for _, t := range types {
		if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
			return cp, "spec.policyTypes: unsupported value " + strconv.Quote(string(t))
		}
		cp.types[t] = true
	}

	for i, r := range p.Spec.Ingress {
		cr, reason := compileRule("spec.ingress["+strconv.Itoa(i)+"]", r.Ports, r.From, "from", opts)
		if reason != "" {
			return cp, reason
		}
		cp.rules[networkingv1.PolicyTypeIngress] = append(cp.rules[networkingv1.PolicyTypeIngress], cr)
	}
	for i, r := range p.Spec.Egress {
		cr, reason := compileRule("spec.egress["+strconv.Itoa(i)+"]", r.Ports, r.To, "to", opts)
		if reason != "" {
			return cp, reason
		}
		cp.rules[networkingv1.PolicyTypeEgress] = append(cp.rules[networkingv1.PolicyTypeEgress], cr)
	}
	return cp, ""
}

// compileRule validates and parses one rule at path; peersField is "from" or "to".
func compileRule(path string, ports []networkingv1.NetworkPolicyPort, peers []networkingv1.NetworkPolicyPeer, peersField string, opts apiRules) (rule, string) {
	r := rule{ports: ports}
	for i, pp := range ports {
		if reason := validatePort(pp); reason != "" {
			return r, path + ".ports[" + strconv.Itoa(i) + "]: " + reason
		}
	}
	for i, np := range peers {
		p, reason := compilePeer(np, opts)
		if reason != "" {
			return r, path + "." + peersField + "[" + strconv.Itoa(i) + "]: " + reason
		}
		r.peers = append(r.peers, p)
	}
	return r, ""
}

// validatePort checks a NetworkPolicyPort as the API server does.
func validatePort(pp networkingv1.NetworkPolicyPort) string {
	if pp.Protocol != nil {
		switch *pp.Protocol {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			return "unsupported protocol " + strconv.Quote(string(*pp.Protocol))
		}
	}
	switch {
	case pp.Port == nil:
		if pp.EndPort != nil {
			return "endPort may not be specified when port is not"
		}
	case pp.Port.Type == intstr.String:
		if pp.EndPort != nil {
			return "endPort may not be specified when port is non-numeric"
		}
		if msgs := validation.IsValidPortName(pp.Port.StrVal); len(msgs) > 0 {
			return "port " + strconv.Quote(pp.Port.StrVal) + ": " + strings.Join(msgs, ", ")
		}
	default:
		if msgs := validation.IsValidPortNum(int(pp.Port.IntVal)); len(msgs) > 0 {
			return "port " + strconv.Itoa(int(pp.Port.IntVal)) + ": " + strings.Join(msgs, ", ")
		}
		if pp.EndPort != nil {
			if *pp.EndPort < pp.Port.IntVal {
				return "endPort must be greater than or equal to port"
			}
			if msgs := validation.IsValidPortNum(int(*pp.EndPort)); len(msgs) > 0 {
				return "endPort " + strconv.Itoa(int(*pp.EndPort)) + ": " + strings.Join(msgs, ", ")
			}
		}
	}
	return ""
}

// compilePeer validates and parses a NetworkPolicyPeer.
func compilePeer(np networkingv1.NetworkPolicyPeer, opts apiRules) (peer, string) {
	var p peer
	n := 0
	if np.PodSelector != nil {
		n++
		sel, err := metav1.LabelSelectorAsSelector(np.PodSelector)
		if err != nil {
			return p, "podSelector: " + err.Error()
		}
		p.podSelector = sel
	}
	if np.NamespaceSelector != nil {
		n++
		sel, err := metav1.LabelSelectorAsSelector(np.NamespaceSelector)
		if err != nil {
			return p, "namespaceSelector: " + err.Error()
		}
		p.namespaceSelector = sel
	}
	if np.IPBlock != nil {
		n++
		b, reason := compileIPBlock(np.IPBlock, opts)
		if reason != "" {
			return p, "ipBlock: " + reason
		}
		p.ipBlock = b
	}
	switch {
	case n == 0:
		return p, "must specify a peer"
	case n > 1 && np.IPBlock != nil:
		return p, "may not specify both ipBlock and another peer"
	}
	return p, ""
}

// compileIPBlock validates and parses an IPBlock as the API server's
// ValidateIPBlock does (k8s.io/kubernetes pkg/apis/networking/validation):
// cidr and every except entry parse with ParseCIDRSloppy (and, with strict
// validation, also meet the strict rules), and each except entry is a strict
// subset of cidr, compared as net.IPNet compares them.
func compileIPBlock(b *networkingv1.IPBlock, opts apiRules) (*ipBlock, string) {
	if b.CIDR == "" {
		return nil, "cidr: required"
	}
	cidrNet, reason := opts.parseCIDR(b.CIDR)
	if reason != "" {
		return nil, "cidr: " + reason
	}
	out := &ipBlock{cidr: prefixOf(cidrNet)}
	cidrBits, _ := cidrNet.Mask.Size()
	for _, s := range b.Except {
		x, reason := opts.parseCIDR(s)
		if reason != "" {
			return nil, "except " + strconv.Quote(s) + ": " + reason
		}
		if xBits, _ := x.Mask.Size(); !cidrNet.Contains(x.IP) || cidrBits >= xBits {
			return nil, "except " + strconv.Quote(s) + ": must be a strict subset of cidr " + strconv.Quote(b.CIDR)
		}
		out.except = append(out.except, prefixOf(x))
	}
	return out, ""
}
