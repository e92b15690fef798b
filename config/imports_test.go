package config

import (
	"os/exec"
	"strings"
	"testing"
)

// TestConfigImportsNoConstructs: the flow runs config → constructs, never
// back; the types both use are in the leaf package placement.
func TestConfigImportsNoConstructs(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "/cdktf-llm/constructs") || strings.Contains(p, "/cdktf-llm/stacks") {
			t.Errorf("config imports %s", p)
		}
	}
}
