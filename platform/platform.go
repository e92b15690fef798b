// Package platform is what a synth does around jsii, in the process that
// coordinates it (main.go, multisynth): the options of a synth, the checks
// of the folder a kernel process wrote (the schema check, the chart
// archives vendored into the apps stacks, the chart check and the rendered
// manifests) and the atomic install of the output folder. It makes no jsii
// call and links no jsii: the stacks are built in the kernel process
// (cmd/synth-kernel, kernelsynth).
package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/render"
	"github.com/llm-platform/cdktf-llm/synthjob"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// HCLEnvVar is how the cdktf CLI asks an app for HCL (`cdktf synth --hcl`
// sets it to "true"; "1" works too). cdktf's library, in jsii's kernel,
// would then write HCL instead of the JSON that the schema check and the
// chart check read; so the app takes the request out of its environment
// (TakeHCLRequest), and so out of the kernel process's, synthesizes and
// checks the JSON, and writes HCL from it (Options.HCL).
const HCLEnvVar = synthjob.HCLEnvVar

// TakeHCLRequest reports whether HCLEnvVar asks for HCL and removes it from
// the environment, so that the kernel process, which inherits it, writes
// JSON.
func TakeHCLRequest() bool {
	hcl := synthjob.HCLRequested()
	os.Unsetenv(HCLEnvVar)
	return hcl
}

// Options of one synth.
type Options struct {
	// Root is the project root, which holds envs/. Default ".".
	Root string
	// Outdir receives the stacks. Default "cdktf.out".
	Outdir string
	// Environments chooses them as config.EnvVar does; empty defers to the
	// cdktf context, then to config.DefaultEnvironment.
	Environments string
	// Schemas is the providers' schema file every stack is checked against
	// before anything is written. Default tfschema.ProjectFile below Root.
	Schemas string
	// Charts is where the releases' chart archives come from, each checked
	// against the chart lock (chartlock.File below Root) whatever its
	// source, before the apps stacks carry them. Default charts.Default(Root):
	// .charts below Root, filled from $CHARTS_DIR, ../shared/charts or the
	// charts' repositories. Its Lock is set by the synth (multisynth).
	Charts *charts.Cache
	// KeepOldStacks keeps the folders of stacks this synth did not write;
	// the cdktf CLI wants them, to prune them itself. Default false: Outdir
	// holds exactly the stacks of this synth.
	KeepOldStacks bool
	// HCL writes each stack as a plain Terraform module (hclexport) instead
	// of cdk.tf.json: the JSON is synthesized and checked as always, then
	// exported, and the HCL is proven the same configuration before it
	// replaces the JSON. Default false.
	HCL bool
}

// Check checks the folder a kernel process wrote for envs, before it goes
// anywhere: every stack against the provider schemas, then each apps stack
// gets the locked archive of every chart its releases install (from cache,
// whose Lock checks the bytes), then every release is rendered with those
// archives and checked against its base stack, and the manifests are
// written below dir (manifests/<env>/). Any problem fails it; all of them
// are reported together.
func Check(dir string, envs []config.Environment, schemas *tfschema.Schemas, cache charts.Cache) error {
	if err := schemas.CheckDir(dir); err != nil {
		return err
	}
	if err := vendorCharts(dir, envs, cache); err != nil {
		return err
	}
	return checkCharts(dir, envs, cache)
}

// Preload loads the locked charts found in cache (cache.Dir) and scans
// them for the chart check (contract.Preload), in the background: the
// coordinator does it while the kernel processes build the stacks, so that
// Check finds them loaded. It returns when all are loaded; errors are left
// to Check, which loads what it needs anyway.
func Preload(cache charts.Cache) {
	if cache.Lock == nil {
		return
	}
	var wg sync.WaitGroup
	for _, e := range cache.Lock.Charts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if data, err := os.ReadFile(filepath.Join(cache.Dir, chartlock.FileName(e.Name, e.Version))); err == nil {
				_ = contract.Preload(data)
			}
		}()
	}
	wg.Wait()
}

// vendorCharts puts into each apps stack's folder the locked archive of
// every chart its releases install, where their chart attribute names it
// (chartlock.StackPath), from cache, whose Lock checks the bytes; only the
// archives an environment uses go into its stack.
func vendorCharts(outdir string, envs []config.Environment, cache charts.Cache) error {
	var errs []error
	for _, env := range envs {
		releases, err := render.Releases(filepath.Join(outdir, "stacks", "apps-"+env.Name))
		if err != nil {
			return err
		}
		for _, r := range releases {
			e, _ := cache.Lock.Find(r.Chart, r.Version) // there: Build looked it up
			ref := charts.Ref{Repository: e.Repository, Name: r.Chart, Version: r.Version}
			if err := cache.LinkTo(context.Background(), ref, r.Archive); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", r.Stack, r.Address, err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkCharts renders every environment's releases with the archives their
// stacks carry, checks them against the base stack, and writes the
// manifests below outdir. Any finding fails the synth; all of them are
// reported together.
func checkCharts(outdir string, envs []config.Environment, cache charts.Cache) error {
	errs := make([]error, len(envs))
	var wg sync.WaitGroup
	for i, env := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, rendered, err := contract.Run(context.Background(), outdir, env, cache.Lock, cache.RenderDir())
			if err == nil {
				err = rep.Err()
			}
			if err == nil {
				err = contract.WriteManifests(outdir, env.Name, rendered, cache.Lock)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// keepOldStacks moves the stack folders of old that new lacks into new.
func keepOldStacks(old, new string) error {
	dirs, _ := filepath.Glob(filepath.Join(old, "stacks", "*"))
	for _, d := range dirs {
		dst := filepath.Join(new, "stacks", filepath.Base(d))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := os.Rename(d, dst); err != nil {
			return fmt.Errorf("synth: keep %s: %w", d, err)
		}
	}
	return nil
}

// swap replaces dst by src.
func swap(src, dst string) error {
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("synth: move aside %s: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		_ = os.Rename(old, dst)
		return fmt.Errorf("synth: put %s in place: %w", dst, err)
	}
	return os.RemoveAll(old)
}
