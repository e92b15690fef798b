package netpol

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// Fixture: namespaces and pods shaped like the rendered platform.
var (
	namespaces = map[string]map[string]string{
		"librechat": {"team": "chat"},
		"ollama":    {"team": "ai"},
		"mongodb":   {},
		"web":       {"team": "web"},
		// "other" is deliberately missing: it has only the implied label.
	}

	librechat = Endpoint{
		Name: "librechat/Deployment/librechat", Namespace: "librechat",
		Labels: map[string]string{"app": "librechat"},
		Ports:  []corev1.ContainerPort{{Name: "http", ContainerPort: 3080}},
	}
	worker = Endpoint{
		Name: "librechat/Deployment/worker", Namespace: "librechat",
		Labels: map[string]string{"app": "worker"},
	}
	impostor = Endpoint{ // app=librechat, but in another namespace
		Name: "other/Deployment/librechat", Namespace: "other",
		Labels: map[string]string{"app": "librechat"},
	}
	ollamaTwin = Endpoint{ // app=librechat in ollama's own namespace
		Name: "ollama/Deployment/librechat", Namespace: "ollama",
		Labels: map[string]string{"app": "librechat"},
	}
	webPod = Endpoint{
		Name: "web/Deployment/site", Namespace: "web",
		Labels: map[string]string{"app": "site"},
	}
	ollama = Endpoint{
		Name: "ollama/Deployment/ollama", Namespace: "ollama",
		Labels: map[string]string{"app": "ollama"},
		Ports: []corev1.ContainerPort{
			{Name: "http", ContainerPort: 11434, Protocol: corev1.ProtocolTCP},
			{Name: "metrics", ContainerPort: 9090},
		},
	}
	mongo = Endpoint{
		Name: "mongodb/StatefulSet/mongodb", Namespace: "mongodb",
		Labels: map[string]string{"app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": "mongodb"},
		Ports:  []corev1.ContainerPort{{Name: "mongodb", ContainerPort: 27017}},
	}
	coredns = Endpoint{
		Name: "kube-system/Deployment/coredns", Namespace: "kube-system",
		Labels: map[string]string{"k8s-app": "kube-dns"},
		Ports: []corev1.ContainerPort{
			{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
			{Name: "dns-tcp", ContainerPort: 53, Protocol: corev1.ProtocolTCP},
		},
	}
	external     = Endpoint{Name: "api.example", IP: "203.0.113.10"}
	externalHigh = Endpoint{IP: "203.0.113.200"}
	externalFar  = Endpoint{IP: "198.51.100.1"}
	externalV6   = Endpoint{IP: "2001:db8::1"}
	externalNoIP = Endpoint{Name: "somewhere"}
)

// Policies, as YAML documents.
const (
	ollamaDefaultDeny = `
metadata: {name: default-deny, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`
	librechatDenyEgress = `
metadata: {name: deny-egress, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
`
	librechatEgressToOllama = `
metadata: {name: allow-egress-ollama, namespace: librechat}
spec:
  podSelector: {matchLabels: {app: librechat}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ollama}}
`
	ollamaFromLibrechatNS = `
metadata: {name: allow-librechat, namespace: ollama}
spec:
  podSelector: {matchLabels: {app: ollama}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: librechat}}
`
	ollamaPeerAND = `
metadata: {name: allow-and, namespace: ollama}
spec:
  podSelector: {matchLabels: {app: ollama}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: librechat}}
      podSelector: {matchLabels: {app: librechat}}
`
	ollamaPeerOR = `
metadata: {name: allow-or, namespace: ollama}
spec:
  podSelector: {matchLabels: {app: ollama}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: librechat}}
    - podSelector: {matchLabels: {app: librechat}}
`
	ollamaExpressions = `
metadata: {name: allow-expr, namespace: ollama}
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: Exists}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: team, operator: In, values: [chat, web]}
      podSelector:
        matchExpressions:
        - {key: app, operator: NotIn, values: [worker]}
`
	ollamaNamedPort = `
metadata: {name: allow-http, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - port: http
`
	librechatEgressNamedPort = `
metadata: {name: egress-http, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: http
`
	ollamaEndPort = `
metadata: {name: allow-range, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - {port: 32000, endPort: 32768}
`
	ollamaUDP53 = `
metadata: {name: allow-dns, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - {port: 53, protocol: UDP}
`
	ollamaTCPDefault = `
metadata: {name: allow-11434, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - port: 11434
`
	librechatEgressIPBlock = `
metadata: {name: egress-api, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}
`
	ollamaFromIPBlock = `
metadata: {name: allow-api, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}
`
	librechatEgressInternet = `
metadata: {name: egress-internet, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0}
`
	librechatEgressOmittedTypesNoEgress = `
metadata: {name: isolate, namespace: librechat}
spec:
  podSelector: {}
`
	librechatEgressOmittedTypesWithEgress = `
metadata: {name: egress-ollama, namespace: librechat}
spec:
  podSelector: {}
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ollama}}
`
	mongoDefaultDeny = `
metadata: {name: default-deny, namespace: mongodb}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`
	// The Bitnami MongoDB chart's policy (networkPolicy.allowExternal: true).
	mongoBitnami = `
metadata: {name: mongodb, namespace: mongodb}
spec:
  podSelector:
    matchLabels: {app.kubernetes.io/instance: mongodb, app.kubernetes.io/name: mongodb}
  policyTypes: [Ingress, Egress]
  egress:
  - {}
  ingress:
  - ports:
    - port: 27017
`
	ollamaAllUDP = `
metadata: {name: allow-udp, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - protocol: UDP
`
	otherDenyAll = `
metadata: {name: deny-all, namespace: other}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`
	ollamaInvalidExcept = `
metadata: {name: bad-except, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
`
	ollamaInvalidEndPort = `
metadata: {name: bad-endport, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports:
    - {port: http, endPort: 9000}
`
)

// policies parses YAML NetworkPolicy documents, failing on unknown fields.
func policies(t testing.TB, docs ...string) []networkingv1.NetworkPolicy {
	t.Helper()
	var out []networkingv1.NetworkPolicy
	for _, d := range docs {
		var p networkingv1.NetworkPolicy
		if err := yaml.UnmarshalStrict([]byte(d), &p); err != nil {
			t.Fatalf("parse policy %q: %v", d, err)
		}
		out = append(out, p)
	}
	return out
}

// wantIgnored checks that v ignored exactly one policy, with a reason
// starting with prefix, and says so in its message.
func wantIgnored(prefix string) func(t *testing.T, v Verdict) {
	return func(t *testing.T, v Verdict) {
		t.Helper()
		if len(v.Ignored) != 1 || !strings.HasPrefix(v.Ignored[0], prefix) {
			t.Errorf("Ignored = %q, want one starting with %q", v.Ignored, prefix)
		}
		if !strings.Contains(v.String(), "; ignored invalid policies: "+prefix) {
			t.Errorf("String() = %q does not report the ignored policy", v)
		}
	}
}

func TestEvaluate(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	tests := []struct {
		name     string
		policies []string
		src, dst Endpoint
		port     int32
		proto    corev1.Protocol
		allowed  bool
		via      bool   // want ViaIPBlock
		want     string // exact String(), when set
		check    func(t *testing.T, v Verdict)
	}{
		{
			name: "no policies allow", src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			want: "allowed: egress unrestricted (no policy selects librechat/Deployment/librechat), " +
				"ingress unrestricted (no policy selects ollama/Deployment/ollama)",
		},
		{
			name: "default-deny ingress denies", policies: []string{ollamaDefaultDeny},
			src: librechat, dst: ollama, port: 11434, proto: tcp,
			want: "denied: ingress: selected by ollama/default-deny, no rule allows from librechat/Deployment/librechat on 11434/TCP",
		},
		{
			name: "default-deny ingress leaves egress open", policies: []string{ollamaDefaultDeny},
			src: ollama, dst: librechat, port: 3080, proto: tcp, allowed: true,
		},
		{
			name: "default-deny egress blocks", policies: []string{librechatDenyEgress},
			src: librechat, dst: ollama, port: 11434, proto: tcp,
			want: "denied: egress: selected by librechat/deny-egress, no rule allows to ollama/Deployment/ollama on 11434/TCP",
		},
		{
			name: "default-deny egress blocks external too", policies: []string{librechatDenyEgress},
			src: librechat, dst: external, port: 443, proto: tcp,
		},
		{
			name: "default-deny egress leaves ingress open", policies: []string{librechatDenyEgress},
			src: ollama, dst: librechat, port: 3080, proto: tcp, allowed: true,
		},
		{
			name: "egress allowed but ingress denied", policies: []string{librechatEgressToOllama, ollamaDefaultDeny},
			src: librechat, dst: ollama, port: 11434, proto: tcp,
			want: "denied: ingress: selected by ollama/default-deny, no rule allows from librechat/Deployment/librechat on 11434/TCP",
			check: func(t *testing.T, v Verdict) {
				if !v.Egress.Allowed || !slices.Equal(v.Egress.AllowedBy, []string{"librechat/allow-egress-ollama"}) {
					t.Errorf("egress = %+v, want allowed by librechat/allow-egress-ollama", v.Egress)
				}
			},
		},
		{
			name: "egress and ingress both allow", policies: []string{librechatEgressToOllama, ollamaDefaultDeny, ollamaFromLibrechatNS},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			want: "allowed: egress by librechat/allow-egress-ollama, ingress by ollama/allow-librechat",
		},
		{
			name: "egress policy selects by pod label only", policies: []string{librechatEgressToOllama},
			src: worker, dst: mongo, port: 27017, proto: tcp, allowed: true,
		},
		{
			name: "egress to a namespace not selected is denied", policies: []string{librechatEgressToOllama},
			src: librechat, dst: mongo, port: 27017, proto: tcp,
		},
		{
			name: "namespaceSelector by metadata.name admits the namespace", policies: []string{ollamaFromLibrechatNS},
			src: worker, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "namespaceSelector by metadata.name rejects other namespaces", policies: []string{ollamaFromLibrechatNS},
			src: webPod, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "metadata.name is implied for namespaces missing from the map",
			policies: []string{`
metadata: {name: allow-other, namespace: ollama}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
`},
			src: impostor, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "peer AND: matching pod in matching namespace", policies: []string{ollamaPeerAND},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "peer AND: other pod in matching namespace", policies: []string{ollamaPeerAND},
			src: worker, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "peer AND: matching pod in other namespace", policies: []string{ollamaPeerAND},
			src: impostor, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "peer OR: any pod of the namespace", policies: []string{ollamaPeerOR},
			src: worker, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "peer OR: podSelector alone is the policy's namespace", policies: []string{ollamaPeerOR},
			src: ollamaTwin, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "peer OR: podSelector alone excludes other namespaces", policies: []string{ollamaPeerOR},
			src: impostor, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "matchExpressions In and NotIn admit", policies: []string{ollamaExpressions},
			src: webPod, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "matchExpressions NotIn rejects", policies: []string{ollamaExpressions},
			src: worker, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "matchExpressions In rejects namespace", policies: []string{ollamaExpressions},
			src: ollamaTwin, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "matchExpressions Exists does not select unlabelled pod", policies: []string{ollamaExpressions},
			src: worker, dst: Endpoint{Namespace: "ollama"}, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "named ingress port resolves to destination's port", policies: []string{ollamaNamedPort},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "named ingress port does not match another port", policies: []string{ollamaNamedPort},
			src: librechat, dst: ollama, port: 9090, proto: tcp,
		},
		{
			name: "named ingress port does not resolve against the source", policies: []string{ollamaNamedPort},
			src: librechat, dst: ollama, port: 3080, proto: tcp, // librechat's "http" is 3080
		},
		{
			name: "named ingress port needs the container port's protocol", policies: []string{ollamaNamedPort},
			src: librechat, dst: ollama, port: 11434, proto: udp,
		},
		{
			name: "named egress port resolves to destination's port", policies: []string{librechatEgressNamedPort},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "named egress port does not resolve against the source", policies: []string{librechatEgressNamedPort},
			src: librechat, dst: mongo, port: 3080, proto: tcp,
		},
		{
			name: "named egress port never matches an external address", policies: []string{librechatEgressNamedPort},
			src: librechat, dst: external, port: 11434, proto: tcp,
		},
		{
			name: "endPort: start of range", policies: []string{ollamaEndPort},
			src: librechat, dst: ollama, port: 32000, proto: tcp, allowed: true,
		},
		{
			name: "endPort: end of range is inclusive", policies: []string{ollamaEndPort},
			src: librechat, dst: ollama, port: 32768, proto: tcp, allowed: true,
		},
		{
			name: "endPort: above range", policies: []string{ollamaEndPort},
			src: librechat, dst: ollama, port: 32769, proto: tcp,
		},
		{
			name: "endPort: below range", policies: []string{ollamaEndPort},
			src: librechat, dst: ollama, port: 31999, proto: tcp,
		},
		{
			name: "protocol: UDP rule allows UDP", policies: []string{ollamaUDP53},
			src: librechat, dst: ollama, port: 53, proto: udp, allowed: true,
		},
		{
			name: "protocol: UDP rule denies TCP", policies: []string{ollamaUDP53},
			src: librechat, dst: ollama, port: 53, proto: tcp,
			want: "denied: ingress: selected by ollama/allow-dns, no rule allows from librechat/Deployment/librechat on 53/TCP",
		},
		{
			name: "protocol: rule defaults to TCP and denies UDP", policies: []string{ollamaTCPDefault},
			src: librechat, dst: ollama, port: 11434, proto: udp,
		},
		{
			name: "protocol: empty flow protocol means TCP", policies: []string{ollamaTCPDefault},
			src: librechat, dst: ollama, port: 11434, proto: "", allowed: true,
		},
		{
			name: "ipBlock: external address inside cidr", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: external, port: 443, proto: tcp, allowed: true,
			want: "allowed: egress by librechat/egress-api, ingress not evaluated (api.example is external)",
		},
		{
			name: "ipBlock: external address in except", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: externalHigh, port: 443, proto: tcp,
			want: "denied: egress: selected by librechat/egress-api, no rule allows to 203.0.113.200 on 443/TCP",
		},
		{
			name: "ipBlock: external address outside cidr", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: externalFar, port: 443, proto: tcp,
		},
		{
			name: "ipBlock: other address family", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: externalV6, port: 443, proto: tcp,
		},
		{
			name: "ipBlock: ingress from external address", policies: []string{ollamaFromIPBlock},
			src: external, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: func(t *testing.T, v Verdict) {
				if v.Egress.Evaluated {
					t.Errorf("egress of an external source evaluated: %+v", v.Egress)
				}
			},
		},
		{
			name: "ipBlock: ingress from excepted external address", policies: []string{ollamaFromIPBlock},
			src: externalHigh, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "ipBlock: external address unknown may match", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: externalNoIP, port: 443, proto: tcp, allowed: true, via: true,
		},
		{
			name: "selectors never match external addresses", policies: []string{librechatEgressToOllama},
			src: librechat, dst: external, port: 443, proto: tcp,
		},
		{
			name: "ipBlock vs pod is CNI-dependent", policies: []string{librechatEgressInternet},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true, via: true,
			want: "allowed only via ipBlock (CNI-dependent): egress by librechat/egress-internet (ipBlock), " +
				"ingress unrestricted (no policy selects ollama/Deployment/ollama)",
			check: func(t *testing.T, v Verdict) {
				if len(v.Egress.AllowedBy) != 0 || !slices.Equal(v.Egress.AllowedByIPBlock, []string{"librechat/egress-internet"}) {
					t.Errorf("egress = %+v, want only AllowedByIPBlock", v.Egress)
				}
			},
		},
		{
			name: "ipBlock vs pod as ingress source", policies: []string{ollamaFromIPBlock},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true, via: true,
		},
		{
			name: "ipBlock vs pod with a selector rule too is definite", policies: []string{librechatEgressInternet, librechatEgressToOllama},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "ipBlock vs pod still needs the ports", policies: []string{`
metadata: {name: egress-https, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 443}]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp,
		},
		{
			name: "policyTypes omitted without egress rules: ingress isolated", policies: []string{librechatEgressOmittedTypesNoEgress},
			src: ollama, dst: librechat, port: 3080, proto: tcp,
		},
		{
			name: "policyTypes omitted without egress rules: egress open", policies: []string{librechatEgressOmittedTypesNoEgress},
			src: librechat, dst: mongo, port: 27017, proto: tcp, allowed: true,
		},
		{
			name: "policyTypes omitted with egress rules: egress isolated", policies: []string{librechatEgressOmittedTypesWithEgress},
			src: librechat, dst: mongo, port: 27017, proto: tcp,
		},
		{
			name: "policyTypes omitted with egress rules: egress rule applies", policies: []string{librechatEgressOmittedTypesWithEgress},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "policyTypes omitted with egress rules: ingress isolated too", policies: []string{librechatEgressOmittedTypesWithEgress},
			src: ollama, dst: librechat, port: 3080, proto: tcp,
		},
		{
			name: "policies add up: default-deny alone closes mongodb", policies: []string{mongoDefaultDeny},
			src: librechat, dst: mongo, port: 27017, proto: tcp,
		},
		{
			name: "policies add up: Bitnami policy opens 27017 to every namespace", policies: []string{mongoDefaultDeny, mongoBitnami},
			src: webPod, dst: mongo, port: 27017, proto: tcp, allowed: true,
			check: func(t *testing.T, v Verdict) {
				if !slices.Equal(v.Ingress.Selecting, []string{"mongodb/default-deny", "mongodb/mongodb"}) ||
					!slices.Equal(v.Ingress.AllowedBy, []string{"mongodb/mongodb"}) {
					t.Errorf("ingress = %+v, want selected by both, allowed by mongodb/mongodb", v.Ingress)
				}
			},
		},
		{
			name: "policies add up: Bitnami policy opens 27017 to external addresses", policies: []string{mongoDefaultDeny, mongoBitnami},
			src: external, dst: mongo, port: 27017, proto: tcp, allowed: true,
		},
		{
			name: "policies add up: Bitnami policy keeps other ports closed", policies: []string{mongoDefaultDeny, mongoBitnami},
			src: webPod, dst: mongo, port: 27018, proto: tcp,
		},
		{
			name: "policies add up: Bitnami egress {} reopens egress", policies: []string{mongoDefaultDeny, mongoBitnami},
			src: mongo, dst: external, port: 443, proto: tcp, allowed: true,
		},
		{
			name: "policies only apply in their own namespace", policies: []string{otherDenyAll},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "both sides denied are both explained", policies: []string{librechatDenyEgress, ollamaDefaultDeny},
			src: librechat, dst: ollama, port: 11434, proto: tcp,
			want: "denied: egress: selected by librechat/deny-egress, no rule allows to ollama/Deployment/ollama on 11434/TCP; " +
				"ingress: selected by ollama/default-deny, no rule allows from librechat/Deployment/librechat on 11434/TCP",
		},
		{
			name: "empty namespaceSelector does not match external addresses",
			policies: []string{`
metadata: {name: egress-cluster, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
`},
			src: librechat, dst: external, port: 443, proto: tcp,
		},
		{
			name: "empty namespaceSelector matches every namespace",
			policies: []string{`
metadata: {name: egress-cluster, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
`},
			src: librechat, dst: impostor, port: 443, proto: tcp, allowed: true,
		},
		{
			name: "protocol without port allows every port of it", policies: []string{ollamaAllUDP},
			src: librechat, dst: ollama, port: 5353, proto: udp, allowed: true,
		},
		{
			name: "protocol without port denies other protocols", policies: []string{ollamaAllUDP},
			src: librechat, dst: ollama, port: 5353, proto: tcp,
		},
		{
			name: "named port resolves only to a container port of the flow's protocol", policies: []string{`
metadata: {name: allow-dns-tcp, namespace: kube-system}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports: [{port: dns, protocol: TCP}]
`},
			src: librechat, dst: coredns, port: 53, proto: tcp,
		},
		{
			name: "named port with the container port's protocol", policies: []string{`
metadata: {name: allow-dns-udp, namespace: kube-system}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports: [{port: dns, protocol: UDP}]
`},
			src: librechat, dst: coredns, port: 53, proto: udp, allowed: true,
		},
		{
			name: "any rule of a policy may allow", policies: []string{`
metadata: {name: two-rules, namespace: ollama}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: chat}}}]
  - from: [{namespaceSelector: {matchLabels: {team: web}}}]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
		},
		{
			name: "except equal to cidr is ignored and reported", policies: []string{`
metadata: {name: except-all, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/24]}}]
`},
			src: librechat, dst: external, port: 443, proto: tcp, allowed: true,
			check: wantIgnored("librechat/except-all: spec.egress[0].to[0]: ipBlock: except \"203.0.113.0/24\": must be a strict subset of cidr"),
		},
		{
			name: "ipBlock with a selector in one peer is ignored and reported", policies: []string{`
metadata: {name: mixed-peer, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/mixed-peer: spec.ingress[0].from[0]: may not specify both ipBlock and another peer"),
		},
		{
			name: "empty peer is ignored and reported", policies: []string{`
metadata: {name: empty-peer, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{}]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/empty-peer: spec.ingress[0].from[0]: must specify a peer"),
		},
		{
			name: "invalid selector operator is ignored and reported", policies: []string{`
metadata: {name: bad-selector, namespace: ollama}
spec:
  podSelector:
    matchExpressions: [{key: app, operator: Like, values: [x]}]
  policyTypes: [Ingress]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/bad-selector: spec.podSelector: "),
		},
		{
			name: "policy without namespace is ignored and reported", policies: []string{`
metadata: {name: nowhere}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("/nowhere: no namespace"),
		},
		{
			name: "invalid policies elsewhere are not reported", policies: []string{`
metadata: {name: bad, namespace: web}
spec:
  podSelector: {}
  policyTypes: [Sideways]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: func(t *testing.T, v Verdict) {
				if len(v.Ignored) != 0 {
					t.Errorf("Ignored = %q, want none", v.Ignored)
				}
			},
		},
		{
			name: "unsupported policyType is ignored and reported", policies: []string{`
metadata: {name: bad, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Sideways]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/bad: spec.policyTypes: unsupported value \"Sideways\""),
		},
		{
			name: "named port: container port protocol defaults to TCP", policies: []string{`
metadata: {name: allow-mongodb, namespace: mongodb}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: mongodb}]
`},
			src: librechat, dst: mongo, port: 27017, proto: tcp, allowed: true,
		},
		{
			name: "ipBlock: IPv4-mapped IPv6 external address", policies: []string{librechatEgressIPBlock},
			src: librechat, dst: Endpoint{IP: "::ffff:203.0.113.10"}, port: 443, proto: tcp, allowed: true,
		},
		{
			name: "endPort below port is ignored and reported", policies: []string{`
metadata: {name: bad-range, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - ports: [{port: 9000, endPort: 8000}]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/bad-range: spec.ingress[0].ports[0]: endPort must be greater than or equal to port"),
		},
		{
			name: "more than two policyTypes is ignored and reported", policies: []string{`
metadata: {name: three-types, namespace: ollama}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress, Ingress]
`},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: wantIgnored("ollama/three-types: spec.policyTypes: more than 2 entries"),
		},
		{
			name: "invalid except is ignored and reported", policies: []string{ollamaInvalidExcept},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: func(t *testing.T, v Verdict) {
				if len(v.Ignored) != 1 || !strings.HasPrefix(v.Ignored[0], "ollama/bad-except: spec.ingress[0].from[0]: ipBlock: except") {
					t.Errorf("Ignored = %q", v.Ignored)
				}
				if !strings.Contains(v.String(), "; ignored invalid policies: ollama/bad-except:") {
					t.Errorf("String() = %q does not report the ignored policy", v.String())
				}
			},
		},
		{
			name: "endPort with a named port is ignored and reported", policies: []string{ollamaInvalidEndPort},
			src: librechat, dst: ollama, port: 11434, proto: tcp, allowed: true,
			check: func(t *testing.T, v Verdict) {
				if len(v.Ignored) != 1 || !strings.Contains(v.Ignored[0], "endPort may not be specified when port is non-numeric") {
					t.Errorf("Ignored = %q", v.Ignored)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Cluster{Namespaces: namespaces, Policies: policies(t, tt.policies...)}
			v := c.Evaluate(tt.src, tt.dst, tt.port, tt.proto)
			if v.Allowed != tt.allowed || v.ViaIPBlock != tt.via {
				t.Errorf("Allowed, ViaIPBlock = %v, %v, want %v, %v: %s", v.Allowed, v.ViaIPBlock, tt.allowed, tt.via, v)
			}
			if tt.want != "" && v.String() != tt.want {
				t.Errorf("String() =\n  %s\nwant\n  %s", v, tt.want)
			}
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

// TestDeterministic checks that verdicts list policies in input order and
// that evaluating twice gives the same message.
func TestDeterministic(t *testing.T) {
	c := Cluster{Namespaces: namespaces, Policies: policies(t, ollamaNamedPort, ollamaDefaultDeny, ollamaTCPDefault, ollamaFromLibrechatNS)}
	v := c.Evaluate(librechat, ollama, 11434, corev1.ProtocolTCP)
	wantSel := []string{"ollama/allow-http", "ollama/default-deny", "ollama/allow-11434", "ollama/allow-librechat"}
	if !slices.Equal(v.Ingress.Selecting, wantSel) {
		t.Errorf("Selecting = %q, want %q", v.Ingress.Selecting, wantSel)
	}
	want := "allowed: egress unrestricted (no policy selects librechat/Deployment/librechat), " +
		"ingress by ollama/allow-http and ollama/allow-11434 and ollama/allow-librechat"
	for i := 0; i < 20; i++ {
		if got := c.Evaluate(librechat, ollama, 11434, corev1.ProtocolTCP).String(); got != want {
			t.Fatalf("run %d: String() = %q, want %q", i, got, want)
		}
	}
}

// TestEndpointNames checks the names made up for unnamed endpoints.
func TestEndpointNames(t *testing.T) {
	c := Cluster{Policies: policies(t, librechatDenyEgress)}
	pod := Endpoint{Namespace: "librechat", Labels: map[string]string{"b": "2", "a": "1"}}
	got := c.Evaluate(pod, externalFar, 443, corev1.ProtocolTCP).String()
	want := "denied: egress: selected by librechat/deny-egress, no rule allows to 198.51.100.1 on 443/TCP"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	got = Cluster{Policies: policies(t, ollamaDefaultDeny)}.Evaluate(pod, Endpoint{Namespace: "ollama"}, 80, corev1.ProtocolTCP).String()
	want = "denied: ingress: selected by ollama/default-deny, no rule allows from librechat/pod{a=1,b=2} on 80/TCP"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
