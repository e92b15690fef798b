package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/multisynth/inprocess"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// synthIn synthesizes env of the project root dir into dir/cdktf.out with
// the chart cache c, over a cdktf.out that holds a marker file; it returns
// the error and whether the old cdktf.out is still there, untouched.
func synthIn(t *testing.T, dir, env string, c charts.Cache) (error, bool) {
	t.Helper()
	out := filepath.Join(dir, "cdktf.out")
	marker := filepath.Join(out, "marker")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte("before"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := inprocess.Synth(platform.Options{Root: dir, Outdir: out, Environments: env, Schemas: filepath.Join(root, tfschema.ProjectFile), Charts: &c})
	_, stat := os.Stat(marker)
	return err, stat == nil
}

// TestSynthRefusesOtherBytes: an archive with the right name and version but
// other bytes than the locked ones is refused at synth, whatever its source,
// with the chart, both digests and where the bytes came from; nothing is
// written.
func TestSynthRefusesOtherBytes(t *testing.T) {
	ref := charts.Ref{Repository: "https://helm.otwld.com/", Name: "ollama", Version: "1.77.0"}
	good, err := charts.Default(root).Path(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	locked, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(locked)
	other[9] ^= 0xff // the gzip header's OS byte: the same files, other bytes
	sources := charts.Default(root)
	for _, where := range []string{"source", "cache"} {
		t.Run(where, func(t *testing.T) {
			dir := project(t)
			bad, cacheDir := t.TempDir(), t.TempDir()
			c := charts.Cache{Dir: cacheDir, Offline: true}
			origin := filepath.Join(bad, ref.FileName())
			if where == "source" {
				c.Sources = append([]string{bad}, append([]string{sources.Dir}, sources.Sources...)...)
			} else {
				origin = filepath.Join(cacheDir, ref.FileName()) // and no source has the locked bytes
				c.Sources = []string{sources.Dir + "-none"}
				if err := os.CopyFS(cacheDir, os.DirFS(sources.Dir)); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(origin, other, 0o644); err != nil {
				t.Fatal(err)
			}
			err, kept := synthIn(t, dir, "dev", c)
			if err == nil {
				t.Fatal("synthesized with an archive that is not the locked one")
			}
			for _, want := range []string{"chart ollama 1.77.0", origin, chartlock.Digest(other), chartlock.Digest(locked), "make lock"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if !kept {
				t.Error("cdktf.out was replaced after a failed synth")
			}
		})
	}
}

// TestSynthNeedsTheLock: the lock and the config disagree.
func TestSynthNeedsTheLock(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   []string
	}{
		{"a version the lock lacks", func(t *testing.T, dir string) {
			f := filepath.Join(dir, config.Dir, "dev.yaml")
			data, _ := os.ReadFile(f)
			os.WriteFile(f, []byte(strings.Replace(string(data), "\nollama:\n", "\nollama:\n  release: {chartVersion: 1.78.0}\n", 1)), 0o644)
		}, []string{"apps-dev: helm_release.ollama: chart ollama 1.78.0 (https://helm.otwld.com/) is not in the chart lock envs/charts.lock; run `make lock`"}},
		{"no lock", func(t *testing.T, dir string) { os.Remove(chartlock.Path(dir)) },
			[]string{"chart lock", "envs/charts.lock does not exist; run `make lock`"}},
		{"a broken lock", func(t *testing.T, dir string) {
			os.WriteFile(chartlock.Path(dir), []byte("charts:\n- {name: ollama, version: 1.77.0, repository: https://helm.otwld.com/, digest: latest}\n"), 0o644)
		}, []string{"envs/charts.lock", "charts[0].digest", `"latest"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := project(t)
			tt.change(t, dir)
			err, kept := synthIn(t, dir, "dev", charts.Default(root))
			if err == nil {
				t.Fatal("synthesized")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if !kept {
				t.Error("cdktf.out was replaced after a failed synth")
			}
		})
	}
}

// TestCheckReadsTheStacksArchive: the chart check renders the archive the
// stack carries, the one Terraform installs, and refuses it when it is not
// the locked one.
func TestCheckReadsTheStacksArchive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	if err := os.CopyFS(out, os.DirFS(shipped.dir)); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(out, "stacks", "apps-dev", "charts", "ollama-1.77.0.tgz")
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	e, err := config.Load(filepath.Join(root, config.Dir, "dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := contract.Run(context.Background(), out, e, lock(t), ""); err != nil {
		t.Fatalf("the shipped stack: %v", err)
	}
	data[9] ^= 0xff
	if err := os.WriteFile(archive, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = contract.Run(context.Background(), out, e, lock(t), "")
	if err == nil || !strings.Contains(err.Error(), archive) || !strings.Contains(err.Error(), "apps-dev: helm_release.ollama: chart ollama 1.77.0") {
		t.Fatalf("got %v; want the stack's archive refused", err)
	}
}
