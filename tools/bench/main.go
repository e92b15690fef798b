// Command bench measures the figures of BENCHMARKS.md against their targets
// on this machine: setup from a fresh clone, synth of every shipped
// environment against a cdktf-only baseline, and the warm test suite. Each
// figure is the median of -runs runs; memory is the peak of the summed PSS of
// the whole process tree (Go and node together), sampled every 10 ms.
//
//	go run ./tools/bench [-runs 5] [-skip-setup] [-skip-tests]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "runs per figure (medians are reported)")
	skipSetup := flag.Bool("skip-setup", false, "skip the fresh-clone setup figure (the slowest)")
	skipTests := flag.Bool("skip-tests", false, "skip the test-suite figure")
	flag.Parse()
	if err := run(*runs, *skipSetup, *skipTests); err != nil {
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

func run(runs int, skipSetup, skipTests bool) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env := append(os.Environ(), "JSII_NODE="+filepath.Join(root, "node_modules", "node", "bin", "node"))
	var figs []figure

	if !skipSetup {
		// A fresh clone's first README command, with warm Go and npm caches.
		var walls []time.Duration
		var peak int64
		for i := 0; i < runs; i++ {
			clone := filepath.Join(work, fmt.Sprintf("clone-%d", i))
			if out, err := exec.Command("git", "clone", "-q", root, clone).CombinedOutput(); err != nil {
				return fmt.Errorf("git clone: %v\n%s", err, out)
			}
			m, err := measure(clone, env, "make", "synth")
			if err != nil {
				return fmt.Errorf("make synth in a fresh clone: %w", err)
			}
			walls, peak = append(walls, m.wall), max(peak, m.rss)
			os.RemoveAll(clone)
		}
		wall := median(walls)
		figs = append(figs, figure{name: "setup: fresh clone to JSON (make synth)", wall: wall, rss: peak,
			target: "≤ 60 s, ≤ 1 GiB", ok: wall <= 60*time.Second && peak <= 1<<30})
	}

	// Synth of every shipped environment against empty stacks.
	app := filepath.Join(work, "cdktf-llm")
	base := filepath.Join(work, "baseline")
	for bin, pkg := range map[string]string{app: ".", base: "./tools/bench/baseline"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	envs, _ := filepath.Glob(filepath.Join(root, "envs", "*.yaml"))
	stacks := 2 * len(envs)
	var appWalls, baseWalls []time.Duration
	var appPeak, basePeak int64
	for i := 0; i < runs+1; i++ { // the first round warms the jsii cache and is dropped
		a, err := measure(root, append(env, "PLATFORM_ENV=all", "CDKTF_OUTDIR="+filepath.Join(work, "out-app")), app)
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		b, err := measure(root, append(env, fmt.Sprintf("BASELINE_STACKS=%d", stacks), "CDKTF_OUTDIR="+filepath.Join(work, "out-base")), base)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		if i == 0 {
			continue
		}
		appWalls, baseWalls = append(appWalls, a.wall), append(baseWalls, b.wall)
		appPeak, basePeak = max(appPeak, a.rss), max(basePeak, b.rss)
	}
	aw, bw := median(appWalls), median(baseWalls)
	ratio := float64(aw) / float64(bw)
	figs = append(figs,
		figure{name: fmt.Sprintf("baseline: cdktf only, %d empty stacks", stacks), wall: bw, rss: basePeak, target: "(the floor)", ok: true},
		figure{name: fmt.Sprintf("synth: all %d stacks of %d environments", stacks, len(envs)), wall: aw, rss: appPeak,
			target: "≤ 1.2 × baseline", note: fmt.Sprintf("ratio %.2f", ratio), ok: ratio <= 1.2})

	if !skipTests {
		var walls []time.Duration
		var peak int64
		for i := 0; i < runs; i++ {
			m, err := measure(root, env, "go", "test", "-count=1", "./...", "./__tests__/")
			if err != nil {
				return fmt.Errorf("tests: %w", err)
			}
			walls, peak = append(walls, m.wall), max(peak, m.rss)
		}
		wall := median(walls)
		figs = append(figs, figure{name: "tests: go test -count=1 ./... ./__tests__/ (warm)", wall: wall, rss: peak, target: "≤ 60 s", ok: wall <= 60*time.Second})
	}

	fmt.Printf("%d runs per figure, medians; memory is the peak summed PSS (resident, shared pages split) of the process tree\n\n", runs)
	fmt.Printf("%-48s %9s %9s  %-18s %s\n", "FIGURE", "WALL", "PEAK MEM", "TARGET", "")
	failed := false
	for _, f := range figs {
		verdict := "ok"
		if !f.ok {
			verdict, failed = "MISSED", true
		}
		fmt.Printf("%-48s %8.2fs %7d MB  %-18s %s %s\n", f.name, f.wall.Seconds(), f.rss>>20, f.target, verdict, f.note)
	}
	if failed {
		return fmt.Errorf("a target was missed")
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

type measurement struct {
	wall time.Duration
	rss  int64
}

// measure runs a command in dir and samples the summed RSS of its process
// tree until it exits.
func measure(dir string, env []string, name string, args ...string) (measurement, error) {
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
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return measurement{}, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
			}
			return measurement{wall: time.Since(start), rss: peak}, nil
		case <-tick.C:
			peak = max(peak, treeRSS(cmd.Process.Pid))
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
