package multisynth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/platform"
)

// WorkerVar holds a worker's job (JSON) in the environment of the program
// the coordinator starts as a worker.
const WorkerVar = "SYNTH_WORKER_JOB"

// job is a worker's share of a synth.
type job struct {
	Root         string   `json:"root"`
	Outdir       string   `json:"outdir"`
	Environments []string `json:"environments"`
	Schemas      string   `json:"schemas"`
	ChartsDir    string   `json:"chartsDir"`
	ChartSources []string `json:"chartSources"`
	Offline      bool     `json:"offline"`
	// ErrorFile receives the error of a failed synth, which the
	// coordinator reports as its own.
	ErrorFile string `json:"errorFile"`
}

// synthesize writes the environments of each group into a folder of its
// own below tmp, one worker process per group, or in this process when
// there is one group; it returns the folders in the groups' order.
func (c *Config) synthesize(groups [][]string, tmp string) ([]string, error) {
	dirs := make([]string, len(groups))
	jobs := make([]job, len(groups))
	for i, g := range groups {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("worker-%d", i))
		jobs[i] = job{
			Root: c.Root, Outdir: dirs[i], Environments: g, Schemas: c.Schemas,
			ChartsDir: c.Charts.Dir, ChartSources: c.Charts.Sources, Offline: c.Charts.Offline,
			ErrorFile: dirs[i] + ".error",
		}
	}
	if len(groups) == 1 {
		o := c.Options
		o.Outdir, o.Environments, o.KeepOldStacks, o.HCL = dirs[0], strings.Join(groups[0], ","), false, false
		_, err := platform.Synth(o)
		return dirs, err
	}
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.run(jobs[i])
		}()
	}
	wg.Wait()
	return dirs, errors.Join(errs...)
}

// run starts one worker and waits for it.
func (c *Config) run(j job) error {
	spec, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	cmd := exec.Command(c.Executable)
	cmd.Env = append(os.Environ(), WorkerVar+"="+string(spec))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // stdin and stdout: the null device
	if err := cmd.Run(); err != nil {
		return errorText(j.ErrorFile, err, stderr.String())
	}
	_, err = c.Stderr.Write(stderr.Bytes())
	return err
}

// work is a worker: it synthesizes its job's environments with
// platform.Synth into the job's folder.
func work(spec string) (Output, error) {
	var j job
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		return Output{}, fmt.Errorf("synth worker: %s: %w", WorkerVar, err)
	}
	cache := charts.Cache{Dir: j.ChartsDir, Sources: j.ChartSources, Offline: j.Offline}
	names, err := platform.Synth(platform.Options{
		Root: j.Root, Outdir: j.Outdir, Environments: strings.Join(j.Environments, ","),
		Schemas: j.Schemas, Charts: &cache,
	})
	if err != nil {
		if werr := os.WriteFile(j.ErrorFile, []byte(err.Error()), 0o644); werr != nil {
			err = errors.Join(err, werr)
		}
		return Output{}, err
	}
	return Output{Outdir: j.Outdir, Environments: names}, nil
}
