package charts

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/llm-platform/cdktf-llm/chartlock"
)

// buildChart packages a scaffolded chart name-version, with the given
// subcharts vendored under charts/, into dir and returns the archive's path.
func buildChart(t *testing.T, dir, name, version string, subcharts ...string) string {
	t.Helper()
	work := t.TempDir()
	src, err := chartutil.Create(name, work)
	if err != nil {
		t.Fatalf("creating chart %s: %v", name, err)
	}
	for _, sub := range subcharts {
		if _, err := chartutil.Create(sub, filepath.Join(src, "charts")); err != nil {
			t.Fatalf("creating subchart %s: %v", sub, err)
		}
	}
	ch, err := loader.LoadDir(src)
	if err != nil {
		t.Fatalf("loading chart %s: %v", name, err)
	}
	ch.Metadata.Version = version
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatalf("saving chart %s: %v", name, err)
	}
	return p
}

// buildArchive returns the bytes of a packaged chart name-version.
func buildArchive(t *testing.T, name, version string) []byte {
	t.Helper()
	data, err := os.ReadFile(buildChart(t, t.TempDir(), name, version))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeFile writes data to dir/name, creating dir.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertCached checks that dir holds exactly the verified archive of r (plus
// the .gitignore), and no temporary files.
func assertCached(t *testing.T, dir string, r Ref) {
	t.Helper()
	ch, err := loader.LoadFile(filepath.Join(dir, r.FileName()))
	if err != nil {
		t.Fatalf("cached archive: %v", err)
	}
	if ch.Metadata.Name != r.Name || ch.Metadata.Version != r.Version {
		t.Fatalf("cached archive holds %s-%s, want %s", ch.Metadata.Name, ch.Metadata.Version, r)
	}
	assertDirHolds(t, dir, r.FileName())
}

// assertDirHolds checks that dir holds the .gitignore and exactly files.
func assertDirHolds(t *testing.T, dir string, files ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := append([]string{".gitignore"}, files...)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s holds %q, want %q", dir, got, want)
	}
}

func TestPathFromSource(t *testing.T) {
	ref := Ref{Name: "demo", Version: "1.2.3"}
	tests := []struct {
		name    string
		sources func(t *testing.T) (sources []string, want []byte)
	}{
		{"one source", func(t *testing.T) ([]string, []byte) {
			a := t.TempDir()
			p := buildChart(t, a, "demo", "1.2.3")
			data, _ := os.ReadFile(p)
			return []string{a}, data
		}},
		{"first source that has it", func(t *testing.T) ([]string, []byte) {
			empty, a, b := t.TempDir(), t.TempDir(), t.TempDir()
			data := buildArchive(t, "demo", "1.2.3")
			writeFile(t, a, ref.FileName(), data)
			buildChart(t, b, "demo", "1.2.3") // packaged later: other bytes
			buildChart(t, empty, "demo", "1.2.4")
			return []string{empty, filepath.Join(empty, "absent"), a, b}, data
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sources, want := tt.sources(t)
			c := Cache{Dir: filepath.Join(t.TempDir(), ".charts"), Sources: sources, Offline: true}
			p, err := c.Path(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if wantPath := filepath.Join(c.Dir, "demo-1.2.3.tgz"); p != wantPath {
				t.Fatalf("Path = %s, want %s", p, wantPath)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("cached archive is not the first source's")
			}
			assertCached(t, c.Dir, ref)
			ign, err := os.ReadFile(filepath.Join(c.Dir, ".gitignore"))
			if err != nil || !strings.Contains(string(ign), "\n*\n") {
				t.Fatalf(".gitignore = %q, %v; want one that ignores everything", ign, err)
			}
		})
	}
}

func TestPathCacheHitDoesNotTouchSources(t *testing.T) {
	src := t.TempDir()
	buildChart(t, src, "demo", "1.2.3")
	ref := Ref{Name: "demo", Version: "1.2.3"}
	c := Cache{Dir: t.TempDir(), Sources: []string{src}, Offline: true}
	first, err := c.Path(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	second, err := c.Path(context.Background(), ref)
	if err != nil {
		t.Fatalf("cache hit after the source was removed: %v", err)
	}
	if first != second {
		t.Fatalf("Path = %s, then %s", first, second)
	}
	ch, err := c.Load(context.Background(), ref)
	if err != nil {
		t.Fatalf("Load from the cache: %v", err)
	}
	if ch.Metadata.Name != "demo" {
		t.Fatalf("Load = %s", ch.Metadata.Name)
	}
}

func TestPathRejectsMismatchedArchive(t *testing.T) {
	ref := Ref{Name: "demo", Version: "1.2.3"}
	tests := []struct {
		name    string
		archive func(t *testing.T) []byte
		want    []string // in the error
	}{
		{"other name", func(t *testing.T) []byte { return buildArchive(t, "other", "1.2.3") },
			[]string{"holds chart other version 1.2.3", "chart demo version 1.2.3"}},
		{"other version", func(t *testing.T) []byte { return buildArchive(t, "demo", "1.2.4") },
			[]string{"holds chart demo version 1.2.4", "chart demo version 1.2.3"}},
		{"not a chart", func(t *testing.T) []byte { return []byte("<html>not found</html>") },
			[]string{"not a loadable chart", "demo-1.2.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			origin := writeFile(t, src, ref.FileName(), tt.archive(t))
			c := Cache{Dir: t.TempDir(), Sources: []string{src}, Offline: true}
			p, err := c.Path(context.Background(), ref)
			if err == nil {
				t.Fatalf("Path = %s, want an error", p)
			}
			for _, w := range append(tt.want, origin) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := os.Stat(filepath.Join(c.Dir, ref.FileName())); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the mismatched archive was cached (stat: %v)", err)
			}
		})
	}
}

func TestPathReplacesStaleCacheEntry(t *testing.T) {
	ref := Ref{Name: "demo", Version: "1.2.3"}
	stale := map[string][]byte{
		"other version": buildArchive(t, "demo", "1.2.4"),
		"other name":    buildArchive(t, "other", "1.2.3"),
		"truncated":     buildArchive(t, "demo", "1.2.3")[:100],
	}
	for name, data := range stale {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, ref.FileName(), data)

			// No source: the stale entry is not used, and the error says so.
			c := Cache{Dir: dir, Offline: true}
			if _, err := c.Path(context.Background(), ref); err == nil || !strings.Contains(err.Error(), "cached archive was unusable") {
				t.Fatalf("Path with a stale entry and no source: err = %v", err)
			}
			if _, err := c.Load(context.Background(), ref); err == nil {
				t.Fatal("Load used the stale entry")
			}

			// A source: the stale entry is replaced.
			src := t.TempDir()
			buildChart(t, src, "demo", "1.2.3")
			c.Sources = []string{src}
			if _, err := c.Path(context.Background(), ref); err != nil {
				t.Fatal(err)
			}
			assertCached(t, dir, ref)
		})
	}
}

