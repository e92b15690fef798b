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
