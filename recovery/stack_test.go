package recovery

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const appsStack = `{
  "variable": {
    "kubeconfig_path": {"default": "~/.kube/config", "type": "string"},
    "kube_context": {"default": "minikube", "type": "string"}
  },
  "resource": {
    "helm_release": {
      "ollama": {"name": "ollama", "namespace": "ollama", "chart": "./charts/ollama-1.77.0.tgz", "version": "1.77.0", "timeout": 1800, "max_history": 10, "wait_for_jobs": true},
      "ingress_nginx": {"name": "ingress-nginx", "namespace": "ingress-nginx", "chart": "./charts/ingress-nginx-4.15.1.tgz", "version": "4.15.1"}
    }
  }
}`

func writeStack(t *testing.T, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "apps-dev")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func envOf(vars map[string]string) LookupEnv {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestLoadStackReleases(t *testing.T) {
	s, err := LoadStack(writeStack(t, appsStack), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []Release{
		{Address: "helm_release.ingress_nginx", Name: "ingress-nginx", Namespace: "ingress-nginx", Timeout: 300 * time.Second},
		{Address: "helm_release.ollama", Name: "ollama", Namespace: "ollama", Timeout: 30 * time.Minute, MaxHistory: 10, WaitForJobs: true},
	}
	if s.Name != "apps-dev" || !reflect.DeepEqual(s.Releases, want) {
		t.Errorf("got %s %+v; want apps-dev %+v", s.Name, s.Releases, want)
	}
}

func TestLoadStackCluster(t *testing.T) {
	t.Setenv("HOME", "/home/ops")
	tests := []struct {
		name string
		env  map[string]string
		want Cluster
	}{
		{name: "defaults, ~ expanded", want: Cluster{Kubeconfig: "/home/ops/.kube/config", Context: "minikube"}},
		{name: "TF_VAR_ overrides", env: map[string]string{"TF_VAR_kubeconfig_path": "/etc/kube/prod", "TF_VAR_kube_context": "prod"},
			want: Cluster{Kubeconfig: "/etc/kube/prod", Context: "prod"}},
		{name: "empty context means the current one", env: map[string]string{"TF_VAR_kube_context": ""},
			want: Cluster{Kubeconfig: "/home/ops/.kube/config"}},
		{name: "~ in the override", env: map[string]string{"TF_VAR_kubeconfig_path": "~/other"},
			want: Cluster{Kubeconfig: "/home/ops/other", Context: "minikube"}},
		{name: "~user is not expanded", env: map[string]string{"TF_VAR_kubeconfig_path": "~ops/config"},
			want: Cluster{Kubeconfig: "~ops/config", Context: "minikube"}},
		{name: "HELM_DRIVER as the helm provider reads it", env: map[string]string{"HELM_DRIVER": "configmap"},
			want: Cluster{Kubeconfig: "/home/ops/.kube/config", Context: "minikube", Driver: "configmap"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadStack(writeStack(t, appsStack), envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if s.Cluster != tc.want {
				t.Errorf("cluster %+v; want %+v", s.Cluster, tc.want)
			}
		})
	}
}

func TestLoadStackErrors(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{name: "not JSON", content: "{", want: "cdk.tf.json"},
		{name: "computed name", content: `{"resource":{"helm_release":{"x":{"name":"${var.n}","namespace":"a"}}}}`, want: "helm_release.x: name"},
		{name: "no name", content: `{"resource":{"helm_release":{"x":{"namespace":"a"}}}}`, want: "must be a literal value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadStack(writeStack(t, tc.content), envOf(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want %q in it", err, tc.want)
			}
		})
	}
	if _, err := LoadStack(t.TempDir(), envOf(nil)); err == nil {
		t.Error("a folder without cdk.tf.json was read")
	}
}

func TestLoadStackWithoutReleases(t *testing.T) {
	s, err := LoadStack(writeStack(t, `{}`), envOf(nil))
	if err != nil || len(s.Releases) != 0 {
		t.Errorf("got %+v, %v; want no releases", s, err)
	}
}

func TestClusterString(t *testing.T) {
	for c, want := range map[Cluster]string{
		{Kubeconfig: "/k", Context: "prod"}: `kubeconfig /k, context "prod"`,
		{Kubeconfig: "/k"}:                  "kubeconfig /k, its current context",
	} {
		if got := c.String(); got != want {
			t.Errorf("%+v: %q; want %q", c, got, want)
		}
	}
}

func TestLongestApply(t *testing.T) {
	rel := func(id string, timeout time.Duration) Release {
		return Release{Address: "helm_release." + id, Timeout: timeout}
	}
	tests := []struct {
		name     string
		releases []Release
		deps     map[string][]string
		want     time.Duration
	}{
		{name: "no releases: the margin", want: ApplyMargin},
		{name: "independent: the longest, twice", releases: []Release{rel("a", 10*time.Minute), rel("b", 30*time.Minute)}, want: 60*time.Minute + ApplyMargin},
		{name: "a chain adds up (prod: nvidia, then ollama)", releases: []Release{rel("nvidia", 10*time.Minute), rel("ollama", 30*time.Minute), rel("ingress", 10*time.Minute)},
			deps: map[string][]string{"helm_release.ollama": {"helm_release.nvidia"}}, want: 80*time.Minute + ApplyMargin},
		{name: "the longest of two chains", releases: []Release{rel("a", 10*time.Minute), rel("b", 10*time.Minute), rel("c", 25*time.Minute)},
			deps: map[string][]string{"helm_release.b": {"helm_release.a"}}, want: 50*time.Minute + ApplyMargin},
		{name: "a dependency on something else counts nothing", releases: []Release{rel("a", 5*time.Minute)},
			deps: map[string][]string{"helm_release.a": {"kubernetes_namespace_v1.x"}}, want: 10*time.Minute + ApplyMargin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Stack{Releases: tc.releases, DependsOn: tc.deps}).LongestApply(); got != tc.want {
				t.Errorf("LongestApply = %s; want %s", got, tc.want)
			}
		})
	}
}

func TestLoadStackDependsOn(t *testing.T) {
	doc := strings.Replace(appsStack, `"wait_for_jobs": true}`, `"wait_for_jobs": true, "depends_on": ["helm_release.ingress_nginx"]}`, 1)
	s, err := LoadStack(writeStack(t, doc), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.DependsOn["helm_release.ollama"]; !reflect.DeepEqual(got, []string{"helm_release.ingress_nginx"}) {
		t.Errorf("ollama depends on %v; want helm_release.ingress_nginx", got)
	}
	if got, want := s.LongestApply(), 2*(5*time.Minute+30*time.Minute)+ApplyMargin; got != want {
		t.Errorf("LongestApply = %s; want %s", got, want)
	}
}
