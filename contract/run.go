package contract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// Stack names, as the stacks package names them; contract reads the JSON,
// so it does not import the stacks.
func baseStack(env string) string { return "base-" + env }
func appsStack(env string) string { return "apps-" + env }

// Run renders every release of env's apps stack in outdir (a cdktf.out)
// with its chart from cache, and checks the result against env's base
// stack. An error means the check could not
// run (a chart missing, a chart that fails to render); findings are in the
// Report.
func Run(ctx context.Context, outdir string, env config.Environment, cache charts.Cache) (Report, []*render.Rendered, error) {
	base, err := ReadBase(filepath.Join(outdir, "stacks", baseStack(env.Name)))
	if err != nil {
		return Report{}, nil, err
	}
	releases, err := render.Releases(filepath.Join(outdir, "stacks", appsStack(env.Name)))
	if err != nil {
		return Report{}, nil, err
	}
	rendered, err := RenderAll(ctx, releases, env.Cluster.KubernetesVersion, cache)
	if err != nil {
		return Report{}, nil, err
	}
	return Check(Input{Env: env, Base: base, Releases: rendered}), rendered, nil
}

// RenderAll renders releases concurrently, each with its chart from cache,
// for Kubernetes kubeVersion. Results are kept below the chart cache's Dir
// (render.Cache), so a release rendered before is not rendered again.
func RenderAll(ctx context.Context, releases []render.Release, kubeVersion string, cache charts.Cache) ([]*render.Rendered, error) {
	renders := render.Cache{Dir: filepath.Join(cache.Dir, "rendered")}
	rendered := make([]*render.Rendered, len(releases))
	errs := make([]error, len(releases))
	var wg sync.WaitGroup
	for i, r := range releases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			archive, err := cache.Path(ctx, charts.Ref{Repository: r.Repository, Name: r.Chart, Version: r.Version})
			if err != nil {
				errs[i] = fmt.Errorf("%s: %s: %w", r.Stack, r.Address, err)
				return
			}
			rendered[i], errs[i] = renders.Render(ctx, r, archive, kubeVersion)
		}()
	}
	wg.Wait()
	return rendered, errors.Join(errs...)
}

// ManifestsDir is where WriteManifests puts an environment's manifests, below outdir.
func ManifestsDir(outdir, env string) string { return filepath.Join(outdir, "manifests", env) }

// WriteManifests writes each release's rendered manifest to
// <outdir>/manifests/<env>/<release>.yaml, for reviewers.
func WriteManifests(outdir, env string, rendered []*render.Rendered) error {
	dir := ManifestsDir(outdir, env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("manifests: %w", err)
	}
	for _, r := range rendered {
		head := fmt.Sprintf("# %s: %s: chart %s %s from %s, release %s in namespace %s\n",
			r.Release.Stack, r.Release.Address, r.Release.Chart, r.Release.Version, r.Release.Repository, r.Release.Name, r.Release.Namespace)
		if err := os.WriteFile(filepath.Join(dir, r.Release.Name+".yaml"), []byte(head+r.Manifest), 0o644); err != nil {
			return fmt.Errorf("manifests: %w", err)
		}
	}
	return nil
}
