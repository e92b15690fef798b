package contract

import (
	"runtime"
	"sync"
	"weak"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/llm-platform/cdktf-llm/render"
)

// keysOf holds chartKeys of each chart still in use, by chart: render.Cache
// shares one loaded chart between the releases of the same archive (every
// environment's), and scanning its templates is most of the values check.
// An entry goes when its chart is collected.
var keysOf sync.Map // weak.Pointer[chart.Chart] → *keys

// sharedKeys is chartKeys(c), computed once per chart. The keys are only
// read, and c is not changed once loaded (render.Rendered.Chart).
func sharedKeys(c *chart.Chart) *keys {
	p := weak.Make(c)
	if k, ok := keysOf.Load(p); ok {
		return k.(*keys)
	}
	k, loaded := keysOf.LoadOrStore(p, chartKeys(c))
	if !loaded {
		runtime.AddCleanup(c, func(p weak.Pointer[chart.Chart]) { keysOf.Delete(p) }, p)
	}
	return k.(*keys)
}

// Preload loads the chart of an archive's bytes and scans its keys, ahead
// of a check that renders releases of it (render.Preload): what a warm
// chart check spends most of its time on, done while jsii builds the
// stacks. Bytes other than the ones the stacks carry are merely loaded in
// vain: the charts are shared by the sha256 of their bytes.
func Preload(archive []byte) error {
	ch, err := render.Preload(archive)
	if err != nil {
		return err
	}
	sharedKeys(ch)
	return nil
}
