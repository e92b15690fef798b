// Command bench measures the figures of BENCHMARKS.md against their targets
// on this machine: setup from a fresh clone, synth of every shipped
// environment against the same cdktf calls in plain Node (and a cdktf-only
// baseline), synths of 1, 4, 16 and 64 generated environments in one
// process and split over workers, a re-synth with nothing changed, and the
// warm test suite. Each figure is the median of -runs runs; memory is the
// peak of the summed PSS of the whole process tree (Go and node together),
// sampled every 10 ms. -before REV also times the app as of a git revision
// on the generated environments, side by side.
//
//	go run ./tools/bench [-runs 5] [-skip-setup] [-skip-tests] [-before REV]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "runs per figure (medians are reported)")
	skipSetup := flag.Bool("skip-setup", false, "skip the fresh-clone setup figure (the slowest)")
	skipTests := flag.Bool("skip-tests", false, "skip the test-suite figure")
	before := flag.String("before", "", "a git revision whose app is timed beside this one on the generated environments")
	flag.Parse()
	if err := run(*runs, *skipSetup, *skipTests, *before); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type figure struct {
	name         string
	wall         time.Duration
	rss          int64 // bytes
	target, note string
	ok           bool
}

func run(runs int, skipSetup, skipTests bool, beforeRev string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// TMPDIR: jsii-runtime-go's stock launcher leaves a directory per run
	// there (the app does not call jsii.Close, see BENCHMARKS.md).
	tmp := filepath.Join(work, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	env := append(os.Environ(), "JSII_NODE="+nodeBin(root), "TMPDIR="+tmp)
	var figs []figure
	if idle := waitIdle(60 * time.Second); idle < 90 {
		fmt.Fprintf(os.Stderr, "bench: the machine is busy (%d%% idle over 2 s after waiting a minute); figures will be high\n", idle)
	}

	if !skipSetup {
		// A fresh clone's first README command, with warm Go and npm caches.
		var setup series
		for i := 0; i < runs; i++ {
			clone := filepath.Join(work, fmt.Sprintf("clone-%d", i))
			if out, err := exec.Command("git", "clone", "-q", root, clone).CombinedOutput(); err != nil {
				return fmt.Errorf("git clone: %v\n%s", err, out)
			}
			// The clone has no ../shared/charts: the charts come from this
			// project's chart cache, as a chart source.
			m, err := measure(clone, append(env, "CHARTS_DIR="+chartSource(root)), longSampling, "make", "synth")
			if err != nil {
				return fmt.Errorf("make synth in a fresh clone: %w", err)
			}
			setup.add(m)
			os.RemoveAll(clone)
		}
		figs = append(figs, setup.figure("setup: fresh clone to JSON (make synth)", "≤ 45 s, ≤ 1 GiB",
			setup.median() <= 45*time.Second && setup.peak <= 1<<30,
			fmt.Sprintf("time %.1f s (%s), peak %d MB of all processes (PSS)", setup.median().Seconds(), setup.verdict(setup.median() <= 45*time.Second), setup.peak>>20)+
				"; memory "+setup.verdict(setup.peak <= 1<<30)))
	}

	// Synth of every shipped environment against empty stacks, each with the
	// kernel launcher tools/env sets (one Node process) and with
	// jsii-runtime-go's stock one (two, relaying).
	// The app and, beside it, the kernel program it starts, built as make
	// builds them.
	app := filepath.Join(work, "cdktf-llm")
	base := filepath.Join(work, "baseline")
	for bin, pkg := range map[string]string{app: ".", filepath.Join(work, "synth-kernel"): "./cmd/synth-kernel", base: "./tools/bench/baseline"} {
		build := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin, pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	for _, bin := range []string{app, filepath.Join(work, "synth-kernel")} {
		if info, err := os.Stat(bin); err == nil {
			figs = append(figs, figure{name: "binary: " + filepath.Base(bin), wall: -1, rss: info.Size(), target: "", ok: true, note: "size on disk (CGO_ENABLED=0, -ldflags=-s -w, as make builds it)"})
		}
	}
	var before previous
	if beforeRev != "" {
		if before, err = buildRevision(root, work, beforeRev); err != nil {
			return err
		}
	}
	envs, _ := filepath.Glob(filepath.Join(root, "envs", "*.yaml"))
	stacks := 2 * len(envs)
	kernel, stock := "JSII_RUNTIME='"+kernelLauncher(root)+"'", "JSII_RUNTIME="
	// The same cdktf calls in plain Node (replay.mjs), prepared first, so
	// that each round times the app and the replay one right after the
	// other: alternating pairs, whose ratios a busy machine moves less than
	// it moves either figure.
	node, replayProgram, emptyProgram, err := cdktfPrograms(root, work, env, app, stacks)
	if err != nil {
		return fmt.Errorf("cdktf floor: %w", err)
	}
	var synth, replay, empty, baseline, synthStock, baselineStock series
	var pairs []float64
	for i := 0; i < rounds(runs); i++ {
		for _, r := range []struct {
			s             *series
			bin, what, rt string
		}{
			{&synth, app, "PLATFORM_ENV=all", kernel},
			{&replay, node, replayProgram, ""},
			{&empty, node, emptyProgram, ""},
			{&baseline, base, fmt.Sprintf("BASELINE_STACKS=%d", stacks), kernel},
			{&synthStock, app, "PLATFORM_ENV=all", stock},
			{&baselineStock, base, fmt.Sprintf("BASELINE_STACKS=%d", stacks), stock},
		} {
			var m measurement
			var err error
			if r.bin == node {
				m, err = measure(root, env, sampling(i, runs), node, r.what)
			} else {
				// No stamp of the last synth: every environment is made (synthstamp).
				os.Remove(filepath.Join(work, ".out.stamp.json"))
				m, err = measure(root, append(env, r.rt, r.what, "CDKTF_OUTDIR="+filepath.Join(work, "out")), sampling(i, runs), r.bin)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", filepath.Base(r.bin), r.what, err)
			}
			r.s.record(i, runs, m)
		}
		if i > 0 && sampling(i, runs) == noSampling {
			n := len(synth.walls)
			pairs = append(pairs, float64(synth.walls[n-1])/float64(replay.walls[n-1]))
		}
	}
	ratio := medianOf(pairs)
	fast := synth.median() <= 450*time.Millisecond
	figs = append(figs,
		synth.figure(fmt.Sprintf("synth: %d stacks of %d environments", stacks, len(envs)), "≤ 1.8 × plain Node, ≤ 0.45 s", ratio <= 1.8 && fast,
			fmt.Sprintf("ratio %.2f (median of %d alternating pairs %s) to the same cdktf calls in plain Node; %.2f to the cdktf-only baseline; time %s",
				ratio, len(pairs), pairsText(pairs), synth.ratio(baseline), synth.verdict(fast))),
		empty.figure(fmt.Sprintf("plain Node: cdktf only, %d empty stacks", stacks), "", true, ""),
		replay.figure("plain Node: the app's cdktf calls, same JSON", "", true,
			fmt.Sprintf("ratio %.2f: cdktf's own floor", replay.ratio(empty))),
	)
	figs = append(figs,
		baseline.figure(fmt.Sprintf("baseline: cdktf only, %d empty stacks", stacks), "(the floor)", true, ""),
		baselineStock.figure("baseline, stock jsii launcher", "", true, ""),
		synthStock.figure("synth, stock jsii launcher", "", true, fmt.Sprintf("ratio %.2f to its baseline", synthStock.ratio(baselineStock))),
	)

	check, err := chartCheck(root, env, filepath.Join(work, "out"), runs)
	if err != nil {
		return fmt.Errorf("chart check: %w", err)
	}
	figs = append(figs, check...)

	rows, scale, err := platformScale(root, work, env, app, before, runs)
	if err != nil {
		return fmt.Errorf("generated environments: %w", err)
	}
	figs = append(figs, scale...)

	if !skipTests {
		var tests series
		for i := 0; i < runs; i++ {
			// As make test runs it.
			m, err := measure(root, append(env, "CGO_ENABLED=0"), longSampling, "go", "test", "-count=1", "-ldflags=-s -w", "./...", "./__tests__/")
			if err != nil {
				return fmt.Errorf("tests: %w", err)
			}
			tests.add(m)
		}
		figs = append(figs, tests.figure("tests: make test's go test, -count=1 (warm)", "≤ 60 s", tests.median() <= 60*time.Second, ""))
	}

	fmt.Printf("%d runs per figure, medians; memory is the peak summed PSS (resident, shared pages split) of the process tree\n\n", runs)
	fmt.Printf("%-48s %9s %9s  %-18s %s\n", "FIGURE", "WALL", "PEAK MEM", "TARGET", "")
	failed := false
	for _, f := range figs {
		verdict := "ok"
		if !f.ok {
			verdict, failed = "MISSED", true
		}
		mem := fmt.Sprintf("%7d MB", f.rss>>20)
		if f.rss < 0 {
			mem = "      n/a"
		}
		wall := fmt.Sprintf("%8.2fs", f.wall.Seconds())
		if f.wall < 0 {
			wall = "      n/a"
		}
		fmt.Printf("%-48s %s %s  %-18s %s %s\n", f.name, wall, mem, f.target, verdict, f.note)
	}
	printScale(rows, before.app != "")
	if failed {
		return fmt.Errorf("a target was missed")
	}
	return nil
}

// chartCheck times the chart check of every shipped environment as synth
// runs it after the JSON is written (contract.BenchmarkRun, over outdir):
// warm, every release found in the render cache, as on a re-synth; cold,
// every release rendered.
func chartCheck(root string, env []string, outdir string, runs int) ([]figure, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkRun$", "-benchtime", fmt.Sprintf("%dx", runs), "./contract/")
	cmd.Dir, cmd.Env = root, append(env, "BENCH_OUTDIR="+outdir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, out)
	}
	perOp := map[string]time.Duration{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && strings.HasPrefix(f[0], "BenchmarkRun/") && f[3] == "ns/op" {
			ns, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
			perOp[strings.SplitN(strings.TrimPrefix(f[0], "BenchmarkRun/"), "-", 2)[0]] = time.Duration(ns)
		}
	}
	warm, cold := perOp["warm"], perOp["cold"]
	if warm == 0 || cold == 0 {
		return nil, fmt.Errorf("no BenchmarkRun/warm and /cold figures in:\n%s", out)
	}
	return []figure{
		{name: "chart check, warm (added to synth)", wall: warm, rss: -1, target: "≤ 0.15 s", ok: warm <= 150*time.Millisecond, note: "mean of the runs; render cache hit"},
		{name: "chart check, cold (every release rendered)", wall: cold, rss: -1, target: "", ok: true, note: "mean of the runs"},
	}, nil
}

// cdktfPrograms prepares what cdktf itself costs for this app, below any
// binding: tools/bench/replay.mjs turns a logged run of the app into a plain
// Node program making the same calls (checked to write the same JSON), and
// writes a plain Node program with the baseline's empty stacks. It returns
// the pinned node and the two programs.
func cdktfPrograms(root, work string, env []string, app string, stacks int) (node, replay, empty string, err error) {
	// The kernel writes its log itself, so none of it is lost when the app
	// exits (the Go runtime forwards the kernel's stderr asynchronously).
	logged, log := filepath.Join(work, "out-logged"), filepath.Join(work, "kernel.log")
	cmd := exec.Command(app)
	cmd.Dir = root
	cmd.Env = append(env, "JSII_DEBUG=1", "PLATFORM_ENV=all", "SYNTH_JOBS=1", "CDKTF_OUTDIR="+logged,
		fmt.Sprintf("JSII_RUNTIME='%s' 2>'%s'", kernelLauncher(root), log))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", "", fmt.Errorf("logged synth: %w\n%s", err, out)
	}
	node = nodeBin(root)
	mjs := filepath.Join(root, "tools", "bench", "replay.mjs")
	replayed := filepath.Join(work, "out-replayed")
	programs := map[string][]string{
		"replay.cjs": {mjs, log, replayed},
		"empty.cjs":  {mjs, "--empty", fmt.Sprint(stacks), filepath.Join(work, "out-empty")},
	}
	for name, args := range programs {
		var stderr strings.Builder
		c := exec.Command(node, args...)
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			return "", "", "", fmt.Errorf("replay.mjs %s: %w\n%s", strings.Join(args[1:], " "), err, stderr.String())
		}
		if err := os.WriteFile(filepath.Join(work, name), out, 0o644); err != nil {
			return "", "", "", err
		}
	}
	// The replay writes its JSON when it runs: once, to compare.
	if out, err := exec.Command(node, filepath.Join(work, "replay.cjs")).CombinedOutput(); err != nil {
		return "", "", "", fmt.Errorf("replay.cjs: %w\n%s", err, out)
	}
	if err := sameFiles(logged, replayed); err != nil {
		return "", "", "", fmt.Errorf("the plain Node replay wrote other JSON than the app: %w", err)
	}
	return node, filepath.Join(work, "replay.cjs"), filepath.Join(work, "empty.cjs"), nil
}

