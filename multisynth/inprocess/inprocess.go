// Package inprocess is a whole synth in one process, both halves linked
// together: the coordinator (multisynth) with the stacks built by jsii in
// this process (kernelsynth) instead of a kernel process. For tests, which
// link everything anyway; the app itself (main.go) links no jsii and starts
// cmd/synth-kernel.
package inprocess

import (
	"github.com/llm-platform/cdktf-llm/kernelsynth"
	"github.com/llm-platform/cdktf-llm/multisynth"
	"github.com/llm-platform/cdktf-llm/platform"
)

// Synth synthesizes the chosen environments into o.Outdir, as the app does
// (the same checks, the same atomic install, the stamp beside it), and
// returns their names.
func Synth(o platform.Options) ([]string, error) {
	out, err := multisynth.Synth(multisynth.Config{Options: o, InProcess: kernelsynth.Run})
	return out.Environments, err
}
