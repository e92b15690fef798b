// Package platform assembles the stacks of every chosen environment into one
// cdktf app and writes them out whole or not at all.
package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/hclexport"
	"github.com/llm-platform/cdktf-llm/render"
	"github.com/llm-platform/cdktf-llm/stacks/apps"
	"github.com/llm-platform/cdktf-llm/stacks/base"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// DefaultEnvironment is synthesized when nothing else is chosen.
const DefaultEnvironment = "dev"

// EnvVar chooses environments: a name, a comma-separated list, or "all".
// It wins over the cdktf context key ContextKey, which cdktf.json sets.
const (
	EnvVar     = "PLATFORM_ENV"
	ContextKey = "environments"
)

// HCLEnvVar is how the cdktf CLI asks an app for HCL (`cdktf synth --hcl`
// sets it to "true"; "1" works too). cdktf's library, in jsii's kernel,
// would then write HCL instead of the JSON that the schema check and the
// chart check read; so the app takes the request out of its environment
// (TakeHCLRequest) before its first jsii call, synthesizes and checks the
// JSON, and writes HCL from it (Options.HCL).
const HCLEnvVar = "SYNTH_HCL_OUTPUT"

// TakeHCLRequest reports whether HCLEnvVar asks for HCL and removes it from
// the environment, so that jsii's kernel writes JSON. Call it before the
// first jsii call. jsii-runtime-go prepares its kernel process, environment
// included, while the bindings register their types (package init), and
// starts it on the first call: so when HCL was asked for, the prepared,
// unstarted process is discarded (jsii.Close), and the first call prepares
// a new one from the environment without the request.
func TakeHCLRequest() bool {
	hcl := hclRequested()
	os.Unsetenv(HCLEnvVar)
	if hcl {
		jsii.Close()
	}
	return hcl
}

func hclRequested() bool {
	v := os.Getenv(HCLEnvVar)
	return v == "true" || v == "1"
}

// Choose returns the environments to synthesize from the variable, then the
// context value, then the default; "all" means every file in envs/.
func Choose(root, fromEnv, fromContext string) ([]string, error) {
	spec := fromEnv
	if spec == "" {
		spec = fromContext
	}
	if spec == "" {
		spec = DefaultEnvironment
	}
	if spec == "all" {
		return config.Names(root)
	}
	var names []string
	for _, n := range strings.Split(spec, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s=%q names no environment; use e.g. dev, dev,prod or all", EnvVar, spec)
	}
	return names, nil
}

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

// Options of one synth.
type Options struct {
	// Root is the project root, which holds envs/. Default ".".
	Root string
	// Outdir receives the stacks. Default "cdktf.out".
	Outdir string
	// Environments chooses them as EnvVar does; empty defers to the cdktf
	// context, then to DefaultEnvironment.
	Environments string
	// Schemas is the providers' schema file every stack is checked against
	// before anything is written. Default tfschema.ProjectFile below Root.
	Schemas string
	// Charts is where the releases' chart archives come from, each checked
	// against the chart lock (chartlock.File below Root) whatever its
	// source, before the apps stacks carry them. Default charts.Default(Root):
	// .charts below Root, filled from $CHARTS_DIR, ../shared/charts or the
	// charts' repositories. Its Lock is set by Synth.
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

// Synth loads the chosen environments and writes their stacks to Outdir.
// It synthesizes into a fresh folder beside Outdir and swaps it in only when
// everything succeeded, so a failure leaves the previous Outdir as it was.
// It returns the names of the environments written.
func Synth(o Options) ([]string, error) {
	o = o.WithDefaults()
	if hclRequested() {
		return nil, fmt.Errorf("synth: %s=%s is set, so cdktf would write HCL that the checks cannot read; call platform.TakeHCLRequest before the first jsii call (main.go does) and set Options.HCL", HCLEnvVar, os.Getenv(HCLEnvVar))
	}
	// Decoding the schemas takes ~90 ms: do it while jsii builds the stacks.
	schemas := make(chan schemasResult, 1)
	go func() {
		s, err := tfschema.Load(o.Schemas)
		schemas <- schemasResult{s, err}
	}()
	parent := filepath.Dir(filepath.Clean(o.Outdir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(o.Outdir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	defer os.RemoveAll(tmp)

	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(tmp)})
	fromContext, _ := app.Node().TryGetContext(jsii.String(ContextKey)).(string)
	names, err := Choose(o.Root, o.Environments, fromContext)
	if err != nil {
		return nil, err
	}
	envs, err := config.LoadAll(o.Root, names)
	if err != nil {
		return nil, err
	}
	lock, err := chartlock.Read(chartlock.Path(o.Root))
	if err != nil {
		return nil, err
	}
	if err := Build(app, envs, lock); err != nil {
		return nil, err
	}
	app.Synth()
	loaded := <-schemas
	if loaded.err != nil {
		return nil, loaded.err
	}
	if err := loaded.schemas.CheckDir(tmp); err != nil {
		return nil, err
	}
	cache := *o.Charts
	cache.Lock = lock
	if err := vendorCharts(tmp, envs, cache); err != nil {
		return nil, err
	}
	if err := checkCharts(tmp, envs, cache); err != nil {
		return nil, err
	}
	if o.HCL {
		if err := hclexport.ConvertOutdir(tmp, loaded.schemas); err != nil {
			return nil, err
		}
	}
	if o.KeepOldStacks {
		if err := keepOldStacks(o.Outdir, tmp); err != nil {
			return nil, err
		}
	}
	return names, swap(tmp, o.Outdir)
}

// vendorCharts puts into each apps stack's folder the locked archive of
// every chart its releases install, where their chart attribute names it
// (chartlock.StackPath), from cache, whose Lock checks the bytes; only the
// archives an environment uses go into its stack.
func vendorCharts(outdir string, envs []config.Environment, cache charts.Cache) error {
	var errs []error
	for _, env := range envs {
		releases, err := render.Releases(filepath.Join(outdir, "stacks", apps.Name(env.Name)))
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

type schemasResult struct {
	schemas *tfschema.Schemas
	err     error
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