// medianOf is the median of xs (0 for none).
func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// pairsText lists ratios briefly.
func pairsText(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, " ")
}

// verdict is "ok" or "MISSED".
func (s *series) verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// sameFiles reports the first file that differs between two cdktf.out
// trees, leaving out the rendered manifests and the chart archives of the
// apps stacks, which only the app writes.
func sameFiles(a, b string) error {
	return filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "manifests" || d.Name() == "charts") {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || string(got) != string(want) {
			return fmt.Errorf("%s differs", rel)
		}
		return nil
	})
}

// chartSource is where a fresh clone gets the pinned charts: $CHARTS_DIR,
// else this project's chart cache (archives named <name>-<version>.tgz).
func chartSource(root string) string {
	if dir := os.Getenv("CHARTS_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(root, ".charts")
}

// nodeBin is the pinned Node (package-lock.json).
func nodeBin(root string) string { return filepath.Join(root, "node_modules", "node", "bin", "node") }

// kernelLauncher starts jsii's kernel in one Node process (tools/env).
func kernelLauncher(root string) string { return filepath.Join(root, "tools", "kernel", "kernel") }

// series collects the runs of one figure.
type series struct {
	walls []time.Duration
	peak  int64 // bytes
}

func (s *series) add(m measurement) {
	s.walls, s.peak = append(s.walls, m.wall), max(s.peak, m.rss)
}

// rounds is how many rounds a synth figure of runs runs takes: a first that
// warms the caches (jsii's package cache, the chart caches) and is dropped,
// runs timed ones, and a last that samples memory only.
func rounds(runs int) int { return runs + 2 }

// sampling is how round i of rounds(runs) samples memory: only the last does.
func sampling(i, runs int) time.Duration {
	if i == runs+1 {
		return fineSampling
	}
	return noSampling
}

// record adds round i of rounds(runs) to s.
func (s *series) record(i, runs int, m measurement) {
	switch {
	case i == 0:
	case sampling(i, runs) != noSampling:
		s.peak = max(s.peak, m.rss)
	default:
		s.walls = append(s.walls, m.wall)
	}
}

func (s *series) median() time.Duration {
	w := append([]time.Duration(nil), s.walls...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

// ratio is the ratio of the medians.
func (s *series) ratio(to series) float64 {
	return float64(s.median()) / float64(to.median())
}

func (s *series) figure(name, target string, ok bool, note string) figure {
	return figure{name: name, wall: s.median(), rss: s.peak, target: target, ok: ok, note: note}
}

type measurement struct {
	wall time.Duration
	rss  int64
}

// Sampling intervals of measure: sampling costs the measured processes CPU
// (reading smaps_rollup walks their page tables), ~10 % of a synth of 64
// environments on 2 cores at 10 ms, and more for a tree of many processes
// (the test suite). So synth figures are timed in runs that do not sample
// and take their memory from one more run sampled every 10 ms (rounds); the
// long figures (setup, tests) are sampled every 100 ms, which catches their
// peaks and costs them little.
const (
	noSampling   = 0
	fineSampling = 10 * time.Millisecond
	longSampling = 100 * time.Millisecond
)

// measure runs a command in dir and, unless every is noSampling, samples the
// summed PSS of its process tree that often until it exits.
func measure(dir string, env []string, every time.Duration, name string, args ...string) (measurement, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measurement{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(max(every, fineSampling))
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return measurement{}, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
			}
			return measurement{wall: time.Since(start), rss: peak}, nil
		case <-tick.C:
			if every != noSampling {
				peak = max(peak, treeRSS(cmd.Process.Pid))
			}
		}
	}
}

// treeRSS sums the proportional set size (PSS: resident memory, with pages
// shared between processes split among them) of pid and its descendants,
// from /proc. Summing plain RSS would count the node binary's pages once
// per node process.
func treeRSS(pid int) int64 {
	var total int64
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(rollup), "\n") {
		if strings.HasPrefix(line, "Pss:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "Pss:")), "%d", &kb)
			total += kb << 10
		}
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		kids, _ := os.ReadFile(t)
		for _, k := range strings.Fields(string(kids)) {
			var child int
			fmt.Sscanf(k, "%d", &child)
			total += treeRSS(child)
		}
	}
	return total
}

// waitIdle waits, at most limit, until the machine was at least 90 % idle
// over 2 s, and returns the last idle share seen, in percent.
func waitIdle(limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		busy1, total1 := cpuTimes()
		time.Sleep(2 * time.Second)
		busy2, total2 := cpuTimes()
		idle := 100
		if total2 > total1 {
			idle = 100 - int(100*(busy2-busy1)/(total2-total1))
		}
		if idle >= 90 || time.Now().After(deadline) {
			return idle
		}
	}
}

// cpuTimes reads the busy and total jiffies of all CPUs from /proc/stat.
func cpuTimes() (busy, total int64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	for i, f := range strings.Fields(line)[1:] {
		var v int64
		fmt.Sscan(f, &v)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}
