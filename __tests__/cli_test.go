package tests

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

var binary struct {
	once sync.Once
	path string
	err  error
}

// built compiles the app once, as `make synth` does, with the kernel
// program beside it, where the app looks for it.
func built(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "cdktf-llm-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "cdktf-llm")
		for bin, pkg := range map[string]string{binary.path: root, filepath.Join(dir, "synth-kernel"): root + "/cmd/synth-kernel"} {
			out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
			if err != nil {
				binary.err = &exec.ExitError{Stderr: out}
				return
			}
		}
	})
	if binary.err != nil {
		t.Fatalf("go build: %v", binary.err)
	}
	return binary.path
}

// project makes a throwaway project root with the shipped environments and
// schemas, so a test may write anywhere in it.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{config.Dir, filepath.Dir(tfschema.ProjectFile)} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join(root, sub))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runApp runs the built app in dir and returns its exit code and output.
func runApp(t *testing.T, dir string, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(built(t))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestSynthOutputIsQuiet: a synth says what it wrote and nothing else (no
// Node banner, no deprecation warnings), given the environment the
// Makefile and tools/run set, and writes the same JSON as the in-process
// synth, whether jsii's kernel is started by tools/kernel/kernel (one Node
// process, what tools/env sets) or by jsii-runtime-go's stock launcher (two,
// relaying).
func TestSynthOutputIsQuiet(t *testing.T) {
	t.Parallel() // a synth of its own project, mostly waiting on its kernel
	want := tree(t, shipped.dir)
	launcher, err := filepath.Abs(filepath.Join(root, "tools", "kernel", "kernel"))
	if err != nil {
		t.Fatal(err)
	}
	for name, runtime := range map[string]string{
		"tools/kernel/kernel": "'" + launcher + "'",
		"stock":               "",
	} {
		t.Run(name, func(t *testing.T) {
			dir := project(t)
			// TMPDIR: the test's own; TestNoStrayProcesses checks that the
			// kernel's files there are gone after the synth.
			code, out := runApp(t, dir, "PLATFORM_ENV=dev,prod", "JSII_RUNTIME="+runtime, "TMPDIR="+t.TempDir())
			if quiet := "synthesized base-dev and apps-dev\nsynthesized base-prod and apps-prod\n"; code != 0 || out != quiet {
				t.Fatalf("exit %d, output:\n%s\nwant exactly:\n%s", code, out, quiet)
			}
			sameTree(t, tree(t, filepath.Join(dir, "cdktf.out")), want, "against the in-process synth")
		})
	}
}

// TestContextChoosesEnvironments: without PLATFORM_ENV, the cdktf context
// (cdktf.json's "environments", passed by the CLI as CDKTF_CONTEXT_JSON) does.
func TestContextChoosesEnvironments(t *testing.T) {
	dir := project(t)
	code, out := runApp(t, dir, "PLATFORM_ENV=", `CDKTF_CONTEXT_JSON={"environments":"prod"}`)
	if code != 0 || out != "synthesized base-prod and apps-prod\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestSecretsNeverWritten passes sentinel secrets every way there is: the
// TF_VAR_* variables, a secrets tfvars file and a config file. None may
// reach cdktf.out, any other file, or the output.
func TestSecretsNeverWritten(t *testing.T) {
	dir := project(t)
	var env []string
	var tfvars strings.Builder
	var sentinels []string
	for _, s := range config.Secrets {
		v := "SENTINEL-" + s.Variable + "-4f9d2c"
		sentinels = append(sentinels, v)
		env = append(env, "TF_VAR_"+s.Variable+"="+v)
		tfvars.WriteString(s.Variable + " = \"" + v + "\"\n")
	}
	secretsFile := filepath.Join(dir, "secrets", "dev.tfvars")
	if err := os.MkdirAll(filepath.Dir(secretsFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretsFile, []byte(tfvars.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runApp(t, dir, append(env, "PLATFORM_ENV=all")...)
	if code != 0 {
		t.Fatalf("synth failed: %s", out)
	}
	// A secret written into a config file is refused without being echoed.
	leak := filepath.Join(dir, config.Dir, "leak.yaml")
	if err := os.WriteFile(leak, []byte("librechat:\n  jwtSecret: "+sentinels[0]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, refused := runApp(t, dir, append(env, "PLATFORM_ENV=leak")...)
	if code == 0 || !strings.Contains(refused, "secrets are not read from config files") {
		t.Errorf("a secret in a config file was not refused (exit %d):\n%s", code, refused)
	}
	for _, s := range sentinels {
		if strings.Contains(out+refused, s) {
			t.Errorf("the output shows %s", s)
		}
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == secretsFile || p == leak {
			return err
		}
		data, err := os.ReadFile(p)
		for _, s := range sentinels {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %s", p, s)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedSynthLeavesOutputAlone: a config error and a schema error each
// exit non-zero with the problems and leave the previous cdktf.out as it was.
func TestFailedSynthLeavesOutputAlone(t *testing.T) {
	dir := project(t)
	if code, out := runApp(t, dir, "PLATFORM_ENV=dev"); code != 0 {
		t.Fatalf("first synth failed: %s", out)
	}
	before := tree(t, filepath.Join(dir, "cdktf.out"))

	if err := os.WriteFile(filepath.Join(dir, config.Dir, "broken.yaml"), []byte("ollama:\n  persistence: {size: 4GB}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runApp(t, dir, "PLATFORM_ENV=dev,broken")
	if code == 0 || !strings.Contains(out, `envs/broken.yaml:2: ollama.persistence.size: "4GB" is not a Kubernetes quantity`) {
		t.Errorf("config error: exit %d, output:\n%s", code, out)
	}

	// Schemas without helm: Terraform would reject the apps stacks.
	schemas := filepath.Join(dir, tfschema.ProjectFile)
	if err := os.WriteFile(schemas, withoutProvider(t, schemas, "registry.terraform.io/hashicorp/helm"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runApp(t, dir, "PLATFORM_ENV=dev")
	if code == 0 || !strings.Contains(out, "problems against the provider schemas") || !strings.Contains(out, "apps-dev: ") {
		t.Errorf("schema error: exit %d, output:\n%s", code, out)
	}

	sameTree(t, tree(t, filepath.Join(dir, "cdktf.out")), before, "cdktf.out after the failed synths")
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".cdktf.out.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

// withoutProvider returns a gzipped schema file without one provider.
func withoutProvider(t *testing.T, path, provider string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(schemaJSON(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["provider_schemas"].(map[string]any), provider)
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if err := json.NewEncoder(w).Encode(doc); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

// TestCdktfSynthParity: `cdktf synth` (the CLI, running cdktf.json's app)
// writes the same JSON as the direct path.
func TestCdktfSynthParity(t *testing.T) {
	t.Parallel() // a synth of its own project, mostly waiting on its kernel
	cli, err := filepath.Abs(filepath.Join(root, "node_modules", ".bin", "cdktf"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cdktf.out")
	cmd := exec.Command(cli, "synth", "--output", out)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PLATFORM_ENV=all", "CI=1", "CHECKPOINT_DISABLE=1", "DISABLE_VERSION_CHECK=1",
		"PATH="+filepath.Dir(cli)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdktf synth: %v\n%s", err, log)
	}
	sameTree(t, tree(t, out), tree(t, shipped.dir), "cdktf synth against the direct path")
}
