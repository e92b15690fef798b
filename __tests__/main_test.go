// Package tests checks the synthesized Terraform JSON of every shipped
// environment: golden snapshots, the properties each construct promises,
// and the real provider schemas.
//
// Run with `go test ./__tests__/` (Go's ./... skips folders starting with _);
// `go test ./__tests__/ -update` rewrites the snapshots.
package tests

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/multisynth/inprocess"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

var update = flag.Bool("update", false, "rewrite the golden snapshots from the current output")

// root is the project root, seen from this folder.
const root = ".."

// shipped is the synth of every environment in envs/, made once.
var shipped struct {
	dir    string
	stacks map[string]Stack
}

func TestMain(m *testing.M) {
	flag.Parse()
	// Synths in temporary copies of the project find the charts in this
	// project's cache, which the synth below fills.
	if os.Getenv(charts.EnvVar) == "" {
		abs, _ := filepath.Abs(filepath.Join(root, ".charts"))
		os.Setenv(charts.EnvVar, abs)
	}
	dir, err := os.MkdirTemp("", "synth-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		shipped.dir = filepath.Join(dir, "cdktf.out")
		if _, err := inprocess.Synth(platform.Options{Root: root, Outdir: shipped.dir, Environments: "all"}); err != nil {
			fmt.Fprintln(os.Stderr, "synth of the shipped environments failed:", err)
			return 1
		}
		stacks, err := readStacks(shipped.dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		shipped.stacks = stacks
		return m.Run()
	}()
	os.Exit(code)
}

// Stack is one synthesized cdk.tf.json, decoded.
type Stack = map[string]any

// readStacks decodes every stack below a cdktf.out folder, by stack name.
func readStacks(outdir string) (map[string]Stack, error) {
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no stacks in %s (%v)", outdir, err)
	}
	stacks := map[string]Stack{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var s Stack
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		stacks[filepath.Base(filepath.Dir(f))] = s
	}
	return stacks, nil
}

// environments lists the shipped environments.
func environments(t *testing.T) []string {
	t.Helper()
	names, err := config.Names(root)
	if err != nil || len(names) == 0 {
		t.Fatalf("no environments in %s/envs: %v", root, err)
	}
	return names
}

// stack returns a shipped stack or fails.
func stack(t *testing.T, name string) Stack {
	t.Helper()
	s, ok := shipped.stacks[name]
	if !ok {
		t.Fatalf("stack %s was not synthesized; have %v", name, keys(shipped.stacks))
	}
	return s
}

// synthYAML synthesizes one environment from YAML text; the environment
// file is written to a temporary project root.
func synthYAML(t *testing.T, name, yaml string) map[string]Stack {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, config.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, config.Dir, name+".yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	copyLock(t, dir)
	out := filepath.Join(dir, "cdktf.out")
	schemas := filepath.Join(root, tfschema.ProjectFile)
	cache := charts.Default(root)
	if _, err := inprocess.Synth(platform.Options{Root: dir, Outdir: out, Environments: name, Schemas: schemas, Charts: &cache}); err != nil {
		t.Fatalf("synth %s: %v", name, err)
	}
	stacks, err := readStacks(out)
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// lock is the project's chart lock.
func lock(t *testing.T) *chartlock.Lock {
	t.Helper()
	l, err := chartlock.Read(chartlock.Path(root))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// copyLock gives the project root dir this project's chart lock.
func copyLock(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(chartlock.Path(root))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(chartlock.Path(dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(chartlock.Path(dir), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// get walks a decoded JSON value along keys (strings for objects, ints for
// arrays) and fails the test where the path does not exist.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %v", path, path[:i])
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: no key %q at %v; have %v", path, k, path[:i], keys(m))
			}
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no index %d at %v", path, k, path[:i])
			}
			v = l[k]
		}
	}
	return v
}

// has reports whether the path exists.
func has(v any, path ...string) bool {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[k]; !ok {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// synthAll synthesizes every shipped environment into outdir.
func synthAll(t *testing.T, outdir string) {
	t.Helper()
	if _, err := inprocess.Synth(platform.Options{Root: root, Outdir: outdir, Environments: "all"}); err != nil {
		t.Fatal(err)
	}
}

// schemaJSON reads the project's gzipped schema file.
func schemaJSON(t *testing.T, path string) []byte {
	t.Helper()
	data, err := tfschema.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
