// Package multisynth synthesizes many environments at once: only those whose
// inputs changed since the last synth into the same folder (synthstamp),
// split over kernel processes, each with its own jsii kernel, and merged
// into one output folder that is byte for byte what one kernel process of
// all of them writes (stacks/, manifests/ and manifest.json).
//
// It is the coordinator: it runs in the app (main.go), which makes no jsii
// call and links no jsii. It starts the kernel program (Config.Kernel,
// cmd/synth-kernel) for every synth, one process per share of the
// environments (one for a few; more only when they pay for their start,
// minPerWorker), each with a job (synthjob) that names its environments
// and a folder of the coordinator's; a kernel process only builds the
// stacks and has cdktf write them. The coordinator decodes the schemas
// while they run, then checks each folder as its kernel is done (schemas,
// chart archives, chart check and manifests: platform.Check), merges them,
// exports HCL when asked, and installs the result in one rename. It waits
// for every kernel process, and any failure fails the whole synth and
// leaves the output folder as it was.
package multisynth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/hclexport"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/synthjob"
	"github.com/llm-platform/cdktf-llm/synthstamp"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// JobsVar sets the most worker processes (a positive number); without it,
// as many as the machine has cores, but only as many as pay for their start
// (minPerWorker).
const JobsVar = "SYNTH_JOBS"

// ContextVar is how the cdktf CLI passes the cdktf context to an app: the
// JSON that cdktf's App reads, where the coordinator finds ContextKey.
const ContextVar = "CDKTF_CONTEXT_JSON"

// minPerWorker is the fewest environments a worker is started for when
// JobsVar does not choose. A process pays ~0.4 s of CPU before its first
// environment (Go, Node, jsii's kernel, loading cdktf, the schemas) against
// ~0.07 s per environment, and a single synth already keeps a second core
// partly busy (Node's own threads, the chart check): on 2 cores, 2 workers
// beat one process only from ~12 environments on (BENCHMARKS.md).
const minPerWorker = 6

// gcPercent is the Go collector's target unless GOGC sets one: most of
// what a synth allocates lives to its end (the schemas, the rendered
// releases), so collecting 4 times less often than Go's default saves ~6 %
// of a synth's time for ~100 MB more at 64 environments (BENCHMARKS.md).
const gcPercent = 400

// Config of a synth.
type Config struct {
	// Options of the synth (platform.Options.WithDefaults). Environments
	// may also come from the cdktf context (ContextVar), as cdktf's App
	// reads it.
	platform.Options
	// Jobs is the most worker processes. Default $SYNTH_JOBS, else as many
	// as pay for their start, at most one per core (minPerWorker).
	Jobs int
	// Executable is the coordinator's program: its code is an input of
	// every environment (synthstamp). Default the running program.
	Executable string
	// Kernel is the program started for each share of the environments
	// (cmd/synth-kernel), whose code is an input too. Default
	// $SYNTH_KERNEL, else synth-kernel beside the running program.
	Kernel string
	// InProcess, when set, synthesizes the share in this process instead
	// of starting Kernel, in one share (tests, allinone: a test binary
	// links both halves). Kernel is then not used.
	InProcess func(synthjob.Job) error
	// Stderr receives what kernel processes print when they succeed (Node's
	// warnings, say). Default os.Stderr.
	Stderr io.Writer
}

// Output of a synth.
type Output struct {
	// Outdir is the output folder.
	Outdir string
	// Environments are all the chosen environments, in order.
	Environments []string
	// Unchanged are those whose output was kept as it was, not synthesized.
	Unchanged map[string]bool
	// UpToDate says the output folder was already what this synth writes,
	// so nothing was written.
	UpToDate bool
	// Workers is the number of kernel processes started when more than
	// one; 0 for one (or none).
	Workers int
}

