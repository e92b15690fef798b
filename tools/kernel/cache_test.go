package kernel_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// nodeWithCache runs script in the pinned Node with cache.cjs preloaded, its
// slots and compile cache below dir, and returns what it printed.
func nodeWithCache(t *testing.T, dir, script string, env ...string) string {
	t.Helper()
	preload, err := filepath.Abs("cache.cjs")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join("..", "..", "node_modules", "node", "bin", "node"), "--require", preload, "-e", script)
	cmd.Env = append(append(os.Environ(), "JSII_KERNEL_CACHE_DIR="+dir), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestKernelFolderRepeats: the kernel's folder for its packages is a slot
// that a later kernel gets again, never one another kernel holds; the
// compile cache is on only with a slot; an unused slot is freed at exit.
func TestKernelFolderRepeats(t *testing.T) {
	const mkdtemp = `const fs = require("fs"), os = require("os"), path = require("path");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jsii-kernel-"));
const other = fs.mkdtempSync(path.join(os.tmpdir(), "jsii-kernel-"));
fs.rmdirSync(other);
console.log(dir, require("module").getCompileCacheDir() || "no-cache");`
	dir := t.TempDir()
	slot0 := filepath.Join(dir, "slots", "0")
	tests := []struct {
		name, script string
		env          []string
		setup        func(t *testing.T)
		want         func(out string) bool
		left         bool // the slot stays: the kernel removes its folder, not this script
	}{
		{"the first free slot, with the compile cache", mkdtemp, nil, nil,
			func(out string) bool { return strings.HasPrefix(out, slot0+" "+filepath.Join(dir, "compile-cache")) }, true},
		{"a slot held by another kernel is passed over", mkdtemp, nil,
			func(t *testing.T) { os.MkdirAll(slot0, 0o755) },
			func(out string) bool { return strings.HasPrefix(out, filepath.Join(dir, "slots", "1")+" ") }, true},
		{"no slot free: a temporary folder, no compile cache", mkdtemp, nil,
			func(t *testing.T) {
				for i := 0; i < 8; i++ {
					os.MkdirAll(filepath.Join(dir, "slots", strconv.Itoa(i)), 0o755)
				}
			},
			func(out string) bool {
				return strings.HasSuffix(out, " no-cache") && !strings.HasPrefix(out, filepath.Join(dir, "slots"))
			}, false},
		{"NODE_DISABLE_COMPILE_CACHE: as without the preload", mkdtemp, []string{"NODE_DISABLE_COMPILE_CACHE=1"}, nil,
			func(out string) bool { return strings.HasSuffix(out, " no-cache") }, false},
		{"a slot never used is freed", `console.log("done")`, nil, nil,
			func(out string) bool { return out == "done" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(filepath.Join(dir, "slots"))
			if tc.setup != nil {
				tc.setup(t)
			}
			before, _ := os.ReadDir(filepath.Join(dir, "slots"))
			out := nodeWithCache(t, dir, tc.script, tc.env...)
			if !tc.want(out) {
				t.Errorf("printed %q", out)
			}
			after, _ := os.ReadDir(filepath.Join(dir, "slots"))
			if left := len(after) - len(before); left != map[bool]int{true: 1, false: 0}[tc.left] {
				t.Errorf("%d slots taken and not given back; want %v", left, tc.left)
			}
		})
	}
}
