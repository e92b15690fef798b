package contract

import (
	"runtime"
	"sync"
	"weak"

	"helm.sh/helm/v3/pkg/chart"
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
