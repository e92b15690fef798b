package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cdktfCLI is the cdktf CLI of package-lock.json with a project folder of
// its own (holding cdktf.json, where `deploy` and friends run) and the
// environment the tests give it: PLATFORM_ENV=all, no telemetry, the CLI's
// folder first on PATH.
type cdktfCLI struct {
	path, project string
	env           []string
}

func newCdktfCLI(t *testing.T, env ...string) *cdktfCLI {
	t.Helper()
	cli, err := filepath.Abs(filepath.Join(root, "node_modules", ".bin", "cdktf"))
	if err != nil {
		t.Fatal(err)
	}
	proj := t.TempDir()
	if err := os.WriteFile(filepath.Join(proj, "cdktf.json"), []byte(readFile(t, "cdktf.json")), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cdktfCLI{path: cli, project: proj}
	c.env = append(append(os.Environ(), "PLATFORM_ENV=all", "CI=1", "CHECKPOINT_DISABLE=1", "DISABLE_VERSION_CHECK=1"), env...)
	c.onPath(filepath.Dir(cli))
	return c
}

// onPath puts dir first on the CLI's PATH.
func (c *cdktfCLI) onPath(dir string) {
	path := os.Getenv("PATH")
	for _, e := range c.env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	c.env = append(c.env, "PATH="+dir+string(os.PathListSeparator)+path)
}

// run runs the CLI in dir (the project root for synth, which runs
// cdktf.json's app there; c.project for the rest) and fails the test when
// it fails.
func (c *cdktfCLI) run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(c.path, args...)
	cmd.Dir, cmd.Env = dir, c.env
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdktf %v: %v\n%s", args, err, log)
	}
}

// fakeTerraform puts on the CLI's PATH a terraform that only notes, in the
// returned file, the folder it ran in, its command and the folder's files.
func (c *cdktfCLI) fakeTerraform(t *testing.T) (calls string) {
	t.Helper()
	bin := t.TempDir()
	calls = filepath.Join(t.TempDir(), "calls")
	fake := "#!/bin/sh\necho \"${PWD##*/} $1 $(ls | tr '\\n' ' ')\" >> " + calls + "\ncase \"$1\" in version) echo '{\"terraform_version\":\"1.14.0\"}';; output) echo '{}';; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	c.onPath(bin)
	return calls
}

// deploy runs `cdktf deploy` of the stacks on what the last synth wrote,
// with a terraform that only notes what it was asked (fakeTerraform), and
// returns those notes.
func (c *cdktfCLI) deploy(t *testing.T, stacks ...string) string {
	t.Helper()
	calls := c.fakeTerraform(t)
	c.run(t, c.project, append(append([]string{"deploy"}, stacks...), "--skip-synth", "--skip-provider-lock", "--auto-approve")...)
	log, _ := os.ReadFile(calls)
	return string(log)
}