func TestLoad(t *testing.T) {
	src := t.TempDir()
	buildChart(t, src, "umbrella", "0.3.0", "sub")
	c := Cache{Dir: t.TempDir(), Sources: []string{src}, Offline: true}
	ref := Ref{Name: "umbrella", Version: "0.3.0"}
	for i := range 2 { // a miss, then a hit
		ch, err := c.Load(context.Background(), ref)
		if err != nil {
			t.Fatalf("Load #%d: %v", i+1, err)
		}
		if ch.Metadata.Name != "umbrella" || ch.Metadata.Version != "0.3.0" {
			t.Fatalf("Load #%d = %s-%s", i+1, ch.Metadata.Name, ch.Metadata.Version)
		}
		if deps := ch.Dependencies(); len(deps) != 1 || deps[0].Name() != "sub" {
			t.Fatalf("Load #%d: subcharts %v, want [sub]", i+1, deps)
		}
		if len(ch.Templates) == 0 {
			t.Fatalf("Load #%d: no templates", i+1)
		}
	}
}

func TestPathMissingChart(t *testing.T) {
	tests := []struct {
		name  string
		cache func(t *testing.T, ref *Ref) Cache
		ref   Ref
		want  []string
	}{
		{
			name: "https pull fails",
			ref:  Ref{Name: "ollama", Version: "1.77.0"},
			cache: func(t *testing.T, ref *Ref) Cache {
				srv := newRepoServer(t, false, nil) // an empty repository: 404 for all
				ref.Repository = srv.URL + "/charts/"
				return Cache{Dir: t.TempDir(), Sources: []string{t.TempDir()}}
			},
			want: []string{"chart ollama version 1.77.0 is missing", "ollama-1.77.0.tgz", "$CHARTS_DIR", "../shared/charts",
				"helm pull ollama --repo http://127.0.0.1:", "--version 1.77.0", "allow network access to http://127.0.0.1:",
				"404 Not Found"},
		},
		{
			name: "oci pull fails",
			ref:  Ref{Name: "librechat", Version: "2.0.8"},
			cache: func(t *testing.T, ref *Ref) Cache {
				srv := newRegistryServer(t, "nothing/here", "0.0.1", buildArchive(t, "x", "0.0.1"))
				ref.Repository = "oci://" + srv.Listener.Addr().String() + "/danny-avila/librechat-chart"
				return Cache{Dir: t.TempDir(), Transport: srv.Client().Transport.(*http.Transport)}
			},
			want: []string{"chart librechat version 2.0.8 is missing", "librechat-2.0.8.tgz", "$CHARTS_DIR",
				"/danny-avila/librechat-chart/librechat --version 2.0.8", "helm pull oci://127.0.0.1:", "not found"},
		},
		{
			name:  "offline",
			ref:   Ref{Repository: "https://helm.otwld.com/", Name: "ollama", Version: "1.77.0"},
			cache: func(t *testing.T, _ *Ref) Cache { return Cache{Dir: t.TempDir(), Offline: true} },
			want: []string{"chart ollama version 1.77.0 is missing", "ollama-1.77.0.tgz", "$CHARTS_DIR", "../shared/charts",
				"`helm pull ollama --repo https://helm.otwld.com/ --version 1.77.0`", "allow network access to https://helm.otwld.com/",
				"Cache.Offline"},
		},
		{
			name:  "no repository",
			ref:   Ref{Name: "ollama", Version: "1.77.0"},
			cache: func(t *testing.T, _ *Ref) Cache { return Cache{Dir: t.TempDir()} },
			want: []string{"chart ollama version 1.77.0 is missing", "it cannot be pulled: Ref.Repository is empty",
				"`helm pull ollama --repo <repository URL> --version 1.77.0`", "set its repository"},
		},
		{
			name:  "unknown scheme",
			ref:   Ref{Repository: "ftp://example.invalid/", Name: "ollama", Version: "1.77.0"},
			cache: func(t *testing.T, _ *Ref) Cache { return Cache{Dir: t.TempDir()} },
			want:  []string{"chart ollama version 1.77.0 is missing", "neither an https chart repository nor an oci://"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := tt.ref
			c := tt.cache(t, &ref)
			p, err := c.Path(context.Background(), ref)
			if err == nil {
				t.Fatalf("Path = %s, want an error", p)
			}
			t.Logf("error: %v", err)
			var missing *MissingError
			if !errors.As(err, &missing) || missing.Ref != ref {
				t.Fatalf("error %v is not a *MissingError of %v", err, ref)
			}
			for _, w := range append(tt.want, c.Dir) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := os.Stat(filepath.Join(c.Dir, ref.FileName())); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("something was cached (stat: %v)", err)
			}
		})
	}
}

