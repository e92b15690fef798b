package tests

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/llm-platform/cdktf-llm/chartlock"
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
			dir := filepath.Join(shipped.dir, "stacks", name)
			var files []string
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					files = append(files, filepath.ToSlash(rel))
				}
				return err
			})
			// cdk.tf.json, and in an apps stack the locked archive of each
			// chart its releases install, where they name it, byte for
			// byte the lock's: nothing else.
			want := []string{"cdk.tf.json"}
			releases, _ := s["resource"].(map[string]any)["helm_release"].(map[string]any)
			for id, r := range releases {
				chart, _ := r.(map[string]any)["chart"].(string)
				rel, ok := strings.CutPrefix(chart, "./")
				if !ok || !strings.HasPrefix(rel, "charts/") {
					t.Errorf("helm_release.%s: chart %q is not a path into the stack's charts/ folder", id, chart)
					continue
				}
				want = append(want, rel)
				data, err := os.ReadFile(filepath.Join(dir, rel))
				if err != nil {
					t.Errorf("helm_release.%s: %v", id, err)
					continue
				}
				e, ok := lock(t).Find(strings.TrimSuffix(strings.TrimPrefix(rel, "charts/"), "-"+r.(map[string]any)["version"].(string)+".tgz"), r.(map[string]any)["version"].(string))
				if !ok || chartlock.Digest(data) != e.Digest {
					t.Errorf("helm_release.%s: %s has digest %s; the lock has %q", id, rel, chartlock.Digest(data), e.Digest)
				}
			}
			slices.Sort(files)
			slices.Sort(want)
			if !slices.Equal(files, want) {
				t.Errorf("stack folder holds %v, want %v", files, want)
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
