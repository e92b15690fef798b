package contract

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/netpol"
)

// Flow is one row of the network matrix.
type Flow struct {
	From, To string
	Port     int32
	Protocol corev1.Protocol
	// Want is true for a flow the platform needs, false for one it must deny.
	Want bool
	// Why says where the flow comes from.
	Why     string
	Verdict netpol.Verdict
}

// OK says whether the flow is as wanted. A needed flow must not rest on an
// ipBlock rule (CNI-dependent); a denied one must not be open even so.
func (f Flow) OK() bool {
	if f.Want {
		return f.Verdict.Allowed && !f.Verdict.ViaIPBlock
	}
	return !f.Verdict.Allowed
}

func (f Flow) String() string {
	want, mark := "deny ", "ok"
	if f.Want {
		want = "allow"
	}
	if !f.OK() {
		mark = "FAIL"
	}
	return fmt.Sprintf("%-4s %s %s → %s %d/%s (%s): %s", mark, want, f.From, f.To, f.Port, f.Protocol, f.Why, f.Verdict)
}

// Stand-ins for what the cluster has besides the platform.
var (
	// kubeDNS is the cluster's DNS, as kubeadm, kind and minikube label it.
	kubeDNS = netpol.Endpoint{Name: "kube-system/kube-dns", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"},
		Ports: []corev1.ContainerPort{{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP}, {Name: "dns-tcp", ContainerPort: 53, Protocol: corev1.ProtocolTCP}}}
	// stranger is any pod of another namespace.
	stranger = netpol.Endpoint{Name: "default/any-pod", Namespace: "default", Labels: map[string]string{"app": "any"}}
	// internet is an address outside the cluster (TEST-NET-3).
	internet = netpol.Endpoint{Name: "internet", IP: "203.0.113.10"}
)

// checkNetwork evaluates every NetworkPolicy that will exist (the base
// stack's and the charts') for the flows the wiring needs, which must be
// allowed, and for every other source towards the same ports, which must be
// denied. It returns the matrix.
func checkNetwork(w *world, links []link, report func(Finding)) []Flow {
	in := w.in
	cluster := netpol.Cluster{Namespaces: map[string]map[string]string{"kube-system": nil, "default": nil}, Policies: append([]networkingv1.NetworkPolicy(nil), in.Base.Policies...)}
	for ns, l := range in.Base.Namespaces {
		cluster.Namespaces[ns] = l
	}
	chartPolicy := map[string]string{}
	for _, r := range in.Releases {
		for _, o := range r.Objects {
			if np, ok := o.Typed.(*networkingv1.NetworkPolicy); ok {
				p := *np
				p.Namespace = o.Namespace
				cluster.Policies = append(cluster.Policies, p)
				chartPolicy[o.Namespace+"/"+o.Name] = r.Release.Address
			}
		}
	}

	compiled := cluster.Compile()

	// The platform's pods, then the stand-ins for what else may send.
	releaseOf := map[string]string{}
	var platform []netpol.Endpoint
	for _, p := range w.pods {
		if p.Object.Hook != "" {
			continue
		}
		e := asEndpoint(p)
		releaseOf[e.Name] = p.rel.Release.Address
		platform = append(platform, e)
	}
	sources := append([]netpol.Endpoint(nil), platform...)
	controller := ingressController(in, w)
	if _, ours := releaseOf[controller.Name]; !ours {
		sources = append(sources, controller)
	}
	sources = append(sources, stranger)

	type target struct {
		to      netpol.Endpoint
		port    int32
		proto   corev1.Protocol
		clients map[string]string // allowed client → why
	}
	targets := map[string]*target{}
	want := func(from, to netpol.Endpoint, port int32, proto corev1.Protocol, why string) {
		key := fmt.Sprintf("%s %d/%s", to.Name, port, proto)
		t, ok := targets[key]
		if !ok {
			t = &target{to: to, port: port, proto: proto, clients: map[string]string{}}
			targets[key] = t
		}
		t.clients[from.Name] = why
	}
	for _, l := range links {
		for _, p := range l.to.pods {
			proto := l.to.port.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			want(asEndpoint(l.client), asEndpoint(p), l.to.target, proto, l.what)
		}
	}
	for _, r := range in.Releases {
		for _, e := range w.ingressBackends(r, report) {
			for _, p := range e.pods {
				want(controller, asEndpoint(p), e.target, corev1.ProtocolTCP, "Ingress of "+r.Release.Address)
			}
		}
	}

	var flows []Flow
	// Every platform pod resolves names, but the device plugin, which needs
	// no network.
	for _, s := range platform {
		needs, why := true, "DNS"
		if in.Env.NvidiaDevicePlugin.Install && s.Namespace == in.Env.NvidiaDevicePlugin.Namespace {
			needs, why = false, "the device plugin needs no network"
		}
		for _, proto := range []corev1.Protocol{corev1.ProtocolUDP, corev1.ProtocolTCP} {
			flows = append(flows, Flow{From: s.Name, To: kubeDNS.Name, Port: 53, Protocol: proto, Want: needs, Why: why,
				Verdict: compiled.Evaluate(s, kubeDNS, 53, proto)})
		}
	}
	for _, k := range sortedKeys(targets) {
		t := targets[k]
		for _, s := range sources {
			if s.Name == t.to.Name {
				continue
			}
			why, ok := t.clients[s.Name]
			if !ok {
				why = "not a client of " + t.to.Name
			}
			flows = append(flows, Flow{From: s.Name, To: t.to.Name, Port: t.port, Protocol: t.proto, Want: ok, Why: why,
				Verdict: compiled.Evaluate(s, t.to, t.port, t.proto)})
		}
	}
	flows = append(flows, edgeFlows(w, compiled, controller)...)
	// Model pulls and LibreChat's calls out; nothing else goes out.
	for _, s := range platform {
		needs := isMain(in, w, s)
		why := "the app's HTTPS calls out (model pulls, LibreChat's providers)"
		switch {
		case needs:
		case s.Name == controller.Name:
			why = "the ingress controller calls only the API server and the apps it publishes"
		case s.Namespace == in.Env.NvidiaDevicePlugin.Namespace:
			why = "the device plugin needs no network"
		default:
			why = "a data store has no business outside the cluster"
		}
		flows = append(flows, Flow{From: s.Name, To: internet.Name, Port: 443, Protocol: corev1.ProtocolTCP, Want: needs, Why: why,
			Verdict: compiled.Evaluate(s, internet, 443, corev1.ProtocolTCP)})
	}

	for _, f := range flows {
		if f.OK() {
			continue
		}
		object := f.To
		if f.To == internet.Name || f.To == apiServer(in).Name {
			object = f.From
		}
		report(Finding{Release: releaseOf[object], Object: object, Rule: RuleNetwork,
			Problem: fmt.Sprintf("%s → %s on %d/%s should be %s (%s) but is %s", f.From, f.To, f.Port, f.Protocol, map[bool]string{true: "allowed", false: "denied"}[f.Want], f.Why, f.Verdict),
			Fix:     networkFix(in, f, chartPolicy)})
	}
	return flows
}