func TestPathInvalidRef(t *testing.T) {
	tests := []struct {
		name string
		ref  Ref
	}{
		{"no name", Ref{Version: "1.0.0"}},
		{"no version", Ref{Name: "demo"}},
		{"version range", Ref{Name: "demo", Version: "^1.0.0"}},
		{"wildcard version", Ref{Name: "demo", Version: "1.x"}},
		{"partial version", Ref{Name: "demo", Version: "1.0"}},
		{"path in name", Ref{Name: "../demo", Version: "1.0.0"}},
		{"path in version", Ref{Name: "demo", Version: "1.0.0/../x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			writeFile(t, src, tt.ref.FileName(), []byte("x"))
			c := Cache{Dir: filepath.Join(t.TempDir(), "cache"), Sources: []string{src}}
			if p, err := c.Path(context.Background(), tt.ref); err == nil {
				t.Fatalf("Path = %s, want an error", p)
			}
			if _, err := os.Stat(c.Dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the cache directory was created (stat: %v)", err)
			}
		})
	}
}

func TestPathNoDir(t *testing.T) {
	if _, err := (Cache{}).Path(context.Background(), Ref{Name: "demo", Version: "1.0.0"}); err == nil ||
		!strings.Contains(err.Error(), "Cache.Dir") {
		t.Fatalf("err = %v, want one about Cache.Dir", err)
	}
}

