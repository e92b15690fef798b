package render

import (
	"bytes"
	"crypto/sha256"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// loaded holds each chart archive's chart, loaded once per process, by the
// sha256 of the archive's bytes. Environments of one synth share their
// charts' versions, so a synth of n environments loads each archive once
// instead of n times (loading is most of a warm chart check).
var loaded struct {
	sync.Mutex
	charts map[[sha256.Size]byte]*sharedLoad
}

type sharedLoad struct {
	once  sync.Once
	chart *chart.Chart
	err   error
}

// sharedChart returns the chart of an archive's bytes, loaded by the first
// caller and shared with every later one: it must not be changed (Render
// changes the chart it renders, so a render loads its own).
func sharedChart(archive []byte) (*chart.Chart, error) {
	sum := sha256.Sum256(archive)
	loaded.Lock()
	if loaded.charts == nil {
		loaded.charts = map[[sha256.Size]byte]*sharedLoad{}
	}
	l, ok := loaded.charts[sum]
	if !ok {
		l = &sharedLoad{}
		loaded.charts[sum] = l
	}
	loaded.Unlock()
	l.once.Do(func() { l.chart, l.err = loader.LoadArchive(bytes.NewReader(archive)) })
	return l.chart, l.err
}

// Preload loads an archive's chart into the charts shared by this process
// (as a cache hit of Cache.Render shares it) ahead of its use, and returns
// it: read it, never change it. A synth does this while jsii builds the
// stacks, so that the chart check after it finds the charts loaded.
func Preload(archive []byte) (*chart.Chart, error) { return sharedChart(archive) }
