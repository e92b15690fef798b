package tests

import (
	"bytes"
	"github.com/llm-platform/cdktf-llm/multisynth/inprocess"
	"github.com/llm-platform/cdktf-llm/platform"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGolden compares every stack of every shipped environment, and the
// manifest, with its snapshot in golden/. Run with -update to accept changes.
func TestGolden(t *testing.T) {
	files := map[string]string{"manifest.json": filepath.Join(shipped.dir, "manifest.json")}
	for name := range shipped.stacks {
		files[name+".json"] = filepath.Join(shipped.dir, "stacks", name, "cdk.tf.json")
	}
	for _, env := range environments(t) {
		for _, s := range []string{"base-" + env, "apps-" + env} {
			if _, ok := files[s+".json"]; !ok {
				t.Errorf("environment %s has no stack %s", env, s)
			}
		}
	}
	for golden, path := range files {
		t.Run(golden, func(t *testing.T) {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			snapshot(t, filepath.Join("golden", golden), got)
		})
	}
	if *update {
		return
	}
	// No snapshot may outlive its stack.
	snaps, _ := filepath.Glob(filepath.Join("golden", "*.json"))
	for _, s := range snaps {
		if _, ok := files[filepath.Base(s)]; !ok {
			t.Errorf("snapshot %s has no stack any more; delete it", s)
		}
	}
}

// snapshot compares got with the snapshot at path, or with -update writes
// it there.
func snapshot(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("no snapshot %s; run `go test ./__tests__/ -update` to create it", path)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its snapshot (-snapshot +now); if the change is intended, run `go test ./__tests__/ -update` and review the diff:\n%s",
			path, cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")))
	}
}

// machinePath matches absolute paths of a machine, home-relative paths and
// hashed construct IDs, none of which may reach the output.
var machinePath = regexp.MustCompile(`"/(root|home|tmp|work|Users|var|private)/|~/[^"]*tfstate|_[0-9A-F]{8}"`)

// TestDeterministic synthesizes everything again elsewhere and compares the
// two trees byte for byte; neither may hold a path of this machine.
func TestDeterministic(t *testing.T) {
	again := filepath.Join(t.TempDir(), "elsewhere", "out")
	if err := os.MkdirAll(filepath.Dir(again), 0o755); err != nil {
		t.Fatal(err)
	}
	synthAll(t, again)
	first := tree(t, shipped.dir)
	second := tree(t, again)
	if diff := cmp.Diff(keys(first), keys(second)); diff != "" {
		t.Fatalf("the two synths wrote different files:\n%s", diff)
	}
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs between two synths", name)
		}
		if m := machinePath.Find(data); m != nil {
			t.Errorf("%s holds %s: a machine path or a hashed ID", name, m)
		}
		for _, dir := range []string{shipped.dir, again} {
			if bytes.Contains(data, []byte(dir)) {
				t.Errorf("%s holds its output folder %s", name, dir)
			}
		}
	}
}

// tree reads every file below dir, by relative path.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree reports each file that differs between two trees read by tree.
func sameTree(t *testing.T, got, want map[string][]byte, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: files %v, want %v", what, keys(got), keys(want))
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// BenchmarkSynth synthesizes every shipped environment in process (the jsii
// runtime is already up): the cost of building, synthesizing and checking
// the stacks. `make bench` measures whole runs against the baseline.
func BenchmarkSynth(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		if _, err := inprocess.Synth(platform.Options{Root: root, Outdir: filepath.Join(dir, "out"), Environments: "all"}); err != nil {
			b.Fatal(err)
		}
	}
}
