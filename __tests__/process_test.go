package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestNoStrayProcesses: after a synth, successful or failed, no process it
// started is left, alive or a zombie, with either kernel launcher; and the
// stock launcher's temporary files are gone. The synth runs in a process
// group of its own, which its children inherit and keep as orphans and
// zombies: right after it exits, /proc must hold no member of that group.
func TestNoStrayProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	launcher, err := filepath.Abs(filepath.Join(root, "tools", "kernel", "kernel"))
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t)
	for _, run := range []struct{ name, runtime, env string }{
		{"tools/kernel/kernel, success", "'" + launcher + "'", "dev"},
		{"tools/kernel/kernel, failure", "'" + launcher + "'", "missing"},
		{"stock, success", "", "dev"},
		{"stock, failure", "", "missing"},
	} {
		t.Run(run.name, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(built(t))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PLATFORM_ENV="+run.env, "JSII_RUNTIME="+run.runtime, "TMPDIR="+tmp)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != (run.env == "missing") {
				t.Fatalf("synth of %s: %v\n%s", run.env, err, out)
			}
			if left := group(t, cmd.Process.Pid); len(left) > 0 {
				t.Errorf("left behind by the synth (pid %d): %s", cmd.Process.Pid, strings.Join(left, "; "))
			}
			if strings.Contains(string(out), "Runtime process exited abnormally") || strings.Contains(string(out), "jsiikernel") {
				t.Errorf("the synth printed about its kernel:\n%s", out)
			}
			if files, _ := os.ReadDir(tmp); len(files) > 0 {
				t.Errorf("the synth left %d files in TMPDIR (%s…)", len(files), files[0].Name())
			}
		})
	}
}

// group lists the processes of a process group: "pid (command) state".
func group(t *testing.T, pgid int) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			out = append(out, fmt.Sprintf("%s %s %s", e.Name(), s[strings.IndexByte(s, '('):i+1], f[0]))
		}
	}
	return out
}
