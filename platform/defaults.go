package platform

import (
	"path/filepath"

	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/tfschema"
)

// WithDefaults returns o with the documented default of every field left
// empty: what Synth uses.
func (o Options) WithDefaults() Options {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Outdir == "" {
		o.Outdir = "cdktf.out"
	}
	if o.Schemas == "" {
		o.Schemas = filepath.Join(o.Root, tfschema.ProjectFile)
	}
	if o.Charts == nil {
		c := charts.Default(o.Root)
		o.Charts = &c
	}
	return o
}
