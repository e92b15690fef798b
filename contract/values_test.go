package contract

import (
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

func TestChartKeys(t *testing.T) {
	sub := &chart.Chart{
		Metadata:  &chart.Metadata{Name: "db"},
		Values:    map[string]any{"auth": map[string]any{"enabled": false}, "extra": map[string]any{}},
		Schema:    []byte(`{"type":"object","properties":{"tls":{"type":"object","properties":{"on":{"type":"boolean"}}},"labels":{"type":"object","additionalProperties":{"type":"string"}}}}`),
		Templates: []*chart.File{{Name: "templates/a.yaml", Data: []byte(`{{ .Values.hidden.flag }} {{ .Values.global.region }}`)}},
	}
	parent := &chart.Chart{
		Metadata: &chart.Metadata{Name: "app", Dependencies: []*chart.Dependency{{Name: "db", Alias: "store"}}},
		Values:   map[string]any{"image": map[string]any{"tag": ""}, "resources": map[string]any{}, "list": []any{1}, "none": nil},
	}
	parent.AddDependency(sub)
	k := chartKeys(parent)
	for path, want := range map[string]bool{
		"image.tag":            true,  // in values.yaml
		"image.tagg":           false, // a typo under a map with keys
		"resources.limits.cpu": true,  // under {}: free-form
		"list.0":               true,  // a list is taken whole
		"none.x":               true,  // so is null
		"nothere":              false,
		"db.auth.enabled":      true,  // a subchart by name
		"store.auth.enabled":   true,  // and by alias
		"db.auth.enabeld":      false, // a typo in a subchart
		"db.extra.anything":    true,
		"db.tls.on":            true,  // in the subchart's schema
		"db.tls.off":           false, // not in it
		"db.labels.team":       true,  // additionalProperties
		"db.hidden.flag":       true,  // only in a template
		"global.region":        true,  // a subchart reads it
		"global.nobody":        false,
	} {
		if got := k.reads(strings.Split(path, ".")); got != want {
			t.Errorf("reads(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestLeaves(t *testing.T) {
	got := leaves(map[string]any{"a": map[string]any{"b": 1, "c": map[string]any{}}, "d": []any{1}, "e": nil}, nil)
	var paths []string
	for _, p := range got {
		paths = append(paths, strings.Join(p, "."))
	}
	if strings.Join(paths, " ") != "a.b a.c d e" {
		t.Fatalf("leaves: %v", paths)
	}
}
