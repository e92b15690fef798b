package recovery

import (
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/releaseutil"
)

const (
	deploymentDoc = `# Source: ollama/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama
  namespace: ollama
spec:
  replicas: 1
`
	serviceDoc = `# Source: ollama/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ollama
`
	claimDoc = `# Source: ollama/templates/pvc.yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ollama
  namespace: ollama
  labels:
    app: ollama
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 20Gi
`
	newClaimDoc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ollama-cache
  namespace: ollama
`
	deletingSetDoc = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mongodb
  namespace: ollama
spec:
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Delete
`
	retainingSetDoc = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: meilisearch
  namespace: ollama
`
)

func manifest(docs ...string) string {
	return "---\n" + strings.Join(docs, "---\n")
}

// keptByHelm is what Helm's uninstall would keep of a manifest, read the
// way Helm reads it (releaseutil.SortManifests, then the annotation).
func keptByHelm(t *testing.T, m string) []string {
	t.Helper()
	_, files, err := releaseutil.SortManifests(releaseutil.SplitManifests(m), nil, releaseutil.UninstallOrder)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, f := range files {
		if f.Head.Metadata != nil && f.Head.Metadata.Annotations[kube.ResourcePolicyAnno] == kube.KeepPolicy {
			kept = append(kept, f.Head.Kind+" "+f.Head.Metadata.Name)
		}
	}
	return kept
}

func TestKeepData(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		want     []string
		helmKeep []string
	}{
		{name: "no data", manifest: manifest(deploymentDoc, serviceDoc), want: nil, helmKeep: nil},
		{name: "a chart's claim", manifest: manifest(deploymentDoc, claimDoc, serviceDoc),
			want: []string{"PersistentVolumeClaim ollama/ollama"}, helmKeep: []string{"PersistentVolumeClaim ollama"}},
		{name: "a StatefulSet that deletes its claims, not one that keeps them", manifest: manifest(retainingSetDoc, deletingSetDoc, newClaimDoc),
			want:     []string{"StatefulSet ollama/mongodb", "PersistentVolumeClaim ollama/ollama-cache"},
			helmKeep: []string{"StatefulSet mongodb", "PersistentVolumeClaim ollama-cache"}},
		{name: "empty", manifest: "", want: nil, helmKeep: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kept, err := keepData(tc.manifest)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(kept, tc.want) {
				t.Errorf("kept %q; want %q", kept, tc.want)
			}
			if helm := keptByHelm(t, got); !reflect.DeepEqual(helm, tc.helmKeep) {
				t.Errorf("Helm would keep %q; want %q; manifest:\n%s", helm, tc.helmKeep, got)
			}
			if n := len(releaseutil.SplitManifests(got)); n != len(releaseutil.SplitManifests(tc.manifest)) {
				t.Errorf("%d documents; want %d", n, len(releaseutil.SplitManifests(tc.manifest)))
			}
		})
	}
}

func TestKeepDataKeepsTheRest(t *testing.T) {
	got, _, err := keepData(manifest(deploymentDoc, claimDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{deploymentDoc, "# Source: ollama/templates/pvc.yaml\n", "storage: 20Gi", "app: ollama", "helm.sh/resource-policy: keep"} {
		if !strings.Contains(got, want) {
			t.Errorf("manifest lacks %q:\n%s", want, got)
		}
	}
}

func TestKeepDataRejectsBrokenManifest(t *testing.T) {
	if _, _, err := keepData("---\nkind: [unclosed\n"); err == nil {
		t.Error("a broken manifest was accepted")
	}
}

func TestDropDataNotIn(t *testing.T) {
	tests := []struct {
		name            string
		current, target string
		left            []string
		wantDocs        int
	}{
		{name: "same objects", current: manifest(deploymentDoc, claimDoc), target: manifest(deploymentDoc, claimDoc), wantDocs: 2},
		{name: "a claim added by the stuck upgrade", current: manifest(deploymentDoc, claimDoc, newClaimDoc), target: manifest(deploymentDoc, claimDoc),
			left: []string{"PersistentVolumeClaim ollama/ollama-cache"}, wantDocs: 2},
		{name: "a Service added is still removed by the rollback", current: manifest(deploymentDoc, serviceDoc, deletingSetDoc), target: manifest(deploymentDoc),
			left: []string{"StatefulSet ollama/mongodb"}, wantDocs: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, left, err := dropDataNotIn(tc.current, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(left, tc.left) {
				t.Errorf("left %q; want %q", left, tc.left)
			}
			if n := len(releaseutil.SplitManifests(got)); n != tc.wantDocs {
				t.Errorf("%d documents; want %d:\n%s", n, tc.wantDocs, got)
			}
			if tc.left == nil && got != tc.current {
				t.Errorf("the manifest changed though nothing was left:\n%s", got)
			}
		})
	}
}