func TestPathCanceled(t *testing.T) {
	src := t.TempDir()
	buildChart(t, src, "demo", "1.2.3")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := Cache{Dir: t.TempDir(), Sources: []string{src}}
	if _, err := c.Path(ctx, Ref{Name: "demo", Version: "1.2.3"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPathConcurrent(t *testing.T) {
	tests := []struct {
		name  string
		cache func(t *testing.T) (Cache, Ref)
	}{
		{"from a source", func(t *testing.T) (Cache, Ref) {
			src := t.TempDir()
			buildChart(t, src, "demo", "1.2.3", "sub")
			return Cache{Dir: filepath.Join(t.TempDir(), "cache"), Sources: []string{src}, Offline: true},
				Ref{Name: "demo", Version: "1.2.3"}
		}},
		{"from a repository", func(t *testing.T) (Cache, Ref) {
			srv := newRepoServer(t, true, map[string][]byte{"demo-1.2.3.tgz": buildArchive(t, "demo", "1.2.3")})
			return Cache{Dir: filepath.Join(t.TempDir(), "cache"), Transport: srv.Client().Transport.(*http.Transport)},
				Ref{Repository: srv.URL + "/charts", Name: "demo", Version: "1.2.3"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ref := tt.cache(t)
			const n = 16
			paths := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Each its own Cache value, as separate processes would be.
					c := Cache{Dir: c.Dir, Sources: c.Sources, Offline: c.Offline, Transport: c.Transport}
					if i%2 == 0 {
						paths[i], errs[i] = c.Path(context.Background(), ref)
						return
					}
					var ch *chart.Chart
					ch, errs[i] = c.Load(context.Background(), ref)
					if errs[i] == nil {
						paths[i] = filepath.Join(c.Dir, ch.Metadata.Name+"-"+ch.Metadata.Version+".tgz")
					}
				}()
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("call %d: %v", i, errs[i])
				}
				if paths[i] != filepath.Join(c.Dir, ref.FileName()) {
					t.Fatalf("call %d: path %s", i, paths[i])
				}
			}
			assertCached(t, c.Dir, ref)
		})
	}
}

// TestLocked: with a Lock, an archive is used only when its bytes are the
// locked ones, wherever it comes from; a cache entry with other bytes is
// replaced from a source that has the locked ones.
func TestLocked(t *testing.T) {
	ref := Ref{Repository: "https://charts.example/", Name: "demo", Version: "1.2.3"}
	locked := buildArchive(t, "demo", "1.2.3")
	other := repack(t, locked) // the same files, other bytes

	lock := &chartlock.Lock{Charts: []chartlock.Entry{{Name: "demo", Version: "1.2.3", Repository: ref.Repository, Digest: chartlock.Digest(locked)}}}
	tests := []struct {
		name          string
		cached, found []byte   // in the cache, in the source (nil: none)
		ref           Ref      // default ref
		want          []string // in the error; none: the locked bytes are returned
		origin        string   // where they came from: "cache" or "source"
	}{
		{name: "from a source", found: locked, origin: "source"},
		{name: "cached", cached: locked, found: other, origin: "cache"},
		{name: "other bytes in the source", found: other,
			want: []string{"chart demo 1.2.3", chartlock.Digest(other), chartlock.Digest(locked), "SOURCE", "make lock"}},
		{name: "other bytes in the cache, the locked ones in the source", cached: other, found: locked, origin: "source"},
		{name: "other bytes in the cache, none elsewhere", cached: other,
			want: []string{"cached archive was unusable", chartlock.Digest(other), chartlock.Digest(locked), "CACHE"}},
		{name: "not locked", found: locked, ref: Ref{Repository: ref.Repository, Name: "demo", Version: "1.2.4"},
			want: []string{"chart demo 1.2.4", "is not in the chart lock", "make lock"}},
		{name: "locked from another repository", found: locked, ref: Ref{Repository: "https://mirror.example/", Name: "demo", Version: "1.2.3"},
			want: []string{"comes from https://mirror.example/", "has it from https://charts.example/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Cache{Dir: t.TempDir(), Sources: []string{t.TempDir()}, Offline: true, Lock: lock}
			r := ref
			if tt.ref.Name != "" {
				r = tt.ref
			}
			cachePath := filepath.Join(c.Dir, r.FileName())
			sourcePath := filepath.Join(c.Sources[0], r.FileName())
			if tt.cached != nil {
				writeFile(t, c.Dir, r.FileName(), tt.cached)
			}
			if tt.found != nil {
				writeFile(t, c.Sources[0], r.FileName(), tt.found)
			}
			a, err := c.Get(context.Background(), r)
			if len(tt.want) > 0 {
				if err == nil {
					t.Fatalf("got %+v, want an error", a)
				}
				for _, w := range tt.want {
					w = strings.NewReplacer("SOURCE", sourcePath, "CACHE", cachePath).Replace(w)
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if data, _ := os.ReadFile(cachePath); bytes.Equal(data, tt.found) && tt.found != nil {
					t.Error("the refused archive was cached")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(a.Path)
			if !bytes.Equal(data, locked) || a.Digest != chartlock.Digest(locked) {
				t.Fatalf("%s holds other bytes than the locked ones (digest %s)", a.Path, a.Digest)
			}
			want := map[string]string{"cache": cachePath, "source": sourcePath}[tt.origin]
			if a.Origin != want {
				t.Errorf("origin %s, want %s", a.Origin, want)
			}
		})
	}
}

// repack returns a chart archive with the same files as archive, gzipped
// again with a comment: other bytes, the same chart.
func repack(t *testing.T, archive []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Comment = "repacked"
	zw.Write(plain)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
