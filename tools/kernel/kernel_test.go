// Package kernel_test checks tools/kernel/kernel, the launcher tools/env
// gives the Go runtime as JSII_RUNTIME: it must start the very kernel that
// go.mod's jsii-runtime-go embeds, and speak its protocol on stdin/stdout
// while anything Node prints goes to stderr.
package kernel_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goModule is a module of go.mod: its directory and version (v1.119.0).
func goModule(t *testing.T, path string) (dir, version string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", path).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", path, err)
	}
	dir, version, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	return dir, version
}

// runtimeModule is go.mod's jsii-runtime-go.
func runtimeModule(t *testing.T) (dir, version string) {
	return goModule(t, "github.com/aws/jsii-runtime-go")
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

// session is a kernel started by the launcher as jsii-runtime-go starts it
// ($SHELL -c), with pipes on its stdin and stdout.
type session struct {
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	responses *bufio.Scanner
	stderr    *bytes.Buffer
}

// startKernel starts the launcher with env added to this environment.
func startKernel(t *testing.T, env ...string) *session {
	t.Helper()
	launcher, err := filepath.Abs("kernel")
	if err != nil {
		t.Fatal(err)
	}
	node, err := filepath.Abs(filepath.Join("..", "..", "node_modules", "node", "bin", "node"))
	if err != nil {
		t.Fatal(err)
	}
	s := &session{cmd: exec.Command("/bin/sh", "-c", "'"+launcher+"'"), stderr: &bytes.Buffer{}}
	s.cmd.Env = append(append(os.Environ(), "JSII_NODE="+node), env...)
	s.cmd.Stderr = s.stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.responses = bufio.NewScanner(stdout)
	s.responses.Buffer(nil, 1<<20)
	return s
}

// next reads the kernel's next response.
func (s *session) next(t *testing.T) map[string]any {
	t.Helper()
	if !s.responses.Scan() {
		t.Fatalf("no response; stderr:\n%s", s.stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(s.responses.Bytes(), &m); err != nil {
		t.Fatalf("response %q: %v", s.responses.Text(), err)
	}
	return m
}

// request sends one request and reads its response.
func (s *session) request(t *testing.T, req string) map[string]any {
	t.Helper()
	if _, err := s.stdin.Write([]byte(req + "\n")); err != nil {
		t.Fatal(err)
	}
	return s.next(t)
}

// exit asks the kernel to exit and waits for it.
func (s *session) exit() error {
	s.stdin.Write([]byte(`{"exit":0}` + "\n"))
	s.stdin.Close()
	return s.cmd.Wait()
}

// TestProtocol starts the launcher as jsii-runtime-go does ($SHELL -c) and
// exchanges the handshake and one request. A preloaded script prints to
// stdout, which must reach stderr, not the protocol.
func TestProtocol(t *testing.T) {
	_, version := runtimeModule(t)
	printer := filepath.Join(t.TempDir(), "print.cjs")
	if err := os.WriteFile(printer, []byte(`console.log("printed by a preload");`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startKernel(t, "NODE_OPTIONS=--require "+printer)
	if hello, want := s.next(t)["hello"], "@jsii/runtime@"+strings.TrimPrefix(version, "v"); hello != want {
		t.Errorf("hello %v, want %s", hello, want)
	}
	if ok, _ := s.request(t, `{"api":"stats"}`)["ok"].(map[string]any); ok == nil || ok["objectCount"] != 0.0 {
		t.Errorf("stats: want {\"ok\":{\"objectCount\":0}}, got %s", s.responses.Text())
	}
	s.stdin.Write([]byte(`{"exit":0}` + "\n"))
	s.stdin.Close()
	for s.responses.Scan() {
		t.Errorf("unexpected output on the protocol channel: %q", s.responses.Text())
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("kernel exit: %v\n%s", err, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), "printed by a preload") {
		t.Errorf("Node's stdout did not reach stderr; stderr:\n%s", s.stderr.String())
	}
}