// isMain says whether e is Ollama's or LibreChat's own server pod: the pods
// behind the Service the platform names each app after.
func isMain(in Input, w *world, e netpol.Endpoint) bool {
	for _, m := range []struct{ ns, svc string }{{in.Env.Ollama.Namespace, in.Env.Ollama.Release.Name}, {in.Env.LibreChat.Namespace, in.Env.LibreChat.Release.Name}} {
		for _, s := range w.services {
			if s.rel.Release.Namespace != m.ns || s.obj.Name != m.svc || len(s.obj.Spec.Ports) == 0 {
				continue
			}
			if ep, err := w.behind(s, s.obj.Spec.Ports[0]); err == nil {
				for _, p := range ep.pods {
					if asEndpoint(p).Name == e.Name {
						return true
					}
				}
			}
		}
	}
	return false
}

// ingressController is the controller's pod: ours when the platform installs
// it, else any pod of the configured namespace.
func ingressController(in Input, w *world) netpol.Endpoint {
	for _, p := range w.pods {
		if p.Object.Hook == "" && p.rel.Release.Namespace == in.Env.Ingress.Namespace && p.Object.Kind != "Job" {
			return asEndpoint(p)
		}
	}
	return netpol.Endpoint{Name: in.Env.Ingress.Namespace + "/ingress-controller", Namespace: in.Env.Ingress.Namespace}
}

func asEndpoint(p podOf) netpol.Endpoint {
	e := netpol.Endpoint{Name: p.Object.Namespace + "/" + p.Object.ID(), Namespace: p.Object.Namespace, Labels: p.Template.Labels}
	for _, c := range p.Template.Spec.Containers {
		e.Ports = append(e.Ports, c.Ports...)
	}
	return e
}

func networkFix(in Input, f Flow, chartPolicy map[string]string) string {
	if !f.Want {
		var charts []string
		for _, p := range append(f.Verdict.Ingress.AllowedBy, f.Verdict.Egress.AllowedBy...) {
			if rel, ok := chartPolicy[p]; ok {
				charts = append(charts, fmt.Sprintf("NetworkPolicy %s, rendered by %s", p, rel))
			}
		}
		if len(charts) > 0 {
			sort.Strings(charts)
			return fmt.Sprintf("switch off what opens it in the chart's values (%s; for Bitnami MongoDB: mongodb.networkPolicy.allowExternal false, constructs/librechat)", strings.Join(charts, "; "))
		}
		return "narrow the base stack's policies for that namespace (stacks/base flows) so only the app's clients match"
	}
	return "allow the flow in the base stack (stacks/base flows of both namespaces), or fix the pods' labels and ports the policies select"
}

