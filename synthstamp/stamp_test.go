package synthstamp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// project is a stand-in project with two environments and an output folder
// as a synth would leave it, stamped.
type project struct {
	root, outdir string
	config       Config
}

func newProject(t *testing.T) project {
	t.Helper()
	root := t.TempDir()
	p := project{root: root, outdir: filepath.Join(root, "cdktf.out")}
	files := map[string]string{
		"envs/dev.yaml":                    "ollama: {}\n",
		"envs/prod.yaml":                   "ollama: {gpu: {enabled: true}}\n",
		"package-lock.json":                `{"lockfileVersion": 3}`,
		"go.mod":                           "module x\n",
		"go.sum":                           "x v1 h1:abc\n",
		"schemas/providers-schema.json.gz": "schemas v1",
		"envs/charts.lock":                 "charts: []\n",
		".charts/ollama-1.77.0.tgz":        "ollama chart",
		"app":                              "the program, v1",
		"cdktf.out/manifest.json":          `{"stacks": {}}`,
	}
	for _, env := range []string{"dev", "prod"} {
		files["cdktf.out/stacks/base-"+env+"/cdk.tf.json"] = "base " + env
		files["cdktf.out/stacks/apps-"+env+"/cdk.tf.json"] = "apps " + env
		files["cdktf.out/stacks/apps-"+env+"/charts/ollama-1.77.0.tgz"] = "ollama chart"
		files["cdktf.out/manifests/"+env+"/ollama.yaml"] = "kind: Deployment # " + env
	}
	for name, content := range files {
		p.write(t, name, content)
	}
	p.config = Config{
		Root:         root,
		Outdir:       p.outdir,
		Environments: []string{"dev", "prod"},
		Executable:   filepath.Join(root, "app"),
		Schemas:      filepath.Join(root, "schemas", "providers-schema.json.gz"),
		Environ:      []string{"HOME=/root", "CDKTF_CONTEXT_JSON={}", "CDKTF_OUTDIR=" + p.outdir},
	}
	plan := p.check(t, p.config)
	if plan.UpToDate || len(plan.Stale) != 2 {
		t.Fatalf("without a stamp: stale %v, up to date %v; want every environment stale", plan.Stale, plan.UpToDate)
	}
	if err := plan.Record(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p project) write(t *testing.T, name, content string) {
	t.Helper()
	file := filepath.Join(p.root, name)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (p project) check(t *testing.T, c Config) *Plan {
	t.Helper()
	plan, err := Check(c)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestEveryInputInvalidates changes one input or output at a time and checks
// which environments become stale, and that the folder is up to date only
// when nothing changed.
func TestEveryInputInvalidates(t *testing.T) {
	all := []string{"dev", "prod"}
	tests := []struct {
		name     string
		change   func(t *testing.T, p project, c *Config)
		stale    []string
		upToDate bool
	}{
		{"nothing", func(*testing.T, project, *Config) {}, nil, true},
		{"a config value", func(t *testing.T, p project, _ *Config) { p.write(t, "envs/dev.yaml", "ollama: {models: [x]}\n") }, []string{"dev"}, false},
		{"the code", func(t *testing.T, p project, _ *Config) { p.write(t, "app", "the program, v2") }, all, false},
		{"package-lock.json", func(t *testing.T, p project, _ *Config) { p.write(t, "package-lock.json", `{"lockfileVersion": 2}`) }, all, false},
		{"go.sum", func(t *testing.T, p project, _ *Config) { p.write(t, "go.sum", "x v2 h1:def\n") }, all, false},
		{"go.mod removed", func(t *testing.T, p project, _ *Config) { os.Remove(filepath.Join(p.root, "go.mod")) }, all, false},
		{"the schemas", func(t *testing.T, p project, _ *Config) { p.write(t, "schemas/providers-schema.json.gz", "schemas v2") }, all, false},
		{"the chart lock", func(t *testing.T, p project, _ *Config) { p.write(t, "envs/charts.lock", "charts: [{}]\n") }, all, false},
		{"the archive apps-prod carries", func(t *testing.T, p project, _ *Config) {
			p.write(t, "cdktf.out/stacks/apps-prod/charts/ollama-1.77.0.tgz", "ollama chart, repacked")
		}, []string{"prod"}, false},
		{"the archive apps-dev carries, removed", func(t *testing.T, p project, _ *Config) {
			os.Remove(filepath.Join(p.outdir, "stacks", "apps-dev", "charts", "ollama-1.77.0.tgz"))
		}, []string{"dev"}, false},
		// The cache is no input: the lock decides the bytes, and the synth
		// checks what it takes from the cache against it.
		{"the chart cache", func(t *testing.T, p project, _ *Config) { p.write(t, ".charts/ollama-1.77.0.tgz", "other") }, nil, true},
		{"HCL", func(_ *testing.T, _ project, c *Config) { c.HCL = true }, all, false},
		{"the cdktf context", func(_ *testing.T, _ project, c *Config) {
			c.Environ = []string{"HOME=/root", `CDKTF_CONTEXT_JSON={"environments":"dev"}`, "CDKTF_OUTDIR=" + c.Outdir}
		}, all, false},
		{"another CDKTF_OUTDIR", func(_ *testing.T, _ project, c *Config) {
			c.Environ = []string{"HOME=/home/x", "CDKTF_CONTEXT_JSON={}", "CDKTF_OUTDIR=/elsewhere"}
		}, nil, true},
		{"a stack file edited", func(t *testing.T, p project, _ *Config) {
			p.write(t, "cdktf.out/stacks/apps-prod/cdk.tf.json", "apps prod, edited")
		}, []string{"prod"}, false},
		{"a manifest removed", func(t *testing.T, p project, _ *Config) {
			os.Remove(filepath.Join(p.outdir, "manifests", "dev", "ollama.yaml"))
		}, []string{"dev"}, false},
		{"a file added to a stack", func(t *testing.T, p project, _ *Config) { p.write(t, "cdktf.out/stacks/base-dev/extra.tf", "x") }, []string{"dev"}, false},
		{"manifest.json edited", func(t *testing.T, p project, _ *Config) {
			p.write(t, "cdktf.out/manifest.json", `{"stacks": {"x": {}}}`)
		}, all, false},
		{"the output folder removed", func(t *testing.T, p project, _ *Config) { os.RemoveAll(p.outdir) }, all, false},
		{"a file no synth writes", func(t *testing.T, p project, _ *Config) { p.write(t, "cdktf.out/notes.txt", "x") }, nil, false},
		{"another stack's folder", func(t *testing.T, p project, _ *Config) { p.write(t, "cdktf.out/stacks/base-old/cdk.tf.json", "x") }, nil, false},
		{"another stack's folder, old stacks kept", func(t *testing.T, p project, c *Config) {
			p.write(t, "cdktf.out/stacks/base-old/cdk.tf.json", "x")
			c.KeepOldStacks = true
		}, nil, true},
		{"another environment's manifests, old stacks kept", func(t *testing.T, p project, c *Config) {
			p.write(t, "cdktf.out/manifests/old/x.yaml", "x")
			c.KeepOldStacks = true
		}, nil, false},
		{"an environment fewer", func(_ *testing.T, _ project, c *Config) { c.Environments = []string{"dev"} }, nil, false},
		{"an environment more", func(t *testing.T, p project, c *Config) {
			p.write(t, "envs/stage.yaml", "{}\n")
			c.Environments = []string{"dev", "prod", "stage"}
		}, []string{"stage"}, false},
		{"another order", func(_ *testing.T, _ project, c *Config) { c.Environments = []string{"prod", "dev"} }, nil, false},
		{"the stamp unreadable", func(t *testing.T, p project, _ *Config) { os.WriteFile(File(p.outdir), []byte("{"), 0o644) }, all, false},
		{"the stamp forgotten", func(t *testing.T, p project, _ *Config) {
			if err := Forget(p.outdir); err != nil {
				t.Fatal(err)
			}
		}, all, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProject(t)
			c := p.config
			tc.change(t, p, &c)
			plan := p.check(t, c)
			if !slices.Equal(plan.Stale, tc.stale) || plan.UpToDate != tc.upToDate {
				t.Errorf("stale %v (%v), up to date %v; want stale %v, up to date %v", plan.Stale, plan.Why, plan.UpToDate, tc.stale, tc.upToDate)
			}
			var reuse []string
			for _, env := range c.Environments {
				if !slices.Contains(tc.stale, env) {
					reuse = append(reuse, env)
				}
			}
			if !slices.Equal(plan.Reuse, reuse) {
				t.Errorf("reuse %v, want %v", plan.Reuse, reuse)
			}
			if !tc.upToDate && plan.Why[""] == "" {
				t.Error("not up to date, and no reason given")
			}
		})
	}
}

// TestRecordKeepsWhatWasRead: an input that changes during a synth is
// recorded as it was read before, so the next check redoes it.
func TestRecordKeepsWhatWasRead(t *testing.T) {
	p := newProject(t)
	plan := p.check(t, p.config)
	p.write(t, "envs/dev.yaml", "ollama: {models: [y]}\n") // while the synth runs
	if err := plan.Record(); err != nil {
		t.Fatal(err)
	}
	if next := p.check(t, p.config); !slices.Equal(next.Stale, []string{"dev"}) {
		t.Errorf("stale %v (%v); want dev (its config changed during the synth)", next.Stale, next.Why)
	}
}

func TestExecutableID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	id, err := ExecutableID(exe)
	if err != nil || !strings.HasPrefix(id, "go build ID ") || len(id) < len("go build ID ")+20 {
		t.Errorf("ExecutableID(the test binary) = %q, %v; want its Go build ID", id, err)
	}
	other := filepath.Join(t.TempDir(), "script")
	os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755)
	if id, err := ExecutableID(other); err != nil || !strings.HasPrefix(id, "sha256 ") {
		t.Errorf("ExecutableID(a script) = %q, %v; want the sha256 of its bytes", id, err)
	}
	if _, err := ExecutableID(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing executable has an ID")
	}
}

func TestOwner(t *testing.T) {
	tests := []struct {
		rel, env string
		kept     bool
	}{
		{"stacks/base-dev/cdk.tf.json", "dev", true},
		{"stacks/apps-dev-eu/main.tf", "dev-eu", true},
		{"stacks/other/cdk.tf.json", "", true},
		{"manifests/prod/ollama.yaml", "prod", false},
		{"manifest.json", "", false},
		{"stacks/base-dev", "", false},
		{"notes.txt", "", false},
	}
	for _, tc := range tests {
		if env, kept := Owner(tc.rel); env != tc.env || kept != tc.kept {
			t.Errorf("Owner(%q) = %q, %v; want %q, %v", tc.rel, env, kept, tc.env, tc.kept)
		}
	}
}
