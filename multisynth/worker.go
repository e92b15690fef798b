package multisynth

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/platform"
	"github.com/llm-platform/cdktf-llm/synthjob"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// WorkerVar holds a kernel process's job (synthjob.Var).
const WorkerVar = synthjob.Var

// checker checks the folders the kernel processes write (platform.Check).
type checker struct {
	schemas chan schemasResult
	once    sync.Once
	result  schemasResult
	cache   charts.Cache
	envs    map[string]config.Environment
	mu      sync.Mutex // one folder's checks at a time: each is parallel itself
}

type schemasResult struct {
	schemas *tfschema.Schemas
	err     error
}

// loaded waits for the schemas.
func (k *checker) loaded() (*tfschema.Schemas, error) {
	k.once.Do(func() { k.result = <-k.schemas })
	return k.result.schemas, k.result.err
}

// check checks the folder dir of the environments names.
func (k *checker) check(dir string, names []string) error {
	s, err := k.loaded()
	if err != nil {
		return err
	}
	envs := make([]config.Environment, len(names))
	for i, n := range names {
		envs[i] = k.envs[n]
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return platform.Check(dir, envs, s, k.cache)
}

// backgrounded counts the synths whose kernel processes are building their
// stacks, and keeps GOMAXPROCS as it was before the first.
var backgrounded struct {
	sync.Mutex
	n, procs int
}

// background runs this process on one thread until restore is called (once
// is enough; later calls do nothing), or, with synths at once, until the
// last of them calls it. Until a kernel process has written its folder,
// this process's own work (decoding the schemas, loading the charts: ~0.1 s
// of CPU against the kernels' ~0.3 s) is background, and one thread is
// plenty for it: more takes the CPU that the kernels' Go and Node need on a
// machine of few cores (−16 ms of a synth of dev and prod on 2 cores,
// BENCHMARKS.md). The checks get every core again.
func background() (restore func()) {
	backgrounded.Lock()
	if backgrounded.n == 0 {
		backgrounded.procs = runtime.GOMAXPROCS(1)
	}
	backgrounded.n++
	backgrounded.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			backgrounded.Lock()
			defer backgrounded.Unlock()
			if backgrounded.n--; backgrounded.n == 0 {
				runtime.GOMAXPROCS(backgrounded.procs)
			}
		})
	}
}

// synthesize writes the environments of each group into a folder of its
// own below tmp, one kernel process per group, and checks each folder as
// soon as its process has written it (while the process ends its kernel);
// it returns the folders in the groups' order once every process ended.
func (c *Config) synthesize(groups [][]string, tmp string, chk *checker) ([]string, error) {
	dirs := make([]string, len(groups))
	errs := make([]error, len(groups))
	restore := background()
	defer restore()
	var wg sync.WaitGroup
	for i, g := range groups {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("worker-%d", i))
		j := synthjob.Job{Root: c.Root, Outdir: dirs[i], Environments: g, ErrorFile: dirs[i] + ".error"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait, err := c.start(j)
			restore()
			if err == nil {
				err = chk.check(j.Outdir, g)
			}
			if werr := wait(); werr != nil {
				err = werr // the process's own error says more
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return dirs, errors.Join(errs...)
}

// start has one kernel process (or this one, InProcess) do a job, and
// returns once the job's folder is written, or the process failed; wait
// waits for the process to end and returns its error.
func (c *Config) start(j synthjob.Job) (wait func() error, err error) {
	done := func() error { return nil }
	if err := os.MkdirAll(j.Outdir, 0o755); err != nil {
		return done, fmt.Errorf("synth: %w", err)
	}
	if c.InProcess != nil {
		return done, c.InProcess(j)
	}
	spec, err := j.Encode()
	if err != nil {
		return done, err
	}
	cmd := exec.Command(c.Kernel)
	cmd.Env = append(kernelEnviron(os.Environ()), WorkerVar+"="+spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // stdin: the null device
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return done, fmt.Errorf("synth: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return done, fmt.Errorf("synth: the kernel program: %w", err)
	}
	written, read := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(read)
		lines := bufio.NewScanner(stdout)
		seen := false
		for lines.Scan() { // anything else it prints is dropped, as before
			if !seen && lines.Text() == synthjob.Written {
				seen = true
				close(written)
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var once sync.Once
	var waitErr error
	wait = func() error {
		once.Do(func() {
			<-read
			if err := cmd.Wait(); err != nil {
				waitErr = errorText(j.ErrorFile, err, stderr.String())
				return
			}
			_, waitErr = c.Stderr.Write(stderr.Bytes())
		})
		return waitErr
	}
	select {
	case <-written:
		return wait, nil
	case <-read: // it ended without writing
		if err := wait(); err != nil {
			return wait, err
		}
		return wait, fmt.Errorf("synth: the kernel program %s ended without writing the stacks of %s", c.Kernel, strings.Join(j.Environments, ", "))
	}
}

// kernelEnviron is the environment of a kernel process: the app's, without
// the HCL request (cdktf would write HCL that the checks cannot read; the
// coordinator exports HCL itself), without a job of its own, and without
// BASH_ENV: jsii-runtime-go starts the kernel through $SHELL -c, and a bash
// that sources the Makefile's tools/env first takes ~3 ms longer for
// variables this environment already has.
func kernelEnviron(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, synthjob.HCLEnvVar+"=") || strings.HasPrefix(kv, WorkerVar+"=") || strings.HasPrefix(kv, "BASH_ENV=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
