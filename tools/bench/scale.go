package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// scales are the numbers of generated environments measured.
var scales = []int{1, 4, 16, 64}

// scaleRow is one number of generated environments, synthesized by one
// process and by the default split over workers (and by the -before
// program, when given).
type scaleRow struct {
	n                        int
	serial, split, before    series
	workers                  int
	serialMarginal, marginal time.Duration // per environment beyond the first
}

// generatedProject writes a project root of n copies of envs/dev.yaml
// (t01, …), the schemas and the chart lock; its chart cache fills from the project's
// (CHARTS_DIR) in the dropped first round.
func generatedProject(root, dir string, n int) error {
	dev, err := os.ReadFile(filepath.Join(root, "envs", "dev.yaml"))
	if err != nil {
		return err
	}
	for _, sub := range []string{"envs", "schemas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(dir, "envs", fmt.Sprintf("t%02d.yaml", i)), dev, 0o644); err != nil {
			return err
		}
	}
	for _, f := range []string{filepath.Join("schemas", "providers-schema.json.gz"), filepath.Join("envs", "charts.lock")} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// synthOnce runs the app in dir with nothing to reuse: the stamp of the
// last synth (synthstamp) is removed first, so every environment is made.
// Its memory is sampled every sample (measure).
func synthOnce(dir string, env []string, sample time.Duration, app string) (measurement, error) {
	if err := os.Remove(filepath.Join(dir, ".cdktf.out.stamp.json")); err != nil && !os.IsNotExist(err) {
		return measurement{}, err
	}
	return measure(dir, env, sample, app)
}

// platformScale synthesizes 1, 4, 16 and 64 generated environments, each
// by one process (SYNTH_JOBS=1) and split over workers as the app chooses
// by default, and a re-synth of the 64 with nothing changed.
func platformScale(root, work string, env []string, app string, before previous, runs int) ([]scaleRow, []figure, error) {
	env = append(env, "PLATFORM_ENV=all", "CHARTS_DIR="+chartSource(root))
	var rows []scaleRow
	var figs []figure
	var last string
	for _, n := range scales {
		dir := filepath.Join(work, fmt.Sprintf("envs-%d", n))
		if err := generatedProject(root, dir, n); err != nil {
			return nil, nil, err
		}
		row := scaleRow{n: n}
		for i := 0; i < rounds(runs); i++ {
			for _, r := range []struct {
				s        *series
				app, env string
			}{
				{&row.serial, app, "SYNTH_JOBS=1"},
				{&row.split, app, "SYNTH_JOBS="},
				{&row.before, before.app, before.runtime},
			} {
				if r.app == "" {
					continue
				}
				m, err := synthOnce(dir, append(env, r.env), sampling(i, runs), r.app)
				if err != nil {
					return nil, nil, fmt.Errorf("%d environments, %s: %w", n, r.env, err)
				}
				r.s.record(i, runs, m)
			}
		}
		row.workers = workersOf(root, dir, env, app)
		rows = append(rows, row)
		last = dir
	}
	one := rows[0]
	for i := range rows {
		if rows[i].n > 1 {
			rows[i].serialMarginal = (rows[i].serial.median() - one.serial.median()) / time.Duration(rows[i].n-1)
			rows[i].marginal = (rows[i].split.median() - one.split.median()) / time.Duration(rows[i].n-1)
		}
	}
	var peak int64
	for _, r := range rows {
		peak = max(peak, r.split.peak, r.serial.peak)
	}
	var sixteen, sixtyFour scaleRow
	for _, r := range rows {
		switch r.n {
		case 16:
			sixteen = r
		case 64:
			sixtyFour = r
		}
	}
	ratio := sixteen.split.ratio(sixteen.serial)
	figs = append(figs,
		sixteen.split.figure("16 generated environments, split", "≤ 0.6 × one process", ratio <= 0.6,
			fmt.Sprintf("ratio %.2f: %.2fs in %d workers against %.2fs in one process", ratio, sixteen.split.median().Seconds(), sixteen.workers, sixteen.serial.median().Seconds())),
		sixtyFour.split.figure("64 generated environments, split", "≤ 4 s", sixtyFour.split.median() <= 4*time.Second,
			fmt.Sprintf("%d workers; %.0f ms per environment beyond the first", sixtyFour.workers, float64(sixtyFour.marginal.Microseconds())/1000)),
		figure{name: "generated environments, peak memory", wall: -1, rss: peak, target: "≤ 1.5 GB", ok: peak <= 1500<<20, note: "all processes together, the largest of every run above"},
	)

	// A re-synth with nothing changed: the 64, then the shipped ones.
	var unchanged64 series
	for i := 0; i < rounds(runs); i++ { // the first writes the stamp
		m, err := measure(last, env, sampling(i, runs), app)
		if err != nil {
			return nil, nil, err
		}
		unchanged64.record(i, runs, m)
	}
	if out := output(last, env, app); !strings.Contains(out, "up to date: nothing written") {
		return nil, nil, fmt.Errorf("a re-synth of unchanged inputs wrote something:\n%s", out)
	}
	figs = append(figs, unchanged64.figure("re-synth, nothing changed (64 environments)", "≤ 0.1 s", unchanged64.median() <= 100*time.Millisecond, "inputs and cdktf.out fingerprinted; nothing written"))
	return rows, figs, nil
}

