package render

import (
	"context"
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
)

// TestHitsShareTheChart: cache hits of one archive share one loaded chart
// (loaded once per process), while a render gets a chart of its own, which
// Helm changes; a hit of another archive gets another chart.
func TestHitsShareTheChart(t *testing.T) {
	archive, c, r, rendered := renderedOnce(t)
	var hits []*Rendered
	for _, replicas := range []int{2, 2} {
		r.Values = map[string]any{"replicas": replicas}
		hit, err := c.Render(context.Background(), r, archive, "1.34")
		if err != nil {
			t.Fatal(err)
		}
		hits = append(hits, hit)
	}
	if hits[0].Chart != hits[1].Chart {
		t.Error("two hits of one archive loaded the chart twice")
	}
	if rendered.Chart == hits[0].Chart {
		t.Error("a render was given the shared chart")
	}
	other := testChart()
	other.Metadata.Description = "another archive of the same chart"
	otherArchive, err := chartutil.Save(other, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Render(context.Background(), r, otherArchive, "1.34"); err != nil {
		t.Fatal(err)
	}
	hit, err := c.Render(context.Background(), r, otherArchive, "1.34")
	if err != nil {
		t.Fatal(err)
	}
	if hit.Chart == hits[0].Chart || hit.Chart.Metadata.Description != other.Metadata.Description {
		t.Error("a hit of another archive got the first archive's chart")
	}
}
