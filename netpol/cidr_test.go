package netpol

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestLegacyCIDRs checks that an ipBlock is parsed as the API server parses
// it (ParseCIDRSloppy, strict validation off): a policy with a CIDR it
// accepts is kept and still isolates the pods it selects, one it rejects is
// left out, and with StrictIPCIDRValidation the legacy forms are rejected.
func TestLegacyCIDRs(t *testing.T) {
	// egress from LibreChat only to cidr (except), as a template.
	egressTo := func(cidr, except string) string {
		ex := ""
		if except != "" {
			ex = `, except: ["` + except + `"]`
		}
		return `
metadata: {name: egress-block, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: "` + cidr + `"` + ex + `}}]
`
	}
	in, out := Endpoint{IP: "10.1.2.3"}, Endpoint{IP: "11.0.0.1"}
	tests := []struct {
		name    string
		policy  string
		strict  bool
		dst     Endpoint
		allowed bool
		ignored string // want exactly this ignored prefix; "" wants none
	}{
		{name: "leading zeros in the address are decimal", policy: egressTo("010.0.0.0/8", ""), dst: in, allowed: true},
		{name: "leading zeros in the address still isolate", policy: egressTo("010.0.0.0/8", ""), dst: out},
		{name: "leading zeros in the prefix length", policy: egressTo("203.0.113.0/024", ""), dst: external, allowed: true},
		{name: "leading zeros in the prefix length still isolate", policy: egressTo("203.0.113.0/024", ""), dst: externalFar},
		{name: "bits beyond the prefix length are masked", policy: egressTo("10.1.2.3/8", ""), dst: Endpoint{IP: "10.200.0.1"}, allowed: true},
		{name: "legacy except entry", policy: egressTo("10.0.0.0/8", "010.001.0.0/16"), dst: Endpoint{IP: "10.1.9.9"}},
		{name: "IPv4-mapped block matches IPv4", policy: egressTo("::ffff:10.0.0.0/104", ""), dst: in, allowed: true},
		{name: "IPv4-mapped block matches mapped IPv4", policy: egressTo("::ffff:10.0.0.0/104", ""), dst: Endpoint{IP: "::ffff:10.1.2.3"}, allowed: true},
		{name: "IPv4-mapped block is not other IPv4", policy: egressTo("::ffff:10.0.0.0/104", ""), dst: out},
		{name: "IPv4-mapped block is not IPv6", policy: egressTo("::ffff:10.0.0.0/104", ""), dst: externalV6},
		{name: "::/0 is IPv6 only, as in net.IPNet", policy: egressTo("::/0", ""), dst: in},
		{name: "::/0 matches IPv6", policy: egressTo("::/0", ""), dst: externalV6, allowed: true},
		{
			name: "what the API server rejects is still left out", policy: egressTo("10.0.0.0/33", ""), dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: cidr: "10.0.0.0/33" must be a valid CIDR value`,
		},
		{
			name: "strict validation rejects leading zeros", policy: egressTo("010.0.0.0/8", ""), strict: true, dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: cidr: "010.0.0.0/8" must not have leading 0s`,
		},
		{
			name: "strict validation rejects IPv4-mapped blocks", policy: egressTo("::ffff:10.0.0.0/104", ""), strict: true, dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: cidr: "::ffff:10.0.0.0/104" must not have an IPv4-mapped`,
		},
		{
			name: "strict validation rejects bits beyond the prefix", policy: egressTo("10.1.2.3/8", ""), strict: true, dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: cidr: "10.1.2.3/8" must not have bits set beyond`,
		},
		{name: "IPv4-mapped except in an IPv4 cidr", policy: egressTo("10.0.0.0/8", "::ffff:10.1.0.0/112"), dst: in},
		{
			// The API server compares the written prefix lengths: 104 >= 16.
			name: "except compared by written prefix length, as the API server does", policy: egressTo("::ffff:10.0.0.0/104", "10.1.0.0/16"), dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: except "10.1.0.0/16": must be a strict subset of cidr "::ffff:10.0.0.0/104"`,
		},
		{
			name: "except outside cidr is rejected", policy: egressTo("10.0.0.0/8", "011.0.0.0/16"), dst: out, allowed: true,
			ignored: `librechat/egress-block: spec.egress[0].to[0]: ipBlock: except "011.0.0.0/16": must be a strict subset`,
		},
		{
			// The policy isolates LibreChat for ingress only; its unused egress
			// section holds a legacy CIDR, which the API server accepts, so the
			// policy exists and denies.
			name: "legacy CIDR in an unused section keeps the policy", dst: librechat, allowed: false, policy: `
metadata: {name: ingress-only, namespace: librechat}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  egress:
  - to: [{ipBlock: {cidr: 010.0.0.0/8}}]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Cluster{Namespaces: namespaces, Policies: policies(t, tt.policy), StrictIPCIDRValidation: tt.strict}
			src := librechat
			if tt.dst.Name == librechat.Name {
				src = webPod
			}
			v := c.Evaluate(src, tt.dst, 443, corev1.ProtocolTCP)
			if v.Allowed != tt.allowed {
				t.Errorf("Allowed = %v, want %v: %s", v.Allowed, tt.allowed, v)
			}
			switch {
			case tt.ignored == "" && len(v.Ignored) > 0:
				t.Errorf("Ignored = %q, want none", v.Ignored)
			case tt.ignored != "" && (len(v.Ignored) != 1 || !strings.HasPrefix(v.Ignored[0], tt.ignored)):
				t.Errorf("Ignored = %q, want one starting with %q", v.Ignored, tt.ignored)
			}
		})
	}
}

// TestCompiledAgrees checks that a compiled cluster gives the verdicts of
// Cluster.Evaluate, flow by flow, and that evaluating leaves it unchanged.
func TestCompiledAgrees(t *testing.T) {
	c, eps := benchWorld(t)
	cc := c.Compile()
	for _, s := range eps {
		for _, d := range eps {
			for _, port := range []int32{53, 443, 11434} {
				want := c.Evaluate(s, d, port, corev1.ProtocolTCP).String()
				for range 2 {
					if got := cc.Evaluate(s, d, port, corev1.ProtocolTCP).String(); got != want {
						t.Fatalf("%s → %s %d: compiled %q, per flow %q", s.label(), d.label(), port, got, want)
					}
				}
			}
		}
	}
}
