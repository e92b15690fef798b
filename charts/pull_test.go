package charts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
)

// repoServer is an https (or http) chart repository at <URL>/charts/.
type repoServer struct {
	*httptest.Server
	hits atomic.Int64 // requests served
}

// newRepoServer serves files under /charts/. Unless files has its own
// index.yaml, the index is made by repo.IndexDirectory from the archives.
func newRepoServer(t *testing.T, tls bool, files map[string][]byte) *repoServer {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		writeFile(t, dir, name, data)
	}
	s := &repoServer{}
	files404 := http.StripPrefix("/charts/", http.FileServer(http.Dir(dir)))
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		files404.ServeHTTP(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	if _, ok := files["index.yaml"]; !ok && len(files) > 0 {
		idx, err := repo.IndexDirectory(dir, s.URL+"/charts")
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// transport returns the transport that trusts s.
func (s *repoServer) transport() *http.Transport { return s.Client().Transport.(*http.Transport) }

// indexOf returns an index.yaml that lists the chart name-version at the
// relative URL file, whatever file holds.
func indexOf(t *testing.T, name, version, file string) []byte {
	t.Helper()
	idx := repo.NewIndexFile()
	md := &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version}
	if err := idx.MustAdd(md, file, "", "sha256:0"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestPathPullsFromRepository(t *testing.T) {
	tests := []struct {
		name  string
		tls   bool
		files func(t *testing.T) map[string][]byte
		repo  string // after the server's URL
	}{
		{"https, index by IndexDirectory", true, func(t *testing.T) map[string][]byte {
			return map[string][]byte{
				"demo-1.2.3.tgz": buildArchive(t, "demo", "1.2.3"),
				"demo-1.2.4.tgz": buildArchive(t, "demo", "1.2.4"),
				"else-1.2.3.tgz": buildArchive(t, "else", "1.2.3"),
			}
		}, "/charts/"},
		{"https, no trailing slash", true, func(t *testing.T) map[string][]byte {
			return map[string][]byte{"demo-1.2.3.tgz": buildArchive(t, "demo", "1.2.3")}
		}, "/charts"},
		{"http, relative chart URL in the index", false, func(t *testing.T) map[string][]byte {
			return map[string][]byte{
				"index.yaml":      indexOf(t, "demo", "1.2.3", "pkg/demo.tgz"),
				"pkg/demo.tgz":    buildArchive(t, "demo", "1.2.3"),
				"demo-1.2.3.tgz":  buildArchive(t, "demo", "9.9.9"), // not what the index lists
				"other-1.2.3.tgz": buildArchive(t, "other", "1.2.3"),
			}
		}, "/charts/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRepoServer(t, tt.tls, tt.files(t))
			ref := Ref{Repository: srv.URL + tt.repo, Name: "demo", Version: "1.2.3"}
			c := Cache{Dir: filepath.Join(t.TempDir(), ".charts"), Sources: []string{t.TempDir()}, Transport: srv.transport()}
			p, err := c.Path(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if p != filepath.Join(c.Dir, ref.FileName()) {
				t.Fatalf("Path = %s", p)
			}
			assertCached(t, c.Dir, ref)
			if n := srv.hits.Load(); n != 2 {
				t.Fatalf("%d requests, want 2 (index.yaml and the archive)", n)
			}
			ch, err := c.Load(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata.Name != "demo" || ch.Metadata.Version != "1.2.3" {
				t.Fatalf("Load = %s-%s", ch.Metadata.Name, ch.Metadata.Version)
			}
			if n := srv.hits.Load(); n != 2 {
				t.Fatalf("%d requests after a cache hit, want still 2", n)
			}
		})
	}
}

func TestPathPullVersionNotInIndex(t *testing.T) {
	srv := newRepoServer(t, true, map[string][]byte{"demo-1.2.4.tgz": buildArchive(t, "demo", "1.2.4")})
	c := Cache{Dir: t.TempDir(), Transport: srv.transport()}
	ref := Ref{Repository: srv.URL + "/charts/", Name: "demo", Version: "1.2.3"}
	_, err := c.Path(context.Background(), ref)
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v, want a *MissingError", err)
	}
	if !strings.Contains(err.Error(), "not in the index of "+ref.Repository) {
		t.Fatalf("error %q does not say the version is not in the index", err)
	}
	assertDirHolds(t, c.Dir)
}

func TestPathPullRejectsMismatchedArchive(t *testing.T) {
	tests := []struct {
		name  string
		cache func(t *testing.T) (Cache, Ref)
		want  string
	}{
		{"https repository", func(t *testing.T) (Cache, Ref) {
			srv := newRepoServer(t, true, map[string][]byte{
				"index.yaml":     indexOf(t, "demo", "1.2.3", "demo-1.2.3.tgz"),
				"demo-1.2.3.tgz": buildArchive(t, "demo", "1.3.0"),
			})
			return Cache{Dir: t.TempDir(), Transport: srv.transport()},
				Ref{Repository: srv.URL + "/charts/", Name: "demo", Version: "1.2.3"}
		}, "/charts/demo-1.2.3.tgz holds chart demo version 1.3.0, not the wanted chart demo version 1.2.3"},
		{"oci registry", func(t *testing.T) (Cache, Ref) {
			srv := newRegistryServer(t, "charts/demo", "1.2.3", buildArchive(t, "other", "1.2.3"))
			return Cache{Dir: t.TempDir(), Transport: srv.transport()},
				Ref{Repository: "oci://" + srv.host() + "/charts", Name: "demo", Version: "1.2.3"}
		}, "/charts/demo:1.2.3 holds chart other version 1.2.3, not the wanted chart demo version 1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ref := tt.cache(t)
			_, err := c.Path(context.Background(), ref)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one that says %q", err, tt.want)
			}
			var missing *MissingError
			if errors.As(err, &missing) {
				t.Fatalf("a wrong archive is not a missing chart: %v", err)
			}
			assertDirHolds(t, c.Dir)
		})
	}
}

// registryServer is an in-process OCI registry (over TLS) that serves one
// chart, as the OCI distribution API does for `helm pull oci://…`.
type registryServer struct {
	*httptest.Server
	manifests atomic.Int64 // manifest requests served
}

// host returns the registry's host:port.
func (s *registryServer) host() string { return s.Listener.Addr().String() }

// transport returns the transport that trusts s.
func (s *registryServer) transport() *http.Transport { return s.Client().Transport.(*http.Transport) }

// newRegistryServer serves archive as the chart repository path:tag, with a
// config blob of the archive's Chart.yaml, as helm push makes it.
func newRegistryServer(t *testing.T, path, tag string, archive []byte) *registryServer {
	t.Helper()
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	config, err := json.Marshal(ch.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	digest := func(b []byte) string { s := sha256.Sum256(b); return "sha256:" + hex.EncodeToString(s[:]) }
	desc := func(mediaType string, b []byte) map[string]any {
		return map[string]any{"mediaType": mediaType, "digest": digest(b), "size": len(b)}
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        desc(registry.ConfigMediaType, config),
		"layers":        []any{desc(registry.ChartLayerMediaType, archive)},
	})
	if err != nil {
		t.Fatal(err)
	}
	blobs := map[string][]byte{digest(config): config, digest(archive): archive}

	s := &registryServer{}
	serve := func(w http.ResponseWriter, r *http.Request, mediaType string, b []byte) {
		w.Header().Set("Content-Type", mediaType)
		w.Header().Set("Docker-Content-Digest", digest(b))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	}
	notFound := func(w http.ResponseWriter, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"errors":[{"code":%q,"message":"not here"}]}`, code)
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "read-only", http.StatusMethodNotAllowed)
			return
		}
		switch p := r.URL.Path; {
		case p == "/v2/":
			serve(w, r, "application/json", []byte("{}"))
		case strings.HasPrefix(p, "/v2/"+path+"/manifests/"):
			s.manifests.Add(1)
			if ref := strings.TrimPrefix(p, "/v2/"+path+"/manifests/"); ref != tag && ref != digest(manifest) {
				notFound(w, "MANIFEST_UNKNOWN")
				return
			}
			serve(w, r, "application/vnd.oci.image.manifest.v1+json", manifest)
		case strings.HasPrefix(p, "/v2/"+path+"/blobs/"):
			b, ok := blobs[strings.TrimPrefix(p, "/v2/"+path+"/blobs/")]
			if !ok {
				notFound(w, "BLOB_UNKNOWN")
				return
			}
			serve(w, r, "application/octet-stream", b)
		default:
			notFound(w, "NAME_UNKNOWN")
		}
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that hang up early
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func TestPathPullsFromOCIRegistry(t *testing.T) {
	tests := []struct {
		name    string
		version string
		tag     string // as the registry has it
		repo    string // after oci://<host>
	}{
		{"plain version", "2.0.8", "2.0.8", "/danny-avila/librechat-chart"},
		{"trailing slash", "2.0.8", "2.0.8", "/danny-avila/librechat-chart/"},
		{"build metadata: + becomes _ in the tag", "2.0.8+build.1", "2.0.8_build.1", "/danny-avila/librechat-chart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRegistryServer(t, "danny-avila/librechat-chart/librechat", tt.tag,
				buildArchive(t, "librechat", tt.version))
			ref := Ref{Repository: "oci://" + srv.host() + tt.repo, Name: "librechat", Version: tt.version}
			c := Cache{Dir: t.TempDir(), Transport: srv.transport()}
			ch, err := c.Load(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata.Name != "librechat" || ch.Metadata.Version != tt.version {
				t.Fatalf("Load = %s-%s", ch.Metadata.Name, ch.Metadata.Version)
			}
			assertCached(t, c.Dir, ref)
			n := srv.manifests.Load()
			if n == 0 {
				t.Fatal("the registry served no manifest")
			}
			if _, err := c.Path(context.Background(), ref); err != nil {
				t.Fatal(err)
			}
			if srv.manifests.Load() != n {
				t.Fatal("a cache hit asked the registry")
			}
		})
	}
}

func TestRefStrings(t *testing.T) {
	tests := []struct {
		ref        Ref
		oci        string
		pull, file string
	}{
		{
			ref:  Ref{Repository: "https://helm.otwld.com/", Name: "ollama", Version: "1.77.0"},
			pull: "helm pull ollama --repo https://helm.otwld.com/ --version 1.77.0",
			file: "ollama-1.77.0.tgz",
		},
		{
			ref:  Ref{Repository: "oci://ghcr.io/danny-avila/librechat-chart", Name: "librechat", Version: "2.0.8"},
			oci:  "ghcr.io/danny-avila/librechat-chart/librechat:2.0.8",
			pull: "helm pull oci://ghcr.io/danny-avila/librechat-chart/librechat --version 2.0.8",
			file: "librechat-2.0.8.tgz",
		},
		{
			ref:  Ref{Repository: "oci://ghcr.io/danny-avila/librechat-chart/", Name: "librechat", Version: "2.0.8"},
			oci:  "ghcr.io/danny-avila/librechat-chart/librechat:2.0.8",
			pull: "helm pull oci://ghcr.io/danny-avila/librechat-chart/librechat --version 2.0.8",
			file: "librechat-2.0.8.tgz",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := tt.ref.PullCommand(); got != tt.pull {
				t.Errorf("PullCommand = %q, want %q", got, tt.pull)
			}
			if got := tt.ref.FileName(); got != tt.file {
				t.Errorf("FileName = %q, want %q", got, tt.file)
			}
			if tt.oci != "" {
				if got := ociRef(tt.ref); got != tt.oci {
					t.Errorf("ociRef = %q, want %q", got, tt.oci)
				}
			}
		})
	}
}
