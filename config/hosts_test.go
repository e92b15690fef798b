package config

import "testing"

func TestLocalHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "chat.localhost": true, "CHAT.LOCALHOST.": true, "printer.local": true,
		"chat.test": true, "ollama.corp.internal": true, "192.168.49.2": true, "::1": true,
		"chat.example.com": false, "localhost.example.com": false, "internal.example.com": false,
		"chat.testing": false, "example.local.com": false, "": false,
	} {
		if got := LocalHost(host); got != want {
			t.Errorf("LocalHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestSignUpDefault(t *testing.T) {
	for _, c := range []struct {
		ingress AppIngress
		mode    string
		want    string
	}{
		{AppIngress{Enabled: true, Host: "chat.localhost"}, "", SignUpOpen},
		{AppIngress{Enabled: true, Host: "chat.example.com"}, "", SignUpClosed},
		{AppIngress{Enabled: false, Host: "chat.example.com"}, "", SignUpOpen},
		{AppIngress{Enabled: true, Host: "chat.example.com"}, SignUpOpen, SignUpOpen},
		{AppIngress{Enabled: true, Host: "chat.localhost"}, SignUpDomains, SignUpDomains},
	} {
		l := LibreChat{Ingress: c.ingress, Registration: Registration{Mode: c.mode}}
		if got := l.SignUp(); got != c.want {
			t.Errorf("host %s (enabled %v), mode %q: SignUp() = %q, want %q", c.ingress.Host, c.ingress.Enabled, c.mode, got, c.want)
		}
	}
}
