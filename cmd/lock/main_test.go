package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
)

const top = "../.."

// project is a project root with the shipped environments and lock, and a
// cache whose sources are this project's charts and, first, extra (for
// archives a test makes).
func project(t *testing.T) (root string, cache charts.Cache, extra string) {
	t.Helper()
	root = t.TempDir()
	if err := os.CopyFS(filepath.Join(root, config.Dir), os.DirFS(filepath.Join(top, config.Dir))); err != nil {
		t.Fatal(err)
	}
	shipped := charts.Default(top)
	extra = t.TempDir()
	cache = charts.Cache{Dir: t.TempDir(), Sources: append([]string{extra, shipped.Dir}, shipped.Sources...), Offline: true}
	return root, cache, extra
}

// ollama returns the shipped ollama 1.77.0 archive's bytes.
func ollama(t *testing.T) []byte {
	t.Helper()
	p, err := charts.Default(top).Path(context.Background(), charts.Ref{Repository: "https://helm.otwld.com/", Name: "ollama", Version: "1.77.0"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func lockOf(t *testing.T, root string) *chartlock.Lock {
	t.Helper()
	l, err := chartlock.Read(chartlock.Path(root))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestUpToDate(t *testing.T) {
	root, cache, _ := project(t)
	before, _ := os.ReadFile(chartlock.Path(root))
	for _, check := range []bool{true, false} {
		var out bytes.Buffer
		if err := run(context.Background(), root, check, cache, &out); err != nil {
			t.Fatalf("check=%v: %v\n%s", check, err, out.String())
		}
		if !strings.Contains(out.String(), "envs/charts.lock: up to date, 4 chart(s)") {
			t.Errorf("check=%v: %s", check, out.String())
		}
	}
	if after, _ := os.ReadFile(chartlock.Path(root)); !bytes.Equal(before, after) {
		t.Error("an up-to-date lock was rewritten")
	}
}

// TestVersionBump: a config names ollama 1.78.0; -check says the lock is
// behind, make lock locks the new archive's bytes and drops 1.77.0, which
// no environment uses any more.
func TestVersionBump(t *testing.T) {
	root, cache, extra := project(t)
	for _, env := range []string{"dev", "prod"} {
		f := filepath.Join(root, config.Dir, env+".yaml")
		data, _ := os.ReadFile(f)
		write(t, f, strings.Replace(string(data), "\nollama:\n", "\nollama:\n  release: {chartVersion: 1.78.0}\n", 1))
	}
	ch, err := charts.Default(top).Load(context.Background(), charts.Ref{Repository: "https://helm.otwld.com/", Name: "ollama", Version: "1.77.0"})
	if err != nil {
		t.Fatal(err)
	}
	ch.Metadata.Version = "1.78.0"
	newArchive, err := chartutil.Save(ch, extra)
	if err != nil {
		t.Fatal(err)
	}
	newBytes, _ := os.ReadFile(newArchive)

	var out bytes.Buffer
	err = run(context.Background(), root, true, cache, &out)
	if err == nil || !strings.Contains(err.Error(), "does not match the environments") ||
		!strings.Contains(out.String(), "+ ollama 1.78.0 from https://helm.otwld.com/") ||
		!strings.Contains(out.String(), "- ollama 1.77.0 from https://helm.otwld.com/: no environment uses it") {
		t.Fatalf("-check: %v\n%s", err, out.String())
	}
	if _, ok := lockOf(t, root).Find("ollama", "1.78.0"); ok {
		t.Fatal("-check wrote the lock")
	}

	out.Reset()
	if err := run(context.Background(), root, false, cache, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"+ ollama 1.78.0 from https://helm.otwld.com/: " + chartlock.Digest(newBytes) + " (bytes from " + newArchive + ")",
		"- ollama 1.77.0",
		"envs/charts.lock: written, 4 chart(s)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	l := lockOf(t, root)
	if e, ok := l.Find("ollama", "1.78.0"); !ok || e.Digest != chartlock.Digest(newBytes) || e.Repository != "https://helm.otwld.com/" {
		t.Errorf("lock entry %+v", e)
	}
	if _, ok := l.Find("ollama", "1.77.0"); ok {
		t.Error("ollama 1.77.0 is still locked")
	}
	if _, ok := l.Find("librechat", "2.0.8"); !ok {
		t.Error("librechat 2.0.8 was dropped")
	}
	out.Reset()
	if err := run(context.Background(), root, true, cache, &out); err != nil {
		t.Errorf("-check after make lock: %v\n%s", err, out.String())
	}
}

// TestOtherBytesAreNotRelocked: the source has other bytes for a locked
// version: refused with both digests, the lock left as it was.
func TestOtherBytesAreNotRelocked(t *testing.T) {
	root, cache, extra := project(t)
	cache.Sources = []string{extra} // nothing else
	before, _ := os.ReadFile(chartlock.Path(root))
	locked := ollama(t)
	other := bytes.Clone(locked)
	other[9] ^= 0xff // the gzip header's OS byte: the same files, other bytes
	if err := os.WriteFile(filepath.Join(extra, "ollama-1.77.0.tgz"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), root, false, cache, &out)
	if err == nil {
		t.Fatalf("re-locked:\n%s", out.String())
	}
	for _, want := range []string{"not written", "chart ollama 1.77.0", chartlock.Digest(other), chartlock.Digest(locked), filepath.Join(extra, "ollama-1.77.0.tgz")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if after, _ := os.ReadFile(chartlock.Path(root)); !bytes.Equal(before, after) {
		t.Error("the lock was changed")
	}
}

// TestNewLock: without a lock, make lock writes one for every chart in use.
func TestNewLock(t *testing.T) {
	root, cache, _ := project(t)
	os.Remove(chartlock.Path(root))
	var out bytes.Buffer
	if err := run(context.Background(), root, true, cache, &out); err == nil {
		t.Fatalf("-check passed without a lock:\n%s", out.String())
	}
	if err := run(context.Background(), root, false, cache, &out); err != nil {
		t.Fatal(err)
	}
	shipped, _ := os.ReadFile(chartlock.Path(top))
	if got, _ := os.ReadFile(chartlock.Path(root)); !bytes.Equal(got, shipped) {
		t.Errorf("the new lock differs from the shipped one:\n%s", got)
	}
}
