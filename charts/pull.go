package charts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/cli"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
)

// pulled is a chart archive pulled from a repository.
type pulled struct {
	data   []byte
	origin string // the chart's URL or OCI reference (or a source file)
	// manifestDigest is the OCI manifest's digest of an OCI pull.
	manifestDigest string
}

// pull pulls the archive of r from r.Repository. Dir must exist: an https
// pull keeps the repository's index in a temporary directory there.
func (c Cache) pull(ctx context.Context, r Ref) (pulled, error) {
	var get func() (pulled, error)
	switch u := r.Repository; {
	case u == "":
		return pulled{}, errors.New("Ref.Repository is empty: nowhere to pull from")
	case registry.IsOCI(u):
		get = func() (pulled, error) { return c.pullOCI(r) }
	case strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"):
		get = func() (pulled, error) { return c.pullRepo(r) }
	default:
		return pulled{}, fmt.Errorf("repository %q is neither an https chart repository nor an oci:// registry path", u)
	}
	return await(ctx, get)
}

// await runs f, returning early with ctx's error when ctx is done first (Helm's
// SDK takes no context; f then finishes on its own, bounded by its timeouts).
func await[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// pullRepo pulls the archive of r from the https chart repository
// r.Repository: its index.yaml gives the chart's URL, which
// downloader.ChartDownloader fetches.
func (c Cache) pullRepo(r Ref) (pulled, error) {
	tmp, err := os.MkdirTemp(c.Dir, ".pull-*")
	if err != nil {
		return pulled{}, err
	}
	defer os.RemoveAll(tmp)

	getters := c.getters()
	cr, err := repo.NewChartRepository(&repo.Entry{Name: "charts", URL: r.Repository}, getters)
	if err != nil {
		return pulled{}, fmt.Errorf("chart repository %s: %w", r.Repository, err)
	}
	cr.CachePath = tmp // not Helm's own cache
	idxFile, err := cr.DownloadIndexFile()
	if err != nil {
		return pulled{}, fmt.Errorf("getting the index of chart repository %s: %w", r.Repository, err)
	}
	idx, err := repo.LoadIndexFile(idxFile)
	if err != nil {
		return pulled{}, fmt.Errorf("reading the index of chart repository %s: %w", r.Repository, err)
	}
	cv, err := idx.Get(r.Name, r.Version)
	if err == nil && cv.Version != r.Version {
		err = fmt.Errorf("only %s matches", cv.Version)
	}
	if err != nil {
		return pulled{}, fmt.Errorf("chart %s version %s is not in the index of %s: %w", r.Name, r.Version, r.Repository, err)
	}
	if len(cv.URLs) == 0 {
		return pulled{}, fmt.Errorf("chart %s version %s has no URL in the index of %s", r.Name, r.Version, r.Repository)
	}
	chartURL, err := repo.ResolveReferenceURL(r.Repository, cv.URLs[0])
	if err != nil {
		return pulled{}, fmt.Errorf("chart %s version %s in the index of %s: %w", r.Name, r.Version, r.Repository, err)
	}

	d := downloader.ChartDownloader{
		Out:     io.Discard,
		Verify:  downloader.VerifyNever,
		Getters: getters,
		// No repositories.yaml: none of the user's Helm repositories apply.
		RepositoryConfig: filepath.Join(tmp, "repositories.yaml"),
		RepositoryCache:  tmp,
	}
	file, _, err := d.DownloadTo(chartURL, r.Version, tmp)
	if err != nil {
		return pulled{}, fmt.Errorf("downloading %s: %w", chartURL, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return pulled{}, fmt.Errorf("downloading %s: %w", chartURL, err)
	}
	return pulled{data: data, origin: chartURL}, nil
}

// getters returns c.Getters, or Helm's defaults, over c.Transport when set.
func (c Cache) getters() getter.Providers {
	ps := c.Getters
	if ps == nil {
		ps = getter.All(cli.New())
	}
	if c.Transport == nil {
		return ps
	}
	out := slices.Clone(ps)
	for i, p := range out {
		if !p.Provides("https") && !p.Provides("http") {
			continue
		}
		next := p.New
		out[i].New = func(opts ...getter.Option) (getter.Getter, error) {
			return next(append(opts, getter.WithTransport(c.Transport))...)
		}
	}
	return out
}

// ociRef returns the OCI reference of r, whose Repository is an oci:// path:
// <registry>/<path>/<name>:<version>, without the oci:// scheme. (The
// registry client turns a + in the version into the _ of the OCI tag.)
func ociRef(r Ref) string {
	base := strings.TrimRight(strings.TrimPrefix(r.Repository, registry.OCIScheme+"://"), "/")
	return base + "/" + r.Name + ":" + r.Version
}

// pullOCI pulls the archive of r from the OCI registry path r.Repository.
func (c Cache) pullOCI(r Ref) (pulled, error) {
	ref := ociRef(r)
	client := c.RegistryClient
	if client == nil {
		opts := []registry.ClientOption{registry.ClientOptWriter(io.Discard)}
		if c.Transport != nil {
			opts = append(opts, registry.ClientOptHTTPClient(&http.Client{Transport: c.Transport}))
		}
		var err error
		if client, err = registry.NewClient(opts...); err != nil {
			return pulled{}, fmt.Errorf("creating the registry client: %w", err)
		}
	}
	res, err := client.Pull(ref, registry.PullOptWithChart(true))
	if err != nil {
		return pulled{}, fmt.Errorf("pulling oci://%s: %w", ref, err)
	}
	p := pulled{data: res.Chart.Data, origin: "oci://" + ref}
	if res.Manifest != nil {
		p.manifestDigest = res.Manifest.Digest
	}
	return p, nil
}
