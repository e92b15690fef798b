package tests

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/kernelsynth"
	"github.com/llm-platform/cdktf-llm/multisynth"
	"github.com/llm-platform/cdktf-llm/multisynth/inprocess"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/synthstamp"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// copyDir copies the files and folders below src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// generatedProject is a project root with n copies of envs/dev.yaml (t01,
// t02, …), the schemas and a copy of this project's chart cache.
func generatedProject(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	dev := readFile(t, filepath.Join(config.Dir, "dev.yaml"))
	if err := os.MkdirAll(filepath.Join(dir, config.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(dir, config.Dir, fmt.Sprintf("t%02d.yaml", i)), []byte(dev), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyLock(t, dir)
	copyDir(t, filepath.Join(root, filepath.Dir(tfschema.ProjectFile)), filepath.Join(dir, filepath.Dir(tfschema.ProjectFile)))
	copyDir(t, filepath.Join(root, ".charts"), filepath.Join(dir, ".charts"))
	return dir
}

// serialSynth is platform.Synth, in this process, of the environments of a
// project root: what a single synth writes.
func serialSynth(t *testing.T, dir, environments string) map[string][]byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cdktf.out")
	if _, err := inprocess.Synth(platform.Options{Root: dir, Outdir: out, Environments: environments}); err != nil {
		t.Fatal(err)
	}
	return tree(t, out)
}

// kernels gives a JSII_RUNTIME that starts jsii's kernel as tools/env does,
// after noting the pid of the process that started it, and a function that
// returns those pids.
func kernels(t *testing.T) (runtime string, parents func() []int) {
	t.Helper()
	launcher, err := filepath.Abs(filepath.Join(root, "tools", "kernel", "kernel"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log, wrapper := filepath.Join(dir, "parents"), filepath.Join(dir, "kernel")
	script := fmt.Sprintf("#!/bin/sh\necho $PPID >> '%s'\nexec '%s'\n", log, launcher)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return "JSII_RUNTIME='" + wrapper + "'", func() []int {
		data, _ := os.ReadFile(log)
		var pids []int
		for _, f := range strings.Fields(string(data)) {
			pid, _ := strconv.Atoi(f)
			pids = append(pids, pid)
		}
		return pids
	}
}

// lines is what the app prints for environments it synthesized.
func lines(what string, envs ...string) string {
	var b strings.Builder
	for _, e := range envs {
		fmt.Fprintf(&b, "%s base-%s and apps-%s\n", what, e, e)
	}
	return b.String()
}

// TestParallelSynthIsByteIdentical: environments synthesized in worker
// processes and merged give the very files one synth of all of them gives,
// manifest.json included: for the shipped environments, for 16 generated
// ones, and as HCL.
func TestParallelSynthIsByteIdentical(t *testing.T) {
	t.Parallel() // a synth of its own project, mostly waiting on its kernel
	var sixteen []string
	for i := 1; i <= 16; i++ {
		sixteen = append(sixteen, fmt.Sprintf("t%02d", i))
	}
	tests := []struct {
		name    string
		project func(t *testing.T) string
		env     []string
		output  string
		want    func(t *testing.T, dir string) map[string][]byte
	}{
		{"shipped environments", project, nil, lines("synthesized", environments(t)...),
			func(*testing.T, string) map[string][]byte { return tree(t, shipped.dir) }},
		{"16 generated environments", func(t *testing.T) string { return generatedProject(t, 16) }, nil, lines("synthesized", sixteen...),
			func(t *testing.T, dir string) map[string][]byte { return serialSynth(t, dir, "all") }},
		{"shipped environments as HCL", project, []string{platform.HCLEnvVar + "=true"}, lines("synthesized (HCL)", environments(t)...),
			func(t *testing.T, _ string) map[string][]byte {
				dir := project(t)
				if code, out := runApp(t, dir, "PLATFORM_ENV=all", multisynth.JobsVar+"=1", platform.HCLEnvVar+"=true"); code != 0 {
					t.Fatalf("single HCL synth: %s", out)
				}
				return tree(t, filepath.Join(dir, "cdktf.out"))
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.project(t)
			want := tc.want(t, dir)
			runtime, parents := kernels(t)
			code, out := runApp(t, dir, append(tc.env, "PLATFORM_ENV=all", multisynth.JobsVar+"=2", runtime)...)
			if code != 0 || out != tc.output {
				t.Fatalf("exit %d, output:\n%s\nwant:\n%s", code, out, tc.output)
			}
			if p := parents(); len(p) != 2 || p[0] == p[1] {
				t.Errorf("kernels started by %v; want one in each of 2 workers", p)
			}
			sameTree(t, tree(t, filepath.Join(dir, "cdktf.out")), want, "merged from 2 workers against one synth")
		})
	}
}

// TestWorkersLeaveNothingBehind: a synth in workers starts no kernel in the
// process that starts the workers, and leaves no process, alive or a
// zombie; a failure in a worker fails the synth with the worker's error and
// leaves cdktf.out as it was.
func TestWorkersLeaveNothingBehind(t *testing.T) {
	dir := project(t)
	run := func(t *testing.T) (*exec.Cmd, string, []int) {
		t.Helper()
		runtime, parents := kernels(t)
		cmd := exec.Command(built(t))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PLATFORM_ENV=all", multisynth.JobsVar+"=2", runtime)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, _ := cmd.CombinedOutput()
		if left := group(t, cmd.Process.Pid); len(left) > 0 {
			t.Errorf("left behind by the synth (pid %d): %s", cmd.Process.Pid, strings.Join(left, "; "))
		}
		p := parents()
		if slices.Contains(p, cmd.Process.Pid) {
			t.Errorf("the coordinator (pid %d) started a kernel of its own; kernels were started by %v", cmd.Process.Pid, p)
		}
		return cmd, string(out), p
	}
	t.Run("success", func(t *testing.T) {
		cmd, out, p := run(t)
		if !cmd.ProcessState.Success() || len(p) != 2 {
			t.Fatalf("exit %v, %d kernels, output:\n%s", cmd.ProcessState, len(p), out)
		}
	})
	t.Run("a worker fails", func(t *testing.T) {
		before := tree(t, filepath.Join(dir, "cdktf.out"))
		schemas := filepath.Join(dir, tfschema.ProjectFile)
		good, err := os.ReadFile(schemas)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(schemas, good, 0o644)
		if err := os.WriteFile(schemas, withoutProvider(t, schemas, "registry.terraform.io/hashicorp/helm"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd, out, _ := run(t)
		if cmd.ProcessState.Success() || !strings.HasPrefix(out, "synth failed, nothing written:\n") ||
			!strings.Contains(out, "apps-dev: ") || !strings.Contains(out, "apps-prod: ") {
			t.Errorf("exit %v, output:\n%s\nwant the schema problems of both workers", cmd.ProcessState, out)
		}
		sameTree(t, tree(t, filepath.Join(dir, "cdktf.out")), before, "cdktf.out after a failed worker")
		if leftovers, _ := filepath.Glob(filepath.Join(dir, ".cdktf.out.tmp-*")); len(leftovers) > 0 {
			t.Errorf("temporary folders left behind: %v", leftovers)
		}
	})
}

// TestCdktfCLIWithWorkers: `cdktf synth` runs the app, which splits the
// environments over workers, and `cdktf deploy` reads the merged manifest.
func TestCdktfCLIWithWorkers(t *testing.T) {
	t.Parallel() // a synth of its own project, mostly waiting on its kernel
	cli := newCdktfCLI(t, multisynth.JobsVar+"=2")
	out := filepath.Join(cli.project, "cdktf.out")
	cli.run(t, root, "synth", "--output", out)
	sameTree(t, tree(t, out), tree(t, shipped.dir), "cdktf synth in workers against one synth")

	log := cli.deploy(t, "base-prod", "apps-prod")
	for _, stack := range []string{"base-prod", "apps-prod"} {
		if !strings.Contains(log, stack+" apply cdk.tf.json") {
			t.Errorf("terraform apply did not run in %s:\n%s", stack, log)
		}
	}
}

// TestOnlyWhatChangedIsSynthesized: a re-synth with nothing changed writes
// nothing; each input that matters makes what depends on it synthesized
// again, and only that; and whatever changed, the output is what a single
// synth of the same inputs writes: a stale result is never kept.
func TestOnlyWhatChangedIsSynthesized(t *testing.T) {
	base := t.TempDir()
	copyDir(t, filepath.Join(root, config.Dir), filepath.Join(base, config.Dir))
	copyDir(t, filepath.Join(root, filepath.Dir(tfschema.ProjectFile)), filepath.Join(base, filepath.Dir(tfschema.ProjectFile)))
	copyDir(t, filepath.Join(root, ".charts"), filepath.Join(base, ".charts"))
	for _, lock := range synthstamp.Locks {
		copyFile(t, filepath.Join(root, lock), filepath.Join(base, lock))
	}
	// The program's code, as the stamp sees it: a stand-in file.
	if err := os.WriteFile(filepath.Join(base, "app"), []byte("code v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	synth := func(t *testing.T, dir string, envs string) multisynth.Output {
		t.Helper()
		out, err := multisynth.Synth(multisynth.Config{
			Options:    platform.Options{Root: dir, Outdir: filepath.Join(dir, "cdktf.out"), Environments: envs},
			Executable: filepath.Join(dir, "app"),
			InProcess:  kernelsynth.Run,
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := synth(t, base, "dev,prod"); len(out.Unchanged) > 0 || out.UpToDate {
		t.Fatalf("first synth: %+v; want everything synthesized", out)
	}
	first := tree(t, filepath.Join(base, "cdktf.out"))
	sameTree(t, first, tree(t, shipped.dir), "the first synth against one synth")

	edit := func(file string, f func([]byte) []byte) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			p := filepath.Join(dir, file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendText := func(s string) func([]byte) []byte { return func(b []byte) []byte { return append(b, s...) } }
	tests := []struct {
		name        string
		envs        string
		change      func(t *testing.T, dir string)
		synthesized []string // the rest is unchanged
		upToDate    bool
		// want is the output a single synth of the changed inputs writes;
		// nil: the first synth's.
		want func(t *testing.T, dir string) map[string][]byte
	}{
		{name: "nothing", change: func(*testing.T, string) {}, upToDate: true},
		{name: "a config value", change: edit("envs/dev.yaml", func(b []byte) []byte {
			return []byte(strings.Replace(string(b), "models: [llama3.2:1b]", "models: [llama3.2:1b, qwen2.5:0.5b]", 1))
		}), synthesized: []string{"dev"}, want: func(t *testing.T, dir string) map[string][]byte { return serialSynth(t, dir, "dev,prod") }},
		{name: "the code", change: edit("app", appendText(", v2")), synthesized: []string{"dev", "prod"}},
		{name: "package-lock.json", change: edit("package-lock.json", appendText("\n")), synthesized: []string{"dev", "prod"}},
		{name: "go.sum", change: edit("go.sum", appendText("\n")), synthesized: []string{"dev", "prod"}},
		{name: "the schemas", change: edit(tfschema.ProjectFile, regzip), synthesized: []string{"dev", "prod"}},
		{name: "the chart lock", change: edit("envs/charts.lock", appendText("\n")), synthesized: []string{"dev", "prod"}},
		{name: "an archive only apps-prod carries", change: edit("cdktf.out/stacks/apps-prod/charts/nvidia-device-plugin-0.20.0.tgz", regzip), synthesized: []string{"prod"}},
		// The cache is no input: the lock decides the bytes.
		{name: "the chart cache", change: edit(".charts/nvidia-device-plugin-0.20.0.tgz", regzip), upToDate: true},
		{name: "a stack edited in cdktf.out", change: edit("cdktf.out/stacks/apps-prod/cdk.tf.json", appendText(" ")), synthesized: []string{"prod"}},
		{name: "a manifest removed from cdktf.out", change: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "cdktf.out", "manifests", "dev", "ollama.yaml"))
		}, synthesized: []string{"dev"}},
		{name: "manifest.json edited", change: edit("cdktf.out/manifest.json", appendText(" ")), synthesized: []string{"dev", "prod"}},
		{name: "a stray file in cdktf.out", change: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "cdktf.out", "notes.txt"), nil, 0o644)
		}},
		{name: "an environment fewer", envs: "prod", change: func(*testing.T, string) {},
			want: func(t *testing.T, dir string) map[string][]byte { return serialSynth(t, dir, "prod") }},
		{name: "the cdktf context", change: func(t *testing.T, _ string) {
			t.Setenv(multisynth.ContextVar, `{"unrelated":"value"}`)
		}, synthesized: []string{"dev", "prod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, base, dir)
			outdir := filepath.Join(dir, "cdktf.out")
			before, err := os.Stat(outdir)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(t, dir)
			envs := "dev,prod"
			if tc.envs != "" {
				envs = tc.envs
			}
			out := synth(t, dir, envs)
			var synthesized []string
			for _, e := range out.Environments {
				if !out.Unchanged[e] {
					synthesized = append(synthesized, e)
				}
			}
			if !slices.Equal(synthesized, tc.synthesized) || out.UpToDate != tc.upToDate {
				t.Errorf("synthesized %v, up to date %v; want %v, %v", synthesized, out.UpToDate, tc.synthesized, tc.upToDate)
			}
			after, err := os.Stat(outdir)
			if err != nil {
				t.Fatal(err)
			}
			if replaced := !os.SameFile(before, after); replaced == tc.upToDate {
				t.Errorf("cdktf.out replaced: %v; want it rewritten only when not up to date", replaced)
			}
			want := first
			if tc.want != nil {
				want = tc.want(t, dir)
			}
			sameTree(t, tree(t, outdir), want, "after the re-synth against one synth of the same inputs")
			if again := synth(t, dir, envs); !again.UpToDate {
				t.Errorf("the next synth is not up to date: %+v", again)
			}
		})
	}
}

// regzip recompresses gzipped data at another level: other bytes, the same
// content.
func regzip(data []byte) []byte {
	r, err := gzip.NewReader(strings.NewReader(string(data)))
	if err != nil {
		panic(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	w, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	w.Write(plain)
	w.Close()
	return []byte(b.String())
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
