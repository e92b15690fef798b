package tests

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/hclexport"
)

// exported is every shipped stack as HCL, exported once from its JSON.
var exported = sync.OnceValues(func() (map[string]hclexport.Module, error) {
	schemas, err := realSchemas()
	if err != nil {
		return nil, err
	}
	out := map[string]hclexport.Module{}
	for name := range shipped.stacks {
		m, err := hclexport.Export(hclexport.Config{Stack: name, JSON: stackJSON(name), Schemas: schemas})
		if err != nil {
			return nil, err
		}
		out[name] = m
	}
	return out, nil
})

func modules(t *testing.T) map[string]hclexport.Module {
	t.Helper()
	m, err := exported()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func stackJSON(name string) []byte {
	data, _ := os.ReadFile(filepath.Join(shipped.dir, "stacks", name, "cdk.tf.json"))
	return data
}

// TestHCLGolden compares each stack's .tf files with golden/hcl/<stack>/.
// Run with -update to accept changes.
func TestHCLGolden(t *testing.T) {
	want := map[string]bool{}
	for stack, m := range modules(t) {
		for file, data := range m {
			path := filepath.Join("golden", "hcl", stack, file)
			want[path] = true
			snapshot(t, path, data)
		}
	}
	snaps, _ := filepath.Glob(filepath.Join("golden", "hcl", "*", "*"))
	for _, s := range snaps {
		if !want[s] {
			if *update {
				os.Remove(s)
			} else {
				t.Errorf("snapshot %s has no file any more; delete it (or run -update)", s)
			}
		}
	}
}

// TestHCLRoundTrip: for every stack of every shipped environment, the HCL
// parsed back (hclparse, all files as one module) is the same
// configuration as the JSON: the same blocks, arguments, literal values,
// templates and references. It would fail on any value dropped or changed,
// as the breaks below show on the real stacks.
func TestHCLRoundTrip(t *testing.T) {
	schemas := loadRealSchemas(t)
	mods := modules(t)
	for _, env := range environments(t) {
		for _, stack := range []string{"base-" + env, "apps-" + env} {
			t.Run(stack, func(t *testing.T) {
				m, ok := mods[stack]
				if !ok {
					t.Fatalf("no HCL for %s", stack)
				}
				c := hclexport.Config{Stack: stack, JSON: stackJSON(stack), Schemas: schemas}
				parser := hclparse.NewParser()
				for file, data := range m {
					if _, diags := parser.ParseHCL(data, file); diags.HasErrors() {
						t.Errorf("%s does not parse: %s", file, diags.Error())
					}
				}
				if err := hclexport.Verify(c, m); err != nil {
					t.Fatal(err)
				}
				for _, br := range []struct{ what, old, new string }{
					{"a value changed", "= true", "= false"},
					{"a value dropped", "  namespace ", "  # namespace "},
					{"a reference changed", ".metadata", ".other"},
					{"a heredoc line changed", "    EOT\n", "    extra: 1\n    EOT\n"},
				} {
					main := string(m[hclexport.MainFile])
					if !strings.Contains(main, br.old) {
						continue // not in this stack (base has no heredoc)
					}
					broken := hclexport.Module{}
					for k, v := range m {
						broken[k] = v
					}
					broken[hclexport.MainFile] = []byte(strings.Replace(main, br.old, br.new, 1))
					var mismatch *hclexport.Mismatch
					if err := hclexport.Verify(c, broken); !errors.As(err, &mismatch) {
						t.Errorf("%s: Verify did not notice (%v)", br.what, err)
					}
				}
			})
		}
	}
}

// TestHCLIsPortable: the stacks use only constructs that Terraform ≥ 1.11
// and OpenTofu ≥ 1.11 both support (hclexport.Portable); a new one fails
// here until it is checked against both and added.
func TestHCLIsPortable(t *testing.T) {
	schemas := loadRealSchemas(t)
	used := map[string]bool{}
	for stack, m := range modules(t) {
		cs, err := hclexport.Constructs(hclexport.Config{Stack: stack, JSON: stackJSON(stack), Schemas: schemas}, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			used[c] = true
		}
		if np := hclexport.NotPortable(cs); len(np) > 0 {
			t.Errorf("%s uses %v, which hclexport.Portable does not hold: check OpenTofu ≥ 1.11 supports each, then add it there", stack, np)
		}
	}
	for _, must := range []string{"variable.ephemeral", "write-only argument", "terraform.required_version", "resource.depends_on"} {
		if !used[must] {
			t.Errorf("the stacks no longer use %s; update the README's list of what they rely on", must)
		}
	}
	t.Logf("constructs used: %s", strings.Join(keys(used), ", "))
}

// TestCdktfSynthHCL: `cdktf synth --hcl` (the CLI, running cdktf.json's
// app) writes each stack as the exported .tf files with the cdktf metadata
// beside them and no cdk.tf.json; the manifest sends the CLI to main.tf,
// and `cdktf deploy --skip-synth` then runs Terraform on those folders.
func TestCdktfSynthHCL(t *testing.T) {
	t.Parallel() // a synth of its own project, mostly waiting on its kernel
	cli := newCdktfCLI(t)
	out := filepath.Join(cli.project, "cdktf.out")
	cli.run(t, root, "synth", "--hcl", "--output", out)
	got := tree(t, out)
	want := map[string][]byte{}
	for rel, data := range tree(t, shipped.dir) {
		stackFile := strings.HasPrefix(rel, "stacks"+string(filepath.Separator))
		archive := filepath.Base(filepath.Dir(rel)) == chartlock.StackDir
		if !stackFile && rel != "manifest.json" || stackFile && archive {
			want[rel] = data // the rendered manifests, the archives the apps stacks carry
		}
	}
	var manifest struct {
		Stacks map[string]map[string]any `json:"stacks"`
	}
	if err := json.Unmarshal(got["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	for stack, m := range modules(t) {
		for file, data := range m {
			want[filepath.Join("stacks", stack, file)] = data
		}
		meta := filepath.Join("stacks", stack, hclexport.MetadataFile)
		want[meta] = got[meta]
		var md map[string]any
		if err := json.Unmarshal(got[meta], &md); err != nil || md["//"] == nil || md["terraform"] == nil {
			t.Errorf("%s: %v; want the JSON's // and terraform, which the CLI reads", meta, err)
		}
		if p := manifest.Stacks[stack]["synthesizedStackPath"]; p != "stacks/"+stack+"/main.tf" {
			t.Errorf("manifest: %s synthesizedStackPath %v; want stacks/%s/main.tf", stack, p, stack)
		}
	}
	want["manifest.json"] = got["manifest.json"]
	sameTree(t, got, want, "cdktf synth --hcl against the exported modules")

	// cdktf deploy --skip-synth on the HCL folders, with a terraform that
	// only says where it ran and what it saw.
	log := cli.deploy(t, "base-dev", "apps-dev")
	for stack, files := range map[string]string{
		"base-dev": "main.tf metadata.json outputs.tf providers.tf variables.tf versions.tf",
		"apps-dev": "charts main.tf metadata.json outputs.tf providers.tf variables.tf versions.tf",
	} {
		if !strings.Contains(log, stack+" apply "+files) {
			t.Errorf("terraform apply did not run in %s's folder of .tf files:\n%s", stack, log)
		}
	}
}
