// Package kernelsynth is the half of a synth that runs jsii's kernel: it
// builds the base and apps stacks of a job's environments through jsii and
// has cdktf write them (app.Synth) into the job's folder; nothing else. The
// checks of what it wrote (schemas, charts, manifests) and the HCL export
// run in the coordinator (multisynth, platform), which links Helm's SDK;
// this package links no Helm, no Kubernetes client and no HCL writer, so
// the program that runs it (cmd/synth-kernel) is small and starts fast.
package kernelsynth

import (
	"errors"
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/stacks/apps"
	"github.com/llm-platform/cdktf-llm/stacks/base"
	"github.com/llm-platform/cdktf-llm/synthjob"
)

// Build adds the base and apps stacks of each environment to app, with the
// charts of lock.
func Build(app cdktf.App, envs []config.Environment, lock *chartlock.Lock) error {
	var errs []error
	for _, env := range envs {
		b := base.NewStack(app, env)
		if _, err := apps.NewStack(app, env, b, lock); err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Run builds the job's environments and writes cdktf's output into
// j.Outdir. The config and the chart lock are read while jsii starts its
// kernel (the first jsii call, cdktf.NewApp).
func Run(j synthjob.Job) error {
	if synthjob.HCLRequested() {
		return fmt.Errorf("synth: %s=%s is set, so cdktf would write HCL that the checks cannot read; the coordinator removes it from the kernel's environment and exports HCL itself", synthjob.HCLEnvVar, os.Getenv(synthjob.HCLEnvVar))
	}
	type loaded struct {
		envs []config.Environment
		lock *chartlock.Lock
		err  error
	}
	done := make(chan loaded, 1)
	go func() {
		var l loaded
		if l.envs, l.err = config.LoadAll(j.Root, j.Environments); l.err == nil {
			l.lock, l.err = chartlock.Read(chartlock.Path(j.Root))
		}
		done <- l
	}()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(j.Outdir)})
	l := <-done
	if l.err != nil {
		return l.err
	}
	if err := Build(app, l.envs, l.lock); err != nil {
		return err
	}
	app.Synth()
	return nil
}
