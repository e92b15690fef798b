package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEachHalfLinksOnlyItsOwn: the app (the coordinator, main.go) links no
// jsii, and the kernel program (cmd/synth-kernel), which runs jsii's
// kernel, links no Helm SDK, no Kubernetes client and no HCL writer: each
// links only what it runs, which keeps the links of a setup small.
func TestEachHalfLinksOnlyItsOwn(t *testing.T) {
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{".", []string{"github.com/aws/jsii-runtime-go", "github.com/hashicorp/terraform-cdk-go", "github.com/cdktf/"}},
		{"./cmd/synth-kernel", []string{"helm.sh/", "k8s.io/client-go", "github.com/hashicorp/hcl", "/cdktf-llm/hclexport", "/cdktf-llm/render", "/cdktf-llm/contract"}},
	} {
		cmd := exec.Command("go", "list", "-deps", tc.pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tc.pkg, err)
		}
		for _, p := range strings.Fields(string(out)) {
			for _, f := range tc.forbidden {
				if strings.Contains(p, f) {
					t.Errorf("%s links %s", tc.pkg, p)
				}
			}
		}
	}
}
