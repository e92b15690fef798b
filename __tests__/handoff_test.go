package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/llm-platform/cdktf-llm/config"
)

// TestStackFoldersAreSelfContained reads each cdktf.out/stacks/<stack> folder
// as `terraform -chdir=… init/plan/apply` would: everything it needs is in
// it, pinned and described.
func TestStackFoldersAreSelfContained(t *testing.T) {
	secret := map[string]bool{}
	for _, s := range config.Secrets {
		secret[s.Variable] = true
	}
	validated := map[string]bool{"kubeconfig_path": true, "credentials_revision": true}
	exact := regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	for name, s := range shipped.stacks {
		t.Run(name, func(t *testing.T) {
			files, _ := os.ReadDir(filepath.Join(shipped.dir, "stacks", name))
			if len(files) != 1 || files[0].Name() != "cdk.tf.json" {
				t.Errorf("stack folder holds %v, want only cdk.tf.json", files)
			}
			for p, req := range get(t, s, "terraform", "required_providers").(map[string]any) {
				src, _ := get(t, req, "source").(string)
				ver, _ := get(t, req, "version").(string)
				if src == "" || !exact.MatchString(ver) {
					t.Errorf("provider %s: source %q, version %q; want a source and an exact version", p, src, ver)
				}
			}
			c, err := version.NewConstraint(get(t, s, "terraform", "required_version").(string))
			if err != nil {
				t.Fatal(err)
			}
			if !c.Check(version.Must(version.NewVersion("1.11.0"))) || c.Check(version.Must(version.NewVersion("1.10.5"))) {
				t.Errorf("required_version %s must admit 1.11 and refuse 1.10 (write-only attributes)", c)
			}
			for v, body := range get(t, s, "variable").(map[string]any) {
				b := body.(map[string]any)
				if d, _ := b["description"].(string); d == "" || b["type"] == nil {
					t.Errorf("variable %s lacks a description or a type: %v", v, b)
				}
				if secret[v] != (b["sensitive"] == true) {
					t.Errorf("variable %s: sensitive is %v", v, b["sensitive"])
				}
				if (secret[v] || validated[v]) && b["validation"] == nil {
					t.Errorf("variable %s has a rule but no validation block", v)
				}
			}
			for o, body := range get(t, s, "output").(map[string]any) {
				if d, _ := get(t, body, "description").(string); d == "" {
					t.Errorf("output %s has no description", o)
				}
			}
			if path, ok := get(t, s, "terraform", "backend").(map[string]any)["local"]; ok {
				p := get(t, path, "path").(string)
				if filepath.IsAbs(p) || !strings.HasPrefix(p, "../../../.terraform-state/") {
					t.Errorf("local state %q is not relative and outside cdktf.out", p)
				}
			}
		})
	}
}
