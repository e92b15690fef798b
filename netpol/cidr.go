package netpol

import (
	"net"
	"net/netip"
	"strconv"

	netutils "k8s.io/utils/net"
)

// apiRules is how the API server of a Kubernetes version validates the
// fields evaluation depends on.
type apiRules struct {
	// strictCIDRs is the StrictIPCIDRValidation feature gate.
	strictCIDRs bool
}

// apiRules returns how c's API server validates policies. Every version
// up to 1.34 validates an ipBlock's CIDRs with the legacy parser
// (k8s.io/utils/net ParseCIDRSloppy): leading zeros in the address or the
// prefix length are decimal ("010.0.0.0/8" is 10.0.0.0/8, "203.0.113.0/024"
// is 203.0.113.0/24), bits beyond the prefix length are masked, and an
// IPv4-mapped IPv6 block is accepted. The StrictIPCIDRValidation gate, alpha
// and off by default since 1.33, rejects those forms; no release turns it on
// by default yet, so it applies only when Cluster.StrictIPCIDRValidation
// says the cluster enabled it.
func (c Cluster) apiRules() apiRules {
	return apiRules{strictCIDRs: c.StrictIPCIDRValidation}
}

// parseCIDR parses s as the API server validates an ipBlock CIDR
// (k8s.io/apimachinery pkg/util/validation parseCIDR); a non-empty reason
// says why it would be rejected.
func (v apiRules) parseCIDR(s string) (*net.IPNet, string) {
	_, ipnet, err := netutils.ParseCIDRSloppy(s)
	if err != nil {
		return nil, strconv.Quote(s) + " must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
	}
	if v.strictCIDRs {
		prefix, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			return nil, strconv.Quote(s) + " must not have leading 0s in IP or prefix length (StrictIPCIDRValidation)"
		case prefix.Addr().Is4In6():
			return nil, strconv.Quote(s) + " must not have an IPv4-mapped IPv6 address (StrictIPCIDRValidation)"
		case prefix.Addr() != prefix.Masked().Addr():
			return nil, strconv.Quote(s) + " must not have bits set beyond the prefix length (StrictIPCIDRValidation)"
		}
	}
	return ipnet, ""
}

// prefixOf is the block n matches, as net.IPNet.Contains matches addresses
// (the semantics of the API server's own checks and of Go implementations of
// NetworkPolicy, SIG Network's policy-assistant among them). An IPv4-mapped
// IPv6 block, ::ffff:a.b.c.d/n with n ≥ 96, is the IPv4 block
// a.b.c.d/(n-96): it matches IPv4 addresses (and their mapped forms, which
// evaluation unmaps) and no other IPv6 address. A shorter IPv6 prefix that
// covers ::ffff:0:0/96 (::/0, say) matches IPv6 addresses only, as in
// net.IPNet. CNIs that program the kernel may treat mapped blocks otherwise,
// which is why strict validation rejects them.
func prefixOf(n *net.IPNet) netip.Prefix {
	ones, bits := n.Mask.Size()
	addr, _ := netip.AddrFromSlice(n.IP)
	if bits == 8*net.IPv6len && addr.Is4In6() && ones >= 96 {
		return netip.PrefixFrom(addr.Unmap(), ones-96).Masked()
	}
	if bits == 8*net.IPv4len {
		addr = addr.Unmap()
	}
	return netip.PrefixFrom(addr, ones).Masked()
}
