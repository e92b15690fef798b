package chartlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown field", "charts:\n- name: a\n  version: 1.0.0\n  repository: https://r\n  digest: " + d1 + "\n  sha: x\n", []string{`unknown field "sha"`, "make lock"}},
		{"bad digest", "charts:\n- name: a\n  version: 1.0.0\n  repository: https://r\n  digest: md5:abc\n", []string{"charts[0].digest", `"md5:abc"`, "64 lower-case hex"}},
		{"bad manifest digest", "charts:\n- name: a\n  version: 1.0.0\n  repository: oci://r\n  digest: " + d1 + "\n  manifestDigest: sha256:XY\n", []string{"charts[0].manifestDigest", `"sha256:XY"`}},
		{"twice", "charts:\n- {name: a, version: 1.0.0, repository: https://r, digest: " + d1 + "}\n- {name: a, version: 1.0.0, repository: https://r, digest: " + d2 + "}\n", []string{"charts[1]", "locked twice"}},
		{"no repository", "charts:\n- {name: a, version: 1.0.0, digest: " + d1 + "}\n", []string{"charts[0].repository", "chart a 1.0.0"}},
		{"no version", "charts:\n- {name: a, repository: https://r, digest: " + d1 + "}\n", []string{"charts[0]", `version ""`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("envs/charts.lock", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tt.want, "envs/charts.lock") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	l := &Lock{Charts: []Entry{
		{Name: "ollama", Version: "1.77.0", Repository: "https://helm.otwld.com/", Digest: d2},
		{Name: "librechat", Version: "2.0.8", Repository: "oci://ghcr.io/x", Digest: d1, ManifestDigest: d2},
	}}
	path := filepath.Join(t.TempDir(), "charts.lock")
	if err := l.Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Charts[0].Name != "librechat" || got.Charts[1].Name != "ollama" {
		t.Errorf("not sorted by name: %+v", got.Charts)
	}
	if got.Charts[0].ManifestDigest != d2 {
		t.Errorf("manifest digest lost: %+v", got.Charts[0])
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# The Helm charts") || strings.Contains(string(data), "manifestDigest: \"\"") {
		t.Errorf("file:\n%s", data)
	}
	again, _ := got.Marshal()
	if string(again) != string(data) {
		t.Errorf("not stable:\n%s\nthen\n%s", data, again)
	}
}

func TestReadMissing(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "charts.lock"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "run `make lock`") {
		t.Fatalf("got %v", err)
	}
}

func TestEntry(t *testing.T) {
	l := &Lock{Charts: []Entry{{Name: "ollama", Version: "1.77.0", Repository: "https://helm.otwld.com/", Digest: d1}}}
	tests := []struct {
		name, repo, chart, version string
		want                       []string // empty: found
	}{
		{"locked", "https://helm.otwld.com/", "ollama", "1.77.0", nil},
		{"other version", "https://helm.otwld.com/", "ollama", "1.78.0", []string{"chart ollama 1.78.0 (https://helm.otwld.com/) is not in the chart lock envs/charts.lock", "run `make lock`"}},
		{"other chart", "https://helm.otwld.com/", "olama", "1.77.0", []string{"olama 1.77.0", "not in the chart lock"}},
		{"other repository", "https://mirror.example/", "ollama", "1.77.0", []string{"comes from https://mirror.example/", "has it from https://helm.otwld.com/", "make lock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := l.Entry(tt.repo, tt.chart, tt.version)
			if tt.want == nil {
				if err != nil || e.Digest != d1 {
					t.Fatalf("got %+v, %v", e, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("found %+v", e)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestVerify(t *testing.T) {
	data := []byte("the archive")
	e := Entry{Name: "ollama", Version: "1.77.0", Repository: "https://helm.otwld.com/", Digest: Digest(data)}
	if err := e.Verify(data, "x"); err != nil {
		t.Fatal(err)
	}
	other := []byte("other bytes, same name and version")
	err := e.Verify(other, "/charts/ollama-1.77.0.tgz")
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatalf("got %v", err)
	}
	for _, w := range []string{"chart ollama 1.77.0", "/charts/ollama-1.77.0.tgz", Digest(other), e.Digest, "make lock"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestStackPath(t *testing.T) {
	if got := StackPath("ingress-nginx", "4.15.1"); got != "./charts/ingress-nginx-4.15.1.tgz" {
		t.Errorf("got %q", got)
	}
}