// workersOf is how many kernel processes the app starts for the
// environments of dir by default, when more than one: the number of jsii
// kernels started (each by its own kernel process); 0 for one.
func workersOf(root, dir string, env []string, app string) int {
	log := filepath.Join(dir, "kernels")
	os.Remove(log)
	launcher := kernelLauncher(root)
	wrapper := filepath.Join(dir, "kernel-wrapper")
	script := fmt.Sprintf("#!/bin/sh\necho $PPID >> '%s'\nexec '%s'\n", log, launcher)
	if os.WriteFile(wrapper, []byte(script), 0o755) != nil {
		return 0
	}
	cmd := exec.Command(app)
	cmd.Dir, cmd.Env = dir, append(env, "SYNTH_JOBS=", "JSII_RUNTIME='"+wrapper+"'")
	os.Remove(filepath.Join(dir, ".cdktf.out.stamp.json"))
	if cmd.Run() != nil {
		return 0
	}
	data, _ := os.ReadFile(log)
	parents := strings.Fields(string(data))
	if len(parents) <= 1 {
		return 0 // one kernel process: no split
	}
	return len(parents)
}

// output runs the app and returns what it printed.
func output(dir string, env []string, app string) string {
	cmd := exec.Command(app)
	cmd.Dir, cmd.Env = dir, env
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// printScale prints the generated environments side by side.
func printScale(rows []scaleRow, before bool) {
	fmt.Printf("\n%-6s %11s %11s %8s %7s %11s %11s %9s", "ENVS", "ONE PROC", "SPLIT", "WORKERS", "RATIO", "MARGINAL/1", "MARGINAL/N", "PEAK MEM")
	if before {
		fmt.Printf(" %11s", "BEFORE")
	}
	fmt.Println()
	for _, r := range rows {
		marginal := func(d time.Duration) string {
			if r.n == 1 {
				return "-"
			}
			return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
		}
		fmt.Printf("%-6d %10.2fs %10.2fs %8d %7.2f %11s %11s %6d MB", r.n, r.serial.median().Seconds(), r.split.median().Seconds(),
			r.workers, r.split.ratio(r.serial), marginal(r.serialMarginal), marginal(r.marginal), max(r.serial.peak, r.split.peak)>>20)
		if before {
			fmt.Printf(" %10.2fs", r.before.median().Seconds())
		}
		fmt.Println()
	}
	fmt.Println("ONE PROC: SYNTH_JOBS=1; SPLIT: the default (workers only where they pay); MARGINAL: per environment beyond the first")
}

// previous is the app as of another git revision, with that revision's
// kernel launcher.
type previous struct {
	app, runtime string
}

// buildRevision builds the app as of rev (git archive, with this tree's
// node_modules and generated bindings) below work.
func buildRevision(root, work, rev string) (previous, error) {
	src := filepath.Join(work, "before-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return previous{}, err
	}
	archive := exec.Command("sh", "-c", fmt.Sprintf("git archive --format=tar %s | tar -x -C '%s'", rev, src))
	archive.Dir = root
	if out, err := archive.CombinedOutput(); err != nil {
		return previous{}, fmt.Errorf("git archive %s: %v\n%s", rev, err, out)
	}
	if err := os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(src, "node_modules")); err != nil {
		return previous{}, err
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(root, ".gen"), filepath.Join(src, ".gen")).CombinedOutput(); err != nil {
		return previous{}, fmt.Errorf("copy .gen: %v\n%s", err, out)
	}
	// In a folder of its own: since issue 18 the app starts the kernel
	// program beside it.
	if err := os.MkdirAll(filepath.Join(work, "before"), 0o755); err != nil {
		return previous{}, err
	}
	app := filepath.Join(work, "before", "cdktf-llm")
	build := exec.Command("go", "build", "-o", app, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return previous{}, fmt.Errorf("go build at %s: %v\n%s", rev, err, out)
	}
	if _, err := os.Stat(filepath.Join(src, "cmd", "synth-kernel")); err == nil {
		build := exec.Command("go", "build", "-o", filepath.Join(work, "before", "synth-kernel"), "./cmd/synth-kernel")
		build.Dir = src
		if out, err := build.CombinedOutput(); err != nil {
			return previous{}, fmt.Errorf("go build ./cmd/synth-kernel at %s: %v\n%s", rev, err, out)
		}
	}
	return previous{app: app, runtime: "JSII_RUNTIME='" + kernelLauncher(src) + "'"}, nil
}
