package contract

import (
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

// TestSharedKeys: a chart's keys are scanned once and are chartKeys'.
func TestSharedKeys(t *testing.T) {
	c := &chart.Chart{
		Metadata:  &chart.Metadata{Name: "demo", Version: "0.1.0"},
		Values:    map[string]any{"image": map[string]any{"tag": "1"}},
		Templates: []*chart.File{{Name: "templates/a.yaml", Data: []byte("replicas: {{ .Values.replicas }}")}},
	}
	first, again := sharedKeys(c), sharedKeys(c)
	if first != again {
		t.Error("the keys of one chart were scanned twice")
	}
	for _, path := range [][]string{{"image", "tag"}, {"replicas"}} {
		if !first.reads(path) {
			t.Errorf("keys do not read %v", path)
		}
	}
	if first.reads([]string{"other"}) {
		t.Error("keys read a key the chart does not have")
	}
	if other := sharedKeys(&chart.Chart{Metadata: c.Metadata}); other == first {
		t.Error("another chart got the first chart's keys")
	}
}
