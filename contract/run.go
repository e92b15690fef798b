package contract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// Stack names, as the stacks package names them; contract reads the JSON,
// so it does not import the stacks.
func baseStack(env string) string { return "base-" + env }
func appsStack(env string) string { return "apps-" + env }

// Run renders every release of env's apps stack in outdir (a cdktf.out)
// with the locked chart archive the stack carries (see RenderAll), and
// checks the result against env's base stack. An error means the check
// could not run (an archive missing or not the locked one, a chart that
// fails to render); findings are in the Report.
func Run(ctx context.Context, outdir string, env config.Environment, lock *chartlock.Lock, renderDir string) (Report, []*render.Rendered, error) {
	base, err := ReadBase(filepath.Join(outdir, "stacks", baseStack(env.Name)))
	if err != nil {
		return Report{}, nil, err
	}
	releases, err := render.Releases(filepath.Join(outdir, "stacks", appsStack(env.Name)))
	if err != nil {
		return Report{}, nil, err
	}
	rendered, err := RenderAll(ctx, releases, env.Cluster.KubernetesVersion, lock, renderDir)
	if err != nil {
		return Report{}, nil, err
	}
	return Check(Input{Env: env, Base: base, Releases: rendered}), rendered, nil
}

// RenderAll renders releases concurrently, each with the archive it
// installs (the one in its stack's folder, render.Release.Archive), for
// Kubernetes kubeVersion; each archive must be the one lock has, so what is
// checked is what Terraform installs. Results are kept in renderDir
// (render.Cache; "" keeps none), so a release rendered before is not
// rendered again.
func RenderAll(ctx context.Context, releases []render.Release, kubeVersion string, lock *chartlock.Lock, renderDir string) ([]*render.Rendered, error) {
	renders := render.Cache{Dir: renderDir}
	rendered := make([]*render.Rendered, len(releases))
	errs := make([]error, len(releases))
	var wg sync.WaitGroup
	for i, r := range releases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := verifyArchive(r, lock); err != nil {
				errs[i] = fmt.Errorf("%s: %s: %w", r.Stack, r.Address, err)
				return
			}
			rendered[i], errs[i] = renders.Render(ctx, r, r.Archive, kubeVersion)
		}()
	}
	wg.Wait()
	return rendered, errors.Join(errs...)
}

// verifyArchive checks that the archive r installs is the one lock has.
func verifyArchive(r render.Release, lock *chartlock.Lock) error {
	e, ok := lock.Find(r.Chart, r.Version)
	if !ok {
		return fmt.Errorf("chart %s %s is not in the chart lock %s; run `%s`", r.Chart, r.Version, chartlock.File, chartlock.Command)
	}
	data, err := os.ReadFile(r.Archive)
	if err != nil {
		return fmt.Errorf("the release's chart archive: %w", err)
	}
	return e.Verify(data, r.Archive)
}

// ManifestsDir is where WriteManifests puts an environment's manifests, below outdir.
func ManifestsDir(outdir, env string) string { return filepath.Join(outdir, "manifests", env) }

// WriteManifests writes each release's rendered manifest to
// <outdir>/manifests/<env>/<release>.yaml, for reviewers; its first line
// names the chart as lock has it.
func WriteManifests(outdir, env string, rendered []*render.Rendered, lock *chartlock.Lock) error {
	dir := ManifestsDir(outdir, env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("manifests: %w", err)
	}
	for _, r := range rendered {
		e, _ := lock.Find(r.Release.Chart, r.Release.Version)
		head := fmt.Sprintf("# %s: %s: chart %s %s from %s (%s), release %s in namespace %s\n",
			r.Release.Stack, r.Release.Address, r.Release.Chart, r.Release.Version, e.Repository, e.Digest, r.Release.Name, r.Release.Namespace)
		if err := os.WriteFile(filepath.Join(dir, r.Release.Name+".yaml"), []byte(head+r.Manifest), 0o644); err != nil {
			return fmt.Errorf("manifests: %w", err)
		}
	}
	return nil
}

// manifestHead parses the first line WriteManifests writes.
var manifestHead = regexp.MustCompile(`^# ([^:\s]+): (helm_release\.[A-Za-z0-9_-]+): chart .* release (\S+) in namespace (\S+)\n`)

// ReadManifests reads the manifests WriteManifests wrote to dir (or a copy
// of them), one release per file, sorted by file name; none when dir does
// not exist.
func ReadManifests(dir string) ([]*render.Rendered, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("manifests: %w", err)
	}
	var out []*render.Rendered
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("manifests: %w", err)
		}
		m := manifestHead.FindSubmatch(data)
		if m == nil {
			return nil, fmt.Errorf("manifests: %s does not start with the line a synth writes (# <stack>: helm_release.<id>: chart …, release <name> in namespace <namespace>)", f)
		}
		r, err := render.Decode(render.Release{Stack: string(m[1]), Address: string(m[2]), Name: string(m[3]), Namespace: string(m[4])}, string(data))
		if err != nil {
			return nil, fmt.Errorf("manifests: %s: %w", f, err)
		}
		out = append(out, r)
	}
	return out, nil
}
