// Package charts gets pinned Helm charts into a local, git-ignored cache by
// chart name and version, so that the releases of the apps stack can be
// rendered and checked offline.
//
// A chart is named by a [Ref]: its repository (an https chart repository or an
// OCI registry path), its name and its exact version. [Cache.Path] returns the
// chart's archive in the cache directory, filling the cache when the archive is
// missing: first from a source directory that holds `helm package` archives
// named <name>-<version>.tgz (such as $CHARTS_DIR or ../shared/charts, see
// [Default]), else by pulling it with Helm's Go SDK. Whatever its origin, an
// archive is loaded and its Chart.yaml name and version are checked against
// the Ref before it is cached, and a cached archive is checked again each time
// it is used, so a stale or mismatched archive is never returned. A chart that
// can be neither found nor pulled is a [*MissingError] that says how to get it.
//
// Writes to the cache are atomic (a temporary file in the cache directory,
// then a rename), so several goroutines or processes may ask for the same
// chart at once; each may fetch it, and all see a complete, verified archive.
// The cache directory holds a .gitignore that ignores everything in it.
//
// Tests: sources, cache hits, mismatched archives, concurrency and the
// missing-chart error are tested with charts built in the tests; pulls are
// tested against an https chart repository served by net/http/httptest, and
// OCI pulls against a minimal in-process registry (also httptest) that serves
// one chart's manifest and blobs the way the OCI distribution API does.
package charts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/llm-platform/cdktf-llm/chartlock"
)

// EnvVar is the environment variable that names a directory of chart
// archives (<name>-<version>.tgz) that [Default] puts first in Cache.Sources.
const EnvVar = "CHARTS_DIR"

// Ref names one pinned chart.
type Ref struct {
	// Repository is where the chart is published: an https chart repository
	// URL (https://helm.otwld.com/), whose index.yaml lists the chart, or an
	// OCI registry path (oci://ghcr.io/danny-avila/librechat-chart), under
	// which the chart is the repository Name tagged Version
	// (oci://ghcr.io/danny-avila/librechat-chart/librechat:2.0.8).
	Repository string
	// Name is the chart's name, as in its Chart.yaml.
	Name string
	// Version is the chart's exact version, as in its Chart.yaml; never a range.
	Version string
}

// String returns the chart as name-version.
func (r Ref) String() string { return r.Name + "-" + r.Version }

// FileName returns the name of the chart's archive, <name>-<version>.tgz, in
// the cache and in every source directory.
func (r Ref) FileName() string { return chartlock.FileName(r.Name, r.Version) }

// PullCommand returns the helm command line that pulls the chart's archive
// into the current directory.
func (r Ref) PullCommand() string {
	if r.Repository == "" {
		return fmt.Sprintf("helm pull %s --repo <repository URL> --version %s", r.Name, r.Version)
	}
	if registry.IsOCI(r.Repository) {
		return fmt.Sprintf("helm pull %s/%s --version %s", strings.TrimRight(r.Repository, "/"), r.Name, r.Version)
	}
	return fmt.Sprintf("helm pull %s --repo %s --version %s", r.Name, r.Repository, r.Version)
}

// validate checks that r names one chart version whose file name is safe.
func (r Ref) validate() error {
	if r.Name == "" || r.Version == "" {
		return fmt.Errorf("chart %q version %q: name and version are both required", r.Name, r.Version)
	}
	if strings.ContainsAny(r.Name, `/\:`) || strings.HasPrefix(r.Name, ".") {
		return fmt.Errorf("chart %q: not a chart name", r.Name)
	}
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(r.Version, "v")); err != nil {
		return fmt.Errorf("chart %s version %q: not an exact version: %w", r.Name, r.Version, err)
	}
	return nil
}

// Cache is a directory of verified chart archives, with the places to fill it
// from. Its zero value is not usable: Dir is required. A Cache holds no state
// of its own between calls; it may be copied and used from several goroutines.
type Cache struct {
	// Dir is the cache directory; it is created when first filled. Required.
	Dir string
	// Sources are directories of `helm package` archives named
	// <name>-<version>.tgz, looked in, in order, before pulling a chart. A
	// source that does not exist or lacks the archive is passed over.
	// Default: none.
	Sources []string
	// Offline, when true, never pulls: a chart that is neither cached nor in
	// a source is a *MissingError. Default: false (pull when needed).
	Offline bool
	// Getters fetch from https chart repositories. Default (nil):
	// getter.All(cli.New()), Helm's http(s) getter plus any getter plugins,
	// configured by the HELM_* environment variables as for the helm CLI.
	Getters getter.Providers
	// Transport, when set, is the HTTP transport of every pull: it is given to
	// the http(s) getters (getter.WithTransport) and to the default
	// RegistryClient. Default (nil): Helm's own transports.
	Transport *http.Transport
	// RegistryClient pulls from OCI registries. Default (nil): a client made
	// by registry.NewClient, with Helm's registry credentials (falling back to
	// Docker's), over Transport when that is set.
	RegistryClient *registry.Client
	// Lock, when set, decides which bytes are a chart: every archive, cached
	// or from a source or a pull, is used only when its sha256 is the lock's
	// (a *chartlock.MismatchError otherwise), and a chart the lock lacks is
	// an error that says to run `make lock`. Default nil: an archive is
	// checked by its Chart.yaml name and version only, which is how `make
	// lock` gets the archives it records.
	Lock *chartlock.Lock
}

