package render

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"
)

func writeStack(t *testing.T, json string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "apps-x")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReleases(t *testing.T) {
	dir := writeStack(t, `{"resource":{"helm_release":{
		"b":{"name":"b","namespace":"nb","chart":"./charts/c-d-1.0.0.tgz","version":"1.0.0","values":["a: {x: 1, w: [1]}\n","a: {w: [2]}\nz: s\n"]},
		"a":{"name":"a","namespace":"na","chart":"./charts/c-2.0.0.tgz","version":"2.0.0"}}}}`)
	rs, err := Releases(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Address != "helm_release.a" || rs[1].Stack != "apps-x" || rs[1].ID != "b" {
		t.Fatalf("releases: %+v", rs)
	}
	// The chart is the archive in the stack's folder, its name what the
	// file name has before -<version>.tgz.
	if rs[1].Chart != "c-d" || rs[1].Archive != filepath.Join(dir, "charts", "c-d-1.0.0.tgz") || rs[0].Chart != "c" || rs[0].Version != "2.0.0" {
		t.Fatalf("charts: %+v", rs)
	}
	// Later documents win, deep; lists are replaced, not appended.
	want := map[string]any{"a": map[string]any{"x": float64(1), "w": []any{float64(2)}}, "z": "s"}
	if !reflect.DeepEqual(rs[1].Values, want) {
		t.Fatalf("values: got %v, want %v", rs[1].Values, want)
	}
}

func TestReleasesRejects(t *testing.T) {
	for name, c := range map[string]struct{ json, want string }{
		"a reference":     {`{"resource":{"helm_release":{"r":{"name":"${var.x}","namespace":"n","chart":"./charts/c-1.tgz","version":"1"}}}}`, "name is"},
		"no namespace":    {`{"resource":{"helm_release":{"r":{"name":"r","chart":"./charts/c-1.tgz","version":"1"}}}}`, "namespace is"},
		"set":             {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","chart":"./charts/c-1.tgz","version":"1","set":[{"name":"a","value":"b"}]}}}}`, "set is not supported"},
		"bad values":      {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","chart":"./charts/c-1.tgz","version":"1","values":["a: [\n"]}}}}`, "values[0]"},
		"a repository":    {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","repository":"https://r","chart":"c","version":"1"}}}}`, "never from a repository"},
		"a chart by name": {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","chart":"c","version":"1"}}}}`, `chart is "c"; it must be the locked archive in the stack's folder, "./charts/<name>-1.tgz"`},
		"another version": {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","chart":"./charts/c-2.tgz","version":"1"}}}}`, `chart is "./charts/c-2.tgz"`},
		"outside charts/": {`{"resource":{"helm_release":{"r":{"name":"r","namespace":"n","chart":"../c-1.tgz","version":"1"}}}}`, `chart is "../c-1.tgz"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Releases(writeStack(t, c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "apps-x: helm_release.r") {
				t.Fatalf("got %v, want an error naming the release and %q", err, c.want)
			}
		})
	}
}

// testChart is a chart with a Deployment, a test hook and a pre-install hook.
func testChart() *chart.Chart {
	return &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "demo", Version: "0.1.0"},
		Values:   map[string]any{"replicas": 1, "image": "demo:1"},
		Templates: []*chart.File{
			{Name: "templates/deploy.yaml", Data: []byte(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers: [{name: demo, image: {{ .Values.image | quote }}}]
`)},
			{Name: "templates/kube.yaml", Data: []byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: kube}
data: {version: {{ .Capabilities.KubeVersion.Minor | quote }}}
`)},
			{Name: "templates/test.yaml", Data: []byte(`apiVersion: v1
kind: Pod
metadata: {name: t, annotations: {"helm.sh/hook": test}}
spec: {containers: [{name: t, image: "busybox:1"}]}
`)},
			{Name: "templates/job.yaml", Data: []byte(`apiVersion: batch/v1
kind: Job
metadata: {name: pre, annotations: {"helm.sh/hook": pre-install}}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: j, image: "busybox:1"}]}}}
`)},
		},
	}
}

func TestRender(t *testing.T) {
	r := Release{Stack: "apps-x", Address: "helm_release.demo", Name: "demo", Namespace: "ns", Chart: "demo", Version: "0.1.0", Values: map[string]any{"replicas": 3}}
	out, err := Render(context.Background(), r, testChart(), "1.31")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range out.Objects {
		ids = append(ids, o.Namespace+"/"+o.ID()+"@"+o.Hook)
	}
	want := []string{"ns/ConfigMap/kube@", "ns/Deployment/demo@", "ns/Job/pre@pre-install"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("objects %v, want %v (test hooks left out)", ids, want)
	}
	if d := out.Objects[1].Typed.(*appsv1.Deployment); *d.Spec.Replicas != 3 {
		t.Fatalf("replicas %d, want the release's 3", *d.Spec.Replicas)
	}
	if !strings.Contains(out.Manifest, `version: "31"`) || !strings.Contains(out.Manifest, "# Source: demo/templates/job.yaml") {
		t.Fatalf("manifest lacks the target version or the hook's source:\n%s", out.Manifest)
	}
	if r.Values["replicas"] != 3 || len(r.Values) != 1 {
		t.Fatalf("Render changed the release's values: %v", r.Values)
	}
}

func TestRenderFailureNamesTheRelease(t *testing.T) {
	ch := testChart()
	ch.Templates = append(ch.Templates, &chart.File{Name: "templates/fail.yaml", Data: []byte(`{{ fail "no" }}`)})
	_, err := Render(context.Background(), Release{Address: "helm_release.demo", Name: "demo", Namespace: "ns", Chart: "demo", Version: "0.1.0"}, ch, "")
	if err == nil || !strings.Contains(err.Error(), "helm_release.demo (demo 0.1.0)") {
		t.Fatalf("got %v", err)
	}
}

// renderedOnce renders the test chart's release once through a fresh Cache:
// the archive, the cache, the release and what the render returned.
func renderedOnce(t *testing.T) (string, Cache, Release, *Rendered) {
	t.Helper()
	archive, err := chartutil.Save(testChart(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	r := Release{Address: "helm_release.demo", Name: "demo", Namespace: "ns", Chart: "demo", Version: "0.1.0", Values: map[string]any{"replicas": 2}}
	first, err := c.Render(context.Background(), r, archive, "1.34")
	if err != nil {
		t.Fatal(err)
	}
	return archive, c, r, first
}

func TestCache(t *testing.T) {
	archive, c, r, first := renderedOnce(t)
	files, _ := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("%d cached results, want 1", len(files))
	}
	// A hit returns what the render returned.
	again, err := c.Render(context.Background(), r, archive, "1.34")
	if err != nil || again.Manifest != first.Manifest || len(again.Objects) != len(first.Objects) || again.Chart == nil {
		t.Fatalf("cache hit differs: %v", err)
	}
	for i := range first.Objects {
		if !reflect.DeepEqual(again.Objects[i], first.Objects[i]) {
			t.Errorf("object %d from the cache's JSON differs from the render's:\n%+v\n%+v", i, again.Objects[i], first.Objects[i])
		}
	}
	// The hit really comes from the file.
	marker := "---\n# Source: demo/templates/marker.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: marker}\n"
	if err := os.WriteFile(files[0], []byte(`{"manifest":`+strconv.Quote(marker)+`}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if hit, err := c.Render(context.Background(), r, archive, "1.34"); err != nil || len(hit.Objects) != 1 || hit.Objects[0].Name != "marker" {
		t.Fatalf("the cached result was not used: %v", err)
	}
	// A hit reads its objects from their cached JSON, not from the YAML.
	byJSON := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-json"}}`
	if err := os.WriteFile(files[0], []byte(`{"manifest":`+strconv.Quote(marker)+`,"objects":[`+byJSON+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if hit, err := c.Render(context.Background(), r, archive, "1.34"); err != nil || len(hit.Objects) != 1 || hit.Objects[0].Name != "from-json" || hit.Objects[0].Source != "demo/templates/marker.yaml" {
		t.Fatalf("the cached JSON was not used: %v %+v", err, hit)
	}
	// An entry whose objects and documents differ in number is rendered again.
	if err := os.WriteFile(files[0], []byte(`{"manifest":`+strconv.Quote(marker+marker)+`,"objects":[`+byJSON+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := c.Render(context.Background(), r, archive, "1.34"); err != nil || out.Manifest != first.Manifest {
		t.Fatalf("a short entry was trusted: %v", err)
	}
	// Every input is in the key.
	for name, edit := range map[string]func(*Release, *string){
		"values":    func(r *Release, _ *string) { r.Values = map[string]any{"replicas": 5} },
		"name":      func(r *Release, _ *string) { r.Name = "other" },
		"namespace": func(r *Release, _ *string) { r.Namespace = "other" },
		"kube":      func(_ *Release, k *string) { *k = "1.33" },
	} {
		rr, kube := r, "1.34"
		edit(&rr, &kube)
		if _, err := c.Render(context.Background(), rr, archive, kube); err != nil {
			t.Fatal(err)
		}
		if now, _ := filepath.Glob(filepath.Join(c.Dir, "*.json")); len(now) != len(files)+1 {
			t.Fatalf("changing the %s did not make a new cache entry", name)
		}
		files, _ = filepath.Glob(filepath.Join(c.Dir, "*.json"))
	}
	// A corrupt entry is rendered again, not trusted.
	for _, f := range files {
		if err := os.WriteFile(f, []byte("not json"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.Render(context.Background(), r, archive, "1.34"); err != nil || out.Manifest != first.Manifest {
		t.Fatalf("corrupt cache: %v", err)
	}
}
