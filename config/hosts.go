package config

import (
	"net/netip"
	"strings"
)

// localSuffixes are the DNS names that never resolve on the public
// internet: localhost (RFC 6761), .local (mDNS, RFC 6762), .test (RFC 6761)
// and .internal (reserved for private use by ICANN in 2024).
var localSuffixes = []string{".localhost", ".local", ".test", ".internal"}

// LocalHost reports whether host is reachable only locally or inside a
// private network: localhost, a name below one of localSuffixes, or an IP
// address (which is not a public name a certificate authority signs for).
func LocalHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	for _, s := range localSuffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}