// Archive is a chart archive in the cache.
type Archive struct {
	// Path is the archive in the cache: <Dir>/<name>-<version>.tgz.
	Path string
	// Origin is where its bytes came from: Path when the cache had them
	// already, else the source file or the URL it was pulled from.
	Origin string
	// Digest is the sha256 of its bytes (chartlock.Digest).
	Digest string
	// ManifestDigest is the digest of the OCI manifest it was pulled
	// with; empty unless it was pulled from an OCI registry just now.
	ManifestDigest string
}

// Default returns the Cache of the project whose root directory is root: Dir
// is <root>/.charts; Sources are the directory named by $CHARTS_DIR, if the
// variable is set, then <root>/../shared/charts, if that directory exists.
// Paths are made absolute, so that errors name them plainly.
func Default(root string) Cache {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	c := Cache{Dir: filepath.Join(root, ".charts")}
	if dir := os.Getenv(EnvVar); dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		c.Sources = append(c.Sources, dir)
	}
	shared := filepath.Join(filepath.Dir(root), "shared", "charts")
	if fi, err := os.Stat(shared); err == nil && fi.IsDir() {
		c.Sources = append(c.Sources, shared)
	}
	return c
}

// RenderDir is the folder below Dir where renders of the cached charts are
// kept (render.Cache, which names each by a hash of what decides it).
func (c Cache) RenderDir() string { return filepath.Join(c.Dir, "rendered") }

// Path returns the path of the chart's archive, <Dir>/<name>-<version>.tgz,
// filling the cache when the archive is missing (or fails verification): from
// the first source that has it, else by pulling it from r.Repository. A
// cached archive is verified cheaply (its Chart.yaml name and version); a new
// one is loaded in full first. It fails with a *MissingError when the chart
// is in no source and cannot be pulled, and with an error naming both charts
// when an archive holds another chart or version than r.
func (c Cache) Path(ctx context.Context, r Ref) (string, error) {
	a, _, err := c.get(ctx, r, false)
	return a.Path, err
}

// Get is [Cache.Path], and says where the bytes came from and their digests.
func (c Cache) Get(ctx context.Context, r Ref) (Archive, error) {
	a, _, err := c.get(ctx, r, false)
	return a, err
}

// Load returns the chart, as [Cache.Path] gets it, loaded in full with its
// vendored subcharts (charts/ in the archive). The loaded chart's name and
// version are checked against r each time.
func (c Cache) Load(ctx context.Context, r Ref) (*chart.Chart, error) {
	_, ch, err := c.get(ctx, r, true)
	return ch, err
}

// LinkTo puts the chart's archive, as [Cache.Path] gets it, at dst (a new
// file): a hard link to the cached archive, or a copy where links are
// refused. The cache replaces an archive by a rename, never in place, so
// what dst holds stays as it was verified. This is how an apps stack gets
// the archives it installs.
func (c Cache) LinkTo(ctx context.Context, r Ref, dst string) error {
	p, err := c.Path(ctx, r)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("charts: chart %s: %w", r, err)
	}
	if os.Link(p, dst) == nil {
		return nil
	}
	data, err := os.ReadFile(p)
	if err == nil {
		err = os.WriteFile(dst, data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("charts: chart %s: %w", r, err)
	}
	return nil
}