// Synth chooses the environments, synthesizes those whose inputs changed,
// and puts the output folder in place whole, or leaves it as it was.
func Synth(c Config) (Output, error) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if err := c.defaults(); err != nil {
		return Output{}, err
	}
	fromContext, err := contextEnvironments()
	if err != nil {
		return Output{}, err
	}
	names, err := config.Choose(c.Root, c.Environments, fromContext)
	if err != nil {
		return Output{}, err
	}
	// Config errors first, all together.
	envs, err := config.LoadAll(c.Root, names)
	if err != nil {
		return Output{}, err
	}
	plan, err := synthstamp.Check(synthstamp.Config{
		Root:          c.Root,
		Outdir:        c.Outdir,
		Environments:  names,
		Executable:    c.Executable,
		Kernel:        c.Kernel,
		Schemas:       c.Schemas,
		HCL:           c.HCL,
		KeepOldStacks: c.KeepOldStacks,
	})
	if err != nil {
		return Output{}, err
	}
	out := Output{Outdir: c.Outdir, Environments: names, Unchanged: map[string]bool{}, UpToDate: plan.UpToDate}
	if plan.UpToDate {
		for _, n := range names {
			out.Unchanged[n] = true
		}
		return out, nil
	}
	stale, reuse := plan.Stale, plan.Reuse
	if c.HCL && len(reuse) > 0 {
		// HCL is written from the whole JSON at the end (hclexport), so a
		// changed environment redoes all of them.
		stale, reuse = names, nil
	}
	for _, n := range reuse {
		out.Unchanged[n] = true
	}
	// Decoding the schemas takes ~90 ms: done while the kernels build the
	// stacks.
	schemas := make(chan schemasResult, 1)
	go func() {
		s, err := tfschema.Load(c.Schemas)
		schemas <- schemasResult{s, err}
	}()
	lock, err := chartlock.Read(chartlock.Path(c.Root))
	if err != nil {
		return Output{}, err
	}
	cache := *c.Charts
	cache.Lock = lock
	// The charts too, for the chart check: loaded while the kernels run.
	go platform.Preload(cache)
	chk := &checker{schemas: schemas, cache: cache, envs: map[string]config.Environment{}}
	for _, e := range envs {
		chk.envs[e.Name] = e
	}

	parent := filepath.Dir(filepath.Clean(c.Outdir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Output{}, fmt.Errorf("synth: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(c.Outdir)+".tmp-")
	if err != nil {
		return Output{}, fmt.Errorf("synth: %w", err)
	}
	defer os.RemoveAll(tmp)

	from := map[string]string{}
	for _, n := range reuse {
		from[n] = c.Outdir
	}
	if len(stale) > 0 {
		groups := split(stale, c.workers(len(stale)))
		dirs, err := c.synthesize(groups, tmp, chk)
		if err != nil {
			return Output{}, err
		}
		for i, g := range groups {
			for _, n := range g {
				from[n] = dirs[i]
			}
		}
		if len(groups) > 1 {
			out.Workers = len(groups)
		}
	}
	merged := filepath.Join(tmp, "out")
	if err := assemble(merged, names, from, c.Outdir); err != nil {
		return Output{}, err
	}
	if c.HCL {
		s, err := chk.loaded()
		if err != nil {
			return Output{}, err
		}
		if err := hclexport.ConvertOutdir(merged, s); err != nil {
			return Output{}, err
		}
	}
	if err := synthstamp.Forget(c.Outdir); err != nil {
		return Output{}, err
	}
	if err := platform.Install(merged, c.Outdir, c.KeepOldStacks); err != nil {
		return Output{}, err
	}
	if err := plan.Record(); err != nil {
		// The output is right; without its stamp the next synth redoes it all.
		fmt.Fprintf(c.Stderr, "synth: %s written, but not its stamp, so the next synth makes every environment again: %v\n", c.Outdir, err)
	}
	return out, nil
}

// defaults fills in what Config leaves out.
func (c *Config) defaults() error {
	c.Options = c.Options.WithDefaults()
	if c.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("synth: the running program: %w", err)
		}
		c.Executable = exe
	}
	if c.Kernel == "" && c.InProcess == nil {
		c.Kernel = os.Getenv(synthjob.KernelVar)
		if c.Kernel == "" {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("synth: the running program: %w", err)
			}
			c.Kernel = filepath.Join(filepath.Dir(exe), synthjob.KernelName)
		}
	}
	if c.Kernel != "" {
		if _, err := os.Stat(c.Kernel); err != nil {
			return fmt.Errorf("synth: the kernel program, which builds the stacks through jsii: %w; build it beside the app (go build -o .bin/%s ./cmd/synth-kernel, as make build and tools/run do) or name it in %s", err, synthjob.KernelName, synthjob.KernelVar)
		}
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if c.Jobs < 0 {
		return fmt.Errorf("synth: %d jobs", c.Jobs)
	}
	if v := os.Getenv(JobsVar); c.Jobs == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("synth: %s=%q is not a positive number of worker processes", JobsVar, v)
		}
		c.Jobs = n
	}
	return nil
}

// workers is how many processes synthesize n environments.
func (c *Config) workers(n int) int {
	jobs := c.Jobs
	if jobs == 0 {
		jobs = min(runtime.NumCPU(), n/minPerWorker)
	}
	if c.InProcess != nil {
		jobs = 1 // one jsii app per process at a time
	}
	return max(1, min(jobs, n))
}

// split cuts names into n runs, in order, of sizes that differ by at most one.
func split(names []string, n int) [][]string {
	out := make([][]string, 0, n)
	for i := 0; i < n; i++ {
		lo, hi := i*len(names)/n, (i+1)*len(names)/n
		out = append(out, names[lo:hi])
	}
	return out
}

// contextEnvironments reads ContextKey from the cdktf context as cdktf's App
// would (the coordinator makes no jsii call).
func contextEnvironments() (string, error) {
	raw := os.Getenv(ContextVar)
	if raw == "" {
		return "", nil
	}
	var ctx map[string]any
	if err := json.Unmarshal([]byte(raw), &ctx); err != nil {
		return "", fmt.Errorf("synth: %s is not a JSON object: %w", ContextVar, err)
	}
	v, _ := ctx[config.ContextKey].(string)
	return v, nil
}

// errorText is an error as a kernel process returned it, or its exit and
// what it printed when it did not get that far.
func errorText(errFile string, waitErr error, stderr string) error {
	if data, err := os.ReadFile(errFile); err == nil && len(data) > 0 {
		return errors.New(strings.TrimRight(string(data), "\n"))
	}
	return fmt.Errorf("synth: the kernel program failed (%v):\n%s", waitErr, strings.TrimRight(stderr, "\n"))
}
