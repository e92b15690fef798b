package multisynth

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// synthesize writes the environments of each group into a folder of its
// own below tmp, one kernel process per group, and checks each folder as
// its process is done; it returns the folders in the groups' order.
func (c *Config) synthesize(groups [][]string, tmp string, chk *checker) ([]string, error) {
	dirs := make([]string, len(groups))
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("worker-%d", i))
		j := synthjob.Job{Root: c.Root, Outdir: dirs[i], Environments: g, ErrorFile: dirs[i] + ".error"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = c.run(j); errs[i] == nil {
				errs[i] = chk.check(j.Outdir, g)
			}
		}()
	}
	wg.Wait()
	return dirs, errors.Join(errs...)
}

// run has one kernel process (or this one, InProcess) do a job, and waits
// for it.
func (c *Config) run(j synthjob.Job) error {
	if err := os.MkdirAll(j.Outdir, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if c.InProcess != nil {
		return c.InProcess(j)
	}
	spec, err := j.Encode()
	if err != nil {
		return err
	}
	cmd := exec.Command(c.Kernel)
	cmd.Env = append(kernelEnviron(os.Environ()), WorkerVar+"="+spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // stdin and stdout: the null device
	if err := cmd.Run(); err != nil {
		return errorText(j.ErrorFile, err, stderr.String())
	}
	_, err = c.Stderr.Write(stderr.Bytes())
	return err
}

// kernelEnviron is the environment of a kernel process: the app's, without
// the HCL request (cdktf would write HCL that the checks cannot read; the
// coordinator exports HCL itself) and without a job of its own.
func kernelEnviron(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, synthjob.HCLEnvVar+"=") || strings.HasPrefix(kv, WorkerVar+"=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