// get returns the cached archive of r, filling the cache when needed, and the
// loaded chart when full is set (or when it had to be loaded anyway).
func (c Cache) get(ctx context.Context, r Ref, full bool) (Archive, *chart.Chart, error) {
	if err := r.validate(); err != nil {
		return Archive{}, nil, fmt.Errorf("charts: %w", err)
	}
	if c.Dir == "" {
		return Archive{}, nil, fmt.Errorf("charts: chart %s: Cache.Dir is not set", r)
	}
	if err := ctx.Err(); err != nil {
		return Archive{}, nil, fmt.Errorf("charts: chart %s: %w", r, err)
	}
	var locked *chartlock.Entry
	if c.Lock != nil {
		e, err := c.Lock.Entry(r.Repository, r.Name, r.Version)
		if err != nil {
			return Archive{}, nil, fmt.Errorf("charts: %w", err)
		}
		locked = &e
	}
	dst := filepath.Join(c.Dir, r.FileName())

	// A cache hit: verified each use, so a stale entry is never returned.
	var stale error
	switch digest, ch, err := verifyCached(dst, r, full, locked); {
	case err == nil:
		return Archive{Path: dst, Origin: dst, Digest: digest}, ch, nil
	case errors.Is(err, os.ErrNotExist):
	default:
		stale = err // refilled below; reported if that fails too
	}

	p, err := c.fetch(ctx, r)
	if err != nil {
		if stale != nil {
			err = fmt.Errorf("%w (the cached archive was unusable: %v)", err, stale)
		}
		return Archive{}, nil, err
	}
	if locked != nil {
		if err := locked.Verify(p.data, p.origin); err != nil {
			return Archive{}, nil, fmt.Errorf("charts: %w", err)
		}
	}
	ch, err := verifyArchive(p.data, r, p.origin)
	if err != nil {
		return Archive{}, nil, fmt.Errorf("charts: %w", err)
	}
	if err := c.store(dst, p.data); err != nil {
		return Archive{}, nil, fmt.Errorf("charts: caching chart %s from %s: %w", r, p.origin, err)
	}
	return Archive{Path: dst, Origin: p.origin, Digest: chartlock.Digest(p.data), ManifestDigest: p.manifestDigest}, ch, nil
}

// fetch returns the archive of r from the first source that has it, else
// pulled from r.Repository.
func (c Cache) fetch(ctx context.Context, r Ref) (pulled, error) {
	for _, dir := range c.Sources {
		p := filepath.Join(dir, r.FileName())
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return pulled{}, fmt.Errorf("charts: chart %s: reading source archive: %w", r, err)
		}
		return pulled{data: data, origin: p}, nil
	}
	if c.Offline {
		return pulled{}, c.missing(r, errOffline)
	}
	if err := c.ensureDir(); err != nil {
		return pulled{}, fmt.Errorf("charts: chart %s: %w", r, err)
	}
	p, err := c.pull(ctx, r)
	if err != nil {
		if ctx.Err() != nil {
			return pulled{}, fmt.Errorf("charts: pulling chart %s: %w", r, err)
		}
		return pulled{}, c.missing(r, err)
	}
	return p, nil
}

// store writes data to dst atomically: a temporary file in Dir, renamed.
func (c Cache) store(dst string, data []byte) (err error) {
	if err := c.ensureDir(); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.Dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// gitignore is written into the cache directory so that git ignores all of it.
const gitignore = "# Helm chart cache (github.com/llm-platform/cdktf-llm/charts): never committed.\n*\n"

// ensureDir creates Dir, with its .gitignore, when missing.
func (c Cache) ensureDir() error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	ign := filepath.Join(c.Dir, ".gitignore")
	f, err := os.OpenFile(ign, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil // left as it is
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", ign, err)
	}
	if _, err := f.WriteString(gitignore); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", ign, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", ign, err)
	}
	return nil
}

// errOffline is the pull error of a Cache with Offline set.
var errOffline = errors.New("pulling is turned off (Cache.Offline)")

// MissingError is the error of a chart that is neither cached nor in any
// source, and that could not be pulled.
type MissingError struct {
	// Ref is the chart.
	Ref Ref
	// Searched are the directories looked in: the cache, then the sources.
	Searched []string
	// Err is why the pull failed.
	Err error
}

// Error says which chart is missing, where it was looked for, why the pull
// failed and how to get the chart.
func (e *MissingError) Error() string {
	r := e.Ref
	pull := fmt.Sprintf("pulling it from %s failed: %v", r.Repository, e.Err)
	network := "allow network access to " + r.Repository
	if r.Repository == "" {
		pull = fmt.Sprintf("it cannot be pulled: %v", e.Err)
		network = "set its repository and allow network access to it"
	}
	return fmt.Sprintf("charts: chart %s version %s is missing: %s is in none of %s, and %s; "+
		"to get it, put %s in $%s (or ../shared/charts), e.g. with `%s` there, or %s",
		r.Name, r.Version, r.FileName(), strings.Join(e.Searched, ", "), pull,
		r.FileName(), EnvVar, r.PullCommand(), network)
}

// Unwrap returns the pull error.
func (e *MissingError) Unwrap() error { return e.Err }

// missing returns the *MissingError of r.
func (c Cache) missing(r Ref, err error) error {
	searched := append([]string{c.Dir}, c.Sources...)
	return &MissingError{Ref: r, Searched: searched, Err: err}
}
