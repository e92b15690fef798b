package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"regexp"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// DefaultKubeVersion is the Kubernetes version rendered for when the
// environment names none.
const DefaultKubeVersion = "1.34"

// Rendered is a release as Helm would install it.
type Rendered struct {
	Release Release
	// Chart is the chart as rendered, subcharts that values switch off
	// removed; from Cache.Render's cache, the chart as loaded, shared by
	// every result of the same archive: read it, never change it.
	Chart *chart.Chart
	// Manifest is every object, in install order, then the hooks that run on
	// install and upgrade (test hooks are left out: the provider never runs
	// them), each after a "# Source:" line, as `helm template` prints them.
	Manifest string
	// Objects are the same objects, decoded.
	Objects []Object
	// Warnings are what Helm logged while rendering, e.g. "skipped value for
	// mongodb.initContainers: Not a table.".
	Warnings []string
	// objectJSON is each object as JSON, in the order of Objects: what
	// Cache keeps, so that a hit decodes no YAML.
	objectJSON []json.RawMessage
}

// Object is one rendered Kubernetes object.
type Object struct {
	// Source is the template that rendered it, e.g.
	// librechat/charts/mongodb/templates/networkpolicy.yaml.
	Source string
	// Hook is the helm.sh/hook annotation, empty for a plain object.
	Hook string
	// Kind, Name and Namespace identify it; Namespace is the release's when
	// the template sets none.
	Kind, Name, Namespace string
	// Typed is the object as its k8s.io/api type; nil for kinds outside
	// client-go's scheme (custom resources).
	Typed runtime.Object
}

// ID is kind/name, as findings name an object.
func (o Object) ID() string { return o.Kind + "/" + o.Name }

// Render renders r with chart ch, client-only, for Kubernetes kubeVersion
// ("1.34"; empty is DefaultKubeVersion) and the API versions Helm assumes for it.
// ch is changed (disabled subcharts are removed), so load it for each render.
func Render(ctx context.Context, r Release, ch *chart.Chart, kubeVersion string) (*Rendered, error) {
	if kubeVersion == "" {
		kubeVersion = DefaultKubeVersion
	}
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("render %s: kubernetes version: %w", r.Address, err)
	}
	install := action.NewInstall(&action.Configuration{})
	install.ClientOnly, install.DryRun, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = r.Name, r.Namespace
	install.KubeVersion = kv
	values, err := deepCopy(r.Values)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", r.Address, err)
	}
	rel, warnings, err := run(ctx, install, ch, values)
	if err != nil {
		return nil, fmt.Errorf("render %s (%s %s): %w", r.Address, r.Chart, r.Version, err)
	}
	docs := splitDocs(rel.Manifest)
	for _, h := range rel.Hooks {
		if !isTest(h) {
			docs = append(docs, "# Source: "+h.Path+"\n"+h.Manifest)
		}
	}
	out, err := Decode(r, joinDocs(docs))
	if err != nil {
		return nil, err
	}
	out.Chart, out.Warnings = ch, warnings
	return out, nil
}

// Decode reads a rendered manifest (as Rendered.Manifest holds it) of r.
func Decode(r Release, manifest string) (*Rendered, error) {
	return decodeManifest(r, manifest, nil)
}

// decodeManifest is Decode; with objectJSON (a cached Rendered's: one per
// document), the objects are read from it instead of from the YAML.
func decodeManifest(r Release, manifest string, objectJSON []json.RawMessage) (*Rendered, error) {
	var docs []string
	for _, doc := range splitDocs(manifest) {
		if doc = strings.TrimSpace(doc); doc != "" {
			docs = append(docs, doc)
		}
	}
	if objectJSON != nil && len(objectJSON) != len(docs) {
		return nil, fmt.Errorf("render %s: the cached manifest has %d documents and %d objects", r.Address, len(docs), len(objectJSON))
	}
	out := &Rendered{Release: r}
	var kept []string
	for i, doc := range docs {
		var js []byte
		if objectJSON != nil {
			js = objectJSON[i]
		}
		o, js, err := decode(doc, js, r.Namespace)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", r.Address, err)
		}
		if o == nil {
			if objectJSON != nil {
				return nil, fmt.Errorf("render %s: cached document %d holds no object", r.Address, i+1)
			}
			continue
		}
		out.Objects = append(out.Objects, *o)
		out.objectJSON = append(out.objectJSON, js)
		kept = append(kept, doc)
	}
	out.Manifest = joinDocs(kept)
	return out, nil
}

func joinDocs(docs []string) string {
	var b strings.Builder
	for _, d := range docs {
		if d = strings.TrimSpace(d); d != "" {
			b.WriteString("---\n" + d + "\n")
		}
	}
	return b.String()
}

// helmLog guards the standard logger, where Helm's value coalescing writes
// its warnings, while a render captures them.
var helmLog sync.Mutex

func run(ctx context.Context, install *action.Install, ch *chart.Chart, values map[string]any) (*release.Release, []string, error) {
	helmLog.Lock()
	defer helmLog.Unlock()
	var buf bytes.Buffer
	prevOut, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	log.SetFlags(0)
	defer func() { log.SetOutput(prevOut); log.SetFlags(prevFlags) }()
	rel, err := install.RunWithContext(ctx, ch, values)
	var warnings []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l = strings.TrimPrefix(strings.TrimSpace(l), "warning: "); l != "" {
			warnings = append(warnings, l)
		}
	}
	return rel, warnings, err
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// splitDocs splits a manifest at its document separators, keeping the order.
func splitDocs(manifest string) []string { return docSep.Split(manifest, -1) }

var sourceLine = regexp.MustCompile(`(?m)^# Source: (.+)$`)

// decode reads one document, from js when given (the document as JSON),
// and returns the object with its JSON; nil for a document that holds no
// object.
func decode(doc string, js []byte, namespace string) (*Object, []byte, error) {
	var meta struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name        string            `json:"name"`
			Namespace   string            `json:"namespace"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	// Converted once: the identity and the typed object are read from the JSON.
	if js == nil {
		var err error
		if js, err = yaml.YAMLToJSON([]byte(doc)); err != nil {
			return nil, nil, fmt.Errorf("rendered object: %w", err)
		}
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return nil, nil, fmt.Errorf("rendered object: %w", err)
	}
	if meta.Kind == "" {
		return nil, nil, nil
	}
	o := &Object{Kind: meta.Kind, Name: meta.Metadata.Name, Namespace: meta.Metadata.Namespace, Hook: meta.Metadata.Annotations[release.HookAnnotation]}
	if m := sourceLine.FindStringSubmatch(doc); m != nil {
		o.Source = m[1]
	}
	if o.Namespace == "" {
		o.Namespace = namespace
	}
	typed, _, err := scheme.Codecs.UniversalDeserializer().Decode(js, nil, nil)
	switch {
	case err == nil:
		o.Typed = typed
	case runtime.IsNotRegisteredError(err):
	default:
		return nil, nil, fmt.Errorf("%s %s: %w", o.Source, o.ID(), err)
	}
	return o, js, nil
}

func isTest(h *release.Hook) bool {
	for _, e := range h.Events {
		if e == release.HookTest {
			return true
		}
	}
	return false
}

func deepCopy(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}
