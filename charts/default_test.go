package charts

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDefault(t *testing.T) {
	tests := []struct {
		name   string
		env    bool // $CHARTS_DIR set
		shared bool // ../shared/charts exists
	}{
		{"neither", false, false},
		{"env only", true, false},
		{"shared only", false, true},
		{"env then shared", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := t.TempDir()
			root := filepath.Join(top, "main")
			shared := filepath.Join(top, "shared", "charts")
			env := filepath.Join(top, "elsewhere")
			if tt.shared {
				if err := os.MkdirAll(shared, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv(EnvVar, "")
			var want []string
			if tt.env {
				t.Setenv(EnvVar, env)
				want = append(want, env)
			}
			if tt.shared {
				want = append(want, shared)
			}
			c := Default(root)
			if c.Dir != filepath.Join(root, ".charts") {
				t.Errorf("Dir = %s, want %s", c.Dir, filepath.Join(root, ".charts"))
			}
			if !slices.Equal(c.Sources, want) {
				t.Errorf("Sources = %q, want %q", c.Sources, want)
			}
			if c.Offline || c.Getters != nil || c.Transport != nil || c.RegistryClient != nil {
				t.Errorf("Default set more than Dir and Sources: %+v", c)
			}
		})
	}
}

// TestSharedCharts loads the project's real pinned charts from
// ../shared/charts, through Default, where that directory exists (CI has it).
func TestSharedCharts(t *testing.T) {
	c := Default("..")
	if !slices.Contains(c.Sources, filepath.Join(filepath.Dir(filepath.Dir(mustAbs(t, "."))), "shared", "charts")) {
		t.Skip("no ../shared/charts beside the project")
	}
	c.Dir = t.TempDir() // not the project's own cache
	c.Offline = true
	tests := []struct {
		ref       Ref
		subcharts []string
	}{
		{Ref{"https://helm.otwld.com/", "ollama", "1.77.0"}, nil},
		{Ref{"oci://ghcr.io/danny-avila/librechat-chart", "librechat", "2.0.8"},
			[]string{"librechat-rag-api", "meilisearch", "mongodb", "redis"}},
		{Ref{"https://kubernetes.github.io/ingress-nginx", "ingress-nginx", "4.15.1"}, nil},
		{Ref{"https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", "0.20.0"}, []string{"node-feature-discovery"}},
	}
	for _, tt := range tests {
		t.Run(tt.ref.Name, func(t *testing.T) {
			ch, err := c.Load(context.Background(), tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata.Name != tt.ref.Name || ch.Metadata.Version != tt.ref.Version {
				t.Fatalf("Load = %s-%s", ch.Metadata.Name, ch.Metadata.Version)
			}
			var subs []string
			for _, d := range ch.Dependencies() {
				subs = append(subs, d.Name())
			}
			slices.Sort(subs)
			if !slices.Equal(subs, tt.subcharts) {
				t.Fatalf("subcharts %q, want %q", subs, tt.subcharts)
			}
			if _, err := c.Path(context.Background(), tt.ref); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
