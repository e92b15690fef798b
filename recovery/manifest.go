package recovery

import (
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/releaseutil"
	"sigs.k8s.io/yaml"
)

// document is one object of a release manifest.
type document struct {
	text    string         // as stored
	comment string         // leading comment lines (# Source: …)
	object  map[string]any // parsed; nil for an empty document
}

// id is kind namespace/name, e.g. "PersistentVolumeClaim ollama/ollama".
func (d document) id() string {
	meta, _ := d.object["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	kind, _ := d.object["kind"].(string)
	if ns == "" {
		return kind + " " + name
	}
	return kind + " " + ns + "/" + name
}

// holdsData reports whether deleting the object deletes data: a
// PersistentVolumeClaim, or a StatefulSet whose claims are deleted with it
// (persistentVolumeClaimRetentionPolicy.whenDeleted: Delete).
func (d document) holdsData() bool {
	switch d.object["kind"] {
	case "PersistentVolumeClaim":
		return true
	case "StatefulSet":
		spec, _ := d.object["spec"].(map[string]any)
		policy, _ := spec["persistentVolumeClaimRetentionPolicy"].(map[string]any)
		return policy["whenDeleted"] == "Delete"
	}
	return false
}

// splitManifest parses a release manifest into its documents, in order.
func splitManifest(manifest string) ([]document, error) {
	files := releaseutil.SplitManifests(manifest)
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	docs := make([]document, 0, len(keys))
	for _, k := range keys {
		d := document{text: files[k], comment: leadingComment(files[k])}
		if err := yaml.Unmarshal([]byte(files[k]), &d.object); err != nil {
			return nil, fmt.Errorf("reading the release manifest: %w", err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func leadingComment(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func joinManifest(docs []document) string {
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("---\n" + strings.TrimSuffix(d.text, "\n") + "\n")
	}
	return b.String()
}

// keepData marks every data-holding document of a manifest with
// helm.sh/resource-policy: keep, which Helm's uninstall honours from the
// stored manifest: it deletes every other object and leaves these. It
// returns the new manifest and the marked objects.
func keepData(manifest string) (string, []string, error) {
	docs, err := splitManifest(manifest)
	if err != nil {
		return "", nil, err
	}
	var kept []string
	for i, d := range docs {
		if !d.holdsData() {
			continue
		}
		if docs[i].text, err = annotateKeep(d); err != nil {
			return "", nil, fmt.Errorf("%s: %w", d.id(), err)
		}
		kept = append(kept, d.id())
	}
	return joinManifest(docs), kept, nil
}

func annotateKeep(d document) (string, error) {
	meta, ok := d.object["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		d.object["metadata"] = meta
	}
	annotations, ok := meta["annotations"].(map[string]any)
	if !ok {
		annotations = map[string]any{}
		meta["annotations"] = annotations
	}
	annotations[kube.ResourcePolicyAnno] = kube.KeepPolicy
	out, err := yaml.Marshal(d.object)
	if err != nil {
		return "", err
	}
	return d.comment + string(out), nil
}

// dropDataNotIn removes from current (the stuck revision's manifest) every
// data-holding document that target (the revision rolled back to) lacks. A
// rollback deletes what current has and target lacks, reading current from
// the stored manifest, so these objects stay, no longer managed by Helm.
// It returns the new manifest and the objects left alone.
func dropDataNotIn(current, target string) (string, []string, error) {
	docs, err := splitManifest(current)
	if err != nil {
		return "", nil, err
	}
	targetDocs, err := splitManifest(target)
	if err != nil {
		return "", nil, err
	}
	inTarget := map[string]bool{}
	for _, d := range targetDocs {
		inTarget[d.id()] = true
	}
	var keep []document
	var left []string
	for _, d := range docs {
		if d.holdsData() && !inTarget[d.id()] {
			left = append(left, d.id())
			continue
		}
		keep = append(keep, d)
	}
	if left == nil {
		return current, nil, nil
	}
	return joinManifest(keep), left, nil
}
