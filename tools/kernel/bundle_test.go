package kernel_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleTarball is the jsii tarball a Go module of go.mod embeds (the bytes
// the Go runtime hands the kernel), and the package's version.
func moduleTarball(t *testing.T, module, name string) (tarball, version string) {
	t.Helper()
	dir, v := goModule(t, module)
	version = strings.TrimPrefix(v, "v")
	return filepath.Join(dir, "jsii", name+"-"+version+".tgz"), version
}

// TestBundleStandsInForCdktf loads constructs and cdktf into the kernel as
// the Go runtime does and creates an App: cdktf comes from the bundle
// tools/setup made, and only when the kernel's package is exactly the
// tarball it was made from; the App works either way.
func TestBundleStandsInForCdktf(t *testing.T) {
	bundles, err := filepath.Abs(filepath.Join("..", "..", ".gen", "jsii-kernel", "bundles"))
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(bundles, "index.json"))
	if err != nil {
		t.Fatalf("%v (tools/setup writes it)", err)
	}
	// otherKey is a copy of the bundles whose cdktf entry names another
	// tarball's cache key.
	otherKey := func(t *testing.T) string {
		dir := t.TempDir()
		var idx map[string]map[string]any
		if err := json.Unmarshal(index, &idx); err != nil {
			t.Fatal(err)
		}
		idx["cdktf"]["key"] = strings.Repeat("0", 64)
		data, _ := json.Marshal(idx)
		os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644)
		os.Link(filepath.Join(bundles, "cdktf.js"), filepath.Join(dir, "cdktf.js"))
		return dir
	}
	constructsTarball, constructsVersion := moduleTarball(t, "github.com/aws/constructs-go/constructs/v10", "constructs")
	cdktfTarball, cdktfVersion := moduleTarball(t, "github.com/hashicorp/terraform-cdk-go/cdktf", "cdktf")
	used := "cdktf " + cdktfVersion + ": loaded from its bundle"
	const notUsed = "cdktf: not from its bundle"
	tests := []struct {
		name string
		// env is added to the kernel's environment.
		env  func(t *testing.T) []string
		want string // in stderr; "" for neither message
	}{
		{"the bundle of this tarball", func(*testing.T) []string { return nil }, used},
		{"another tarball's bundle", func(t *testing.T) []string { return []string{"JSII_KERNEL_BUNDLE_DIR=" + otherKey(t)} }, notUsed},
		{"jsii's package cache off", func(*testing.T) []string { return []string{"JSII_RUNTIME_PACKAGE_CACHE=disabled"} }, notUsed},
		{"no bundles", func(t *testing.T) []string { return []string{"JSII_KERNEL_BUNDLE_DIR=" + t.TempDir()} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startKernel(t, append([]string{"JSII_DEBUG=1", "JSII_KERNEL_CACHE_DIR=" + t.TempDir()}, tt.env(t)...)...)
			t.Cleanup(func() { s.exit() })
			s.next(t) // hello
			for _, load := range []struct{ name, version, tarball string }{
				{"constructs", constructsVersion, constructsTarball},
				{"cdktf", cdktfVersion, cdktfTarball},
			} {
				req, _ := json.Marshal(map[string]string{"api": "load", "name": load.name, "version": load.version, "tarball": load.tarball})
				if ok, _ := s.request(t, string(req))["ok"].(map[string]any); ok == nil || ok["assembly"] != load.name {
					t.Fatalf("load %s: %v\n%s", load.name, ok, s.stderr.String())
				}
			}
			app := s.request(t, `{"api":"create","fqn":"cdktf.App","args":[{"$jsii.struct":{"fqn":"cdktf.AppConfig","data":{"outdir":"`+t.TempDir()+`"}}}]}`)
			if ok, _ := app["ok"].(map[string]any); ok == nil {
				t.Fatalf("create cdktf.App: %v\n%s", app, s.stderr.String())
			}
			log := s.stderr.String()
			for _, msg := range []string{used, notUsed} {
				if got := strings.Contains(log, msg); got != (msg == tt.want) {
					t.Errorf("stderr has %q: %v, want %v; stderr:\n%s", msg, got, !got, log)
				}
			}
		})
	}
}
