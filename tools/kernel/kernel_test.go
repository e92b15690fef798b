// Package kernel_test checks tools/kernel/kernel, the launcher tools/env
// gives the Go runtime as JSII_RUNTIME: it must start the very kernel that
// go.mod's jsii-runtime-go embeds, and speak its protocol on stdin/stdout
// while anything Node prints goes to stderr.
package kernel_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runtimeModule is go.mod's jsii-runtime-go: its directory and version.
func runtimeModule(t *testing.T) (dir, version string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir, version, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	return dir, version
}

func TestKernelIsTheGoRuntimes(t *testing.T) {
	dir, _ := runtimeModule(t)
	want, err := os.ReadFile(filepath.Join(dir, "internal", "embedded", "resources", "lib", "program.js"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", ".gen", "jsii-kernel", "program.js"))
	if err != nil {
		t.Fatalf("%v (tools/setup copies it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Error(".gen/jsii-kernel/program.js differs from the kernel jsii-runtime-go embeds; run tools/setup")
	}
}

// TestProtocol starts the launcher as jsii-runtime-go does ($SHELL -c) and
// exchanges the handshake and one request. A preloaded script prints to
// stdout, which must reach stderr, not the protocol.
func TestProtocol(t *testing.T) {
	_, version := runtimeModule(t)
	launcher, err := filepath.Abs("kernel")
	if err != nil {
		t.Fatal(err)
	}
	node, err := filepath.Abs(filepath.Join("..", "..", "node_modules", "node", "bin", "node"))
	if err != nil {
		t.Fatal(err)
	}
	printer := filepath.Join(t.TempDir(), "print.cjs")
	if err := os.WriteFile(printer, []byte(`console.log("printed by a preload");`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "'"+launcher+"'")
	cmd.Env = append(os.Environ(), "JSII_NODE="+node, "NODE_OPTIONS=--require "+printer)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	responses := bufio.NewScanner(stdout)
	next := func() map[string]any {
		t.Helper()
		if !responses.Scan() {
			t.Fatalf("no response; stderr:\n%s", stderr.String())
		}
		var m map[string]any
		if err := json.Unmarshal(responses.Bytes(), &m); err != nil {
			t.Fatalf("response %q: %v", responses.Text(), err)
		}
		return m
	}
	if hello, want := next()["hello"], "@jsii/runtime@"+strings.TrimPrefix(version, "v"); hello != want {
		t.Errorf("hello %v, want %s", hello, want)
	}
	if _, err := stdin.Write([]byte(`{"api":"stats"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := next()["ok"].(map[string]any); ok == nil || ok["objectCount"] != 0.0 {
		t.Errorf("stats: want {\"ok\":{\"objectCount\":0}}, got %s", responses.Text())
	}
	stdin.Write([]byte(`{"exit":0}` + "\n"))
	stdin.Close()
	for responses.Scan() {
		t.Errorf("unexpected output on the protocol channel: %q", responses.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("kernel exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "printed by a preload") {
		t.Errorf("Node's stdout did not reach stderr; stderr:\n%s", stderr.String())
	}
}