// apiServer stands for the API server: the first address of
// cluster.apiServerCIDRs past the network's own.
func apiServer(in Input) netpol.Endpoint {
	e := netpol.Endpoint{Name: "api-server"}
	if len(in.Env.Cluster.APIServerCIDRs) > 0 {
		if p, err := netip.ParsePrefix(in.Env.Cluster.APIServerCIDRs[0]); err == nil {
			a := p.Masked().Addr()
			if p.Bits() < a.BitLen() {
				a = a.Next()
			}
			e.IP = a.String()
		}
	}
	return e
}

// edgeFlows are what the internet reaches: every Service port of every
// release directly (only the ingress controller's HTTP and HTTPS may be
// open), every backend an Ingress publishes through the controller, and,
// when the platform installs the controller, the API server's calls to
// its admission webhook and the controller's to the API server.
func edgeFlows(w *world, compiled *netpol.Compiled, controller netpol.Endpoint) []Flow {
	in := w.in
	var flows []Flow
	seen := map[string]bool{}
	// entryPort is the controller's container port for http and https.
	entryPort := map[string]int32{"http": 80, "https": 443}
	for _, s := range w.services {
		for _, sp := range s.obj.Spec.Ports {
			e, err := w.behind(s, sp)
			if err != nil {
				continue
			}
			proto := sp.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			for _, p := range e.pods {
				to := asEndpoint(p)
				key := fmt.Sprintf("%s %d/%s", to.Name, e.target, proto)
				if seen[key] {
					continue
				}
				seen[key] = true
				entry := to.Name == controller.Name && (sp.Name == "http" || sp.Name == "https")
				if entry {
					entryPort[sp.Name] = e.target
				}
				why := fmt.Sprintf("Service %s/%s port %s, the ingress controller's entry", s.ns, s.obj.Name, portName(sp))
				if !entry {
					why = fmt.Sprintf("Service %s/%s port %s: not for the internet", s.ns, s.obj.Name, portName(sp))
				}
				flows = append(flows, Flow{From: internet.Name, To: to.Name, Port: e.target, Protocol: proto, Want: entry, Why: why,
					Verdict: compiled.Evaluate(internet, to, e.target, proto)})
			}
		}
	}
	for _, r := range in.Releases {
		// ingressBackends has reported what routes nowhere.
		for _, pub := range w.published(r, func(Finding) {}) {
			for _, p := range pub.backend.pods {
				to := asEndpoint(p)
				// The first hop: the internet to the controller's port for
				// the scheme; then the controller to the backend.
				entry := entryPort["http"]
				if pub.tls {
					entry = entryPort["https"]
				}
				v := compiled.Evaluate(internet, controller, entry, corev1.ProtocolTCP)
				if v.Allowed && !v.ViaIPBlock {
					v = compiled.Evaluate(controller, to, pub.backend.target, corev1.ProtocolTCP)
				}
				flows = append(flows, Flow{From: internet.Name + " via " + controller.Name, To: to.Name, Port: pub.backend.target, Protocol: corev1.ProtocolTCP, Want: true,
					Why: pub.String(), Verdict: v})
			}
		}
	}
	if in.Env.Ingress.Install {
		api := apiServer(in)
		for _, cp := range controller.Ports {
			if cp.Name == "webhook" {
				flows = append(flows, Flow{From: api.Name, To: controller.Name, Port: cp.ContainerPort, Protocol: corev1.ProtocolTCP, Want: true,
					Why: "the API server calls the admission webhook (cluster.apiServerCIDRs)", Verdict: compiled.Evaluate(api, controller, cp.ContainerPort, corev1.ProtocolTCP)})
			}
		}
		for _, cp := range controller.Ports {
			if cp.Name != "metrics" {
				continue
			}
			for _, ns := range in.Env.Ingress.MetricsFrom {
				scraper := netpol.Endpoint{Name: ns + "/any-pod", Namespace: ns}
				flows = append(flows, Flow{From: scraper.Name, To: controller.Name, Port: cp.ContainerPort, Protocol: corev1.ProtocolTCP, Want: true,
					Why: "metrics scraped from ingress.metricsFrom", Verdict: compiled.Evaluate(scraper, controller, cp.ContainerPort, corev1.ProtocolTCP)})
			}
			flows = append(flows, Flow{From: stranger.Name, To: controller.Name, Port: cp.ContainerPort, Protocol: corev1.ProtocolTCP, Want: false,
				Why: "not in ingress.metricsFrom", Verdict: compiled.Evaluate(stranger, controller, cp.ContainerPort, corev1.ProtocolTCP)})
		}
		for _, port := range config.APIServerPorts {
			flows = append(flows, Flow{From: controller.Name, To: api.Name, Port: int32(port), Protocol: corev1.ProtocolTCP, Want: true,
				Why: "the controller watches Ingresses (cluster.apiServerCIDRs)", Verdict: compiled.Evaluate(controller, api, int32(port), corev1.ProtocolTCP)})
		}
	}
	return flows
}

func portName(sp corev1.ServicePort) string {
	if sp.Name != "" {
		return fmt.Sprintf("%d (%s)", sp.Port, sp.Name)
	}
	return fmt.Sprint(sp.Port)
}
