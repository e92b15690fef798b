// Package recoverytest runs package recovery without a cluster: Helm's
// in-memory release storage (driver.Memory), one per namespace, over a
// fake Kubernetes client that builds objects from manifests and records
// every deletion, failing the test when a PersistentVolumeClaim is deleted.
package recoverytest

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/kube/fake"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/resource"
	"sigs.k8s.io/yaml"
)

// Kube is a fake Helm KubeClient. Build turns a manifest into objects;
// Delete deletes them; Update deletes what the original has and the
// target lacks, as Helm's real client does. Each deletion is recorded as
// "Kind namespace/name"; deleting a PersistentVolumeClaim fails T unless
// AllowClaimDeletion is set.
type Kube struct {
	fake.PrintingKubeClient
	T                  testing.TB
	AllowClaimDeletion bool
	// WaitDelay is how long each Wait takes, to test timeouts.
	WaitDelay time.Duration
	// UpdateError, when set, fails every Update.
	UpdateError error

	mu      sync.Mutex
	deleted []string
	waits   []time.Duration
}

var (
	_ kube.Interface                    = (*Kube)(nil)
	_ kube.InterfaceExt                 = (*Kube)(nil)
	_ kube.InterfaceDeletionPropagation = (*Kube)(nil)
)

// NewKube is a Kube that fails t on any deletion of a claim.
func NewKube(t testing.TB) *Kube {
	return &Kube{PrintingKubeClient: fake.PrintingKubeClient{Out: io.Discard, LogOutput: io.Discard}, T: t}
}

// Deleted lists the deleted objects, in order.
func (k *Kube) Deleted() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.deleted...)
}

// Waits lists the timeouts of every Wait and WaitWithJobs call.
func (k *Kube) Waits() []time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]time.Duration(nil), k.waits...)
}

// Build parses the manifest's documents into objects.
func (k *Kube) Build(r io.Reader, _ bool) (kube.ResourceList, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	files := releaseutil.SplitManifests(string(data))
	keys := make([]string, 0, len(files))
	for key := range files {
		keys = append(keys, key)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var list kube.ResourceList
	for _, key := range keys {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(files[key]), &obj); err != nil {
			return nil, fmt.Errorf("fake build: %w", err)
		}
		if obj != nil {
			list.Append(info(obj))
		}
	}
	return list, nil
}

func info(obj map[string]any) *resource.Info {
	u := &unstructured.Unstructured{Object: obj}
	gvk := schema.FromAPIVersionAndKind(u.GetAPIVersion(), u.GetKind())
	return &resource.Info{
		Name:      u.GetName(),
		Namespace: u.GetNamespace(),
		Object:    u,
		Mapping:   &meta.RESTMapping{GroupVersionKind: gvk},
	}
}

// Delete records the deletion of every object.
func (k *Kube) Delete(resources kube.ResourceList) (*kube.Result, []error) {
	k.record(resources)
	return &kube.Result{Deleted: resources}, nil
}

// DeleteWithPropagationPolicy records the deletion of every object.
func (k *Kube) DeleteWithPropagationPolicy(resources kube.ResourceList, _ metav1.DeletionPropagation) (*kube.Result, []error) {
	return k.Delete(resources)
}

// Update deletes what original has and target lacks, as Helm's client does.
func (k *Kube) Update(original, target kube.ResourceList, _ bool) (*kube.Result, error) {
	if k.UpdateError != nil {
		return &kube.Result{}, k.UpdateError
	}
	gone := original.Difference(target)
	k.record(gone)
	return &kube.Result{Updated: target.Intersect(original), Created: target.Difference(original), Deleted: gone}, nil
}

// Wait takes WaitDelay and records the timeout.
func (k *Kube) Wait(_ kube.ResourceList, d time.Duration) error {
	k.mu.Lock()
	k.waits = append(k.waits, d)
	k.mu.Unlock()
	time.Sleep(k.WaitDelay)
	return nil
}

// WaitWithJobs is Wait.
func (k *Kube) WaitWithJobs(resources kube.ResourceList, d time.Duration) error {
	return k.Wait(resources, d)
}

func (k *Kube) record(resources kube.ResourceList) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range resources {
		kind := r.Mapping.GroupVersionKind.Kind
		id := kind + " " + r.Namespace + "/" + r.Name
		if kind == "PersistentVolumeClaim" && !k.AllowClaimDeletion && k.T != nil {
			k.T.Errorf("deleted %s: a PersistentVolumeClaim must never be deleted", id)
		}
		k.deleted = append(k.deleted, id)
	}
}

// Helm is Helm's in-memory release storage, one per namespace, with one
// KubeClient for all.
type Helm struct {
	Kube    kube.Interface
	mu      sync.Mutex
	configs map[string]*action.Configuration
}

// NewHelm stores the given revisions.
func NewHelm(kc kube.Interface, revisions ...*release.Release) (*Helm, error) {
	h := &Helm{Kube: kc, configs: map[string]*action.Configuration{}}
	for _, r := range revisions {
		cfg, _ := h.Config(r.Namespace)
		if err := cfg.Releases.Create(r); err != nil {
			return nil, fmt.Errorf("storing %s revision %d: %w", r.Name, r.Version, err)
		}
	}
	return h, nil
}

// Config is the namespace's configuration; it has the recovery.ConfigFunc
// signature.
func (h *Helm) Config(namespace string) (*action.Configuration, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cfg, ok := h.configs[namespace]; ok {
		return cfg, nil
	}
	mem := driver.NewMemory()
	mem.SetNamespace(namespace)
	cfg := &action.Configuration{Releases: storage.Init(mem), KubeClient: h.Kube, Log: func(string, ...any) {}}
	h.configs[namespace] = cfg
	return cfg, nil
}

// History is the release's revisions, oldest first, as "version:status".
func (h *Helm) History(namespace, name string) []string {
	cfg, _ := h.Config(namespace)
	revs, _ := cfg.Releases.History(name)
	releaseutil.SortByRevision(revs)
	var out []string
	for _, r := range revs {
		out = append(out, fmt.Sprintf("%d:%s", r.Version, r.Info.Status))
	}
	return out
}

// Revision is one revision of a release, with a chart named after it.
func Revision(name, namespace string, version int, status release.Status, manifest string) *release.Release {
	return &release.Release{
		Name: name, Namespace: namespace, Version: version, Manifest: manifest,
		Info:  &release.Info{Status: status, Description: "revision " + fmt.Sprint(version) + " " + string(status)},
		Chart: &chart.Chart{Metadata: &chart.Metadata{Name: name, Version: "1.0." + fmt.Sprint(version)}},
	}
}

// Manifest joins documents as Helm stores them.
func Manifest(docs ...string) string {
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("---\n" + strings.TrimSuffix(d, "\n") + "\n")
	}
	return b.String()
}
