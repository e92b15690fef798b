package contract

import (
	"context"
	"os"
	"testing"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
)

// BenchmarkRun is the chart check of every shipped environment, as synth
// runs it once the JSON is written. BENCH_OUTDIR names a cdktf.out of all of
// them (make bench sets it). warm renders nothing (every result is in the
// render cache, as on a re-synth); cold renders every release, from a chart
// cache of its own.
func BenchmarkRun(b *testing.B) {
	out := os.Getenv("BENCH_OUTDIR")
	if out == "" {
		b.Skip("BENCH_OUTDIR names no synthesized cdktf.out")
	}
	names, err := config.Names("..")
	if err != nil {
		b.Fatal(err)
	}
	envs, err := config.LoadAll("..", names)
	if err != nil {
		b.Fatal(err)
	}
	lock, err := chartlock.Read(chartlock.Path(".."))
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, renderDir func() string) {
		for i := 0; i < b.N; i++ {
			dir := renderDir()
			for _, env := range envs {
				if _, _, err := Run(context.Background(), out, env, lock, dir); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	warm := b.TempDir()
	for _, env := range envs { // fill the render cache
		if _, _, err := Run(context.Background(), out, env, lock, warm); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("warm", func(b *testing.B) { run(b, func() string { return warm }) })
	b.Run("cold", func(b *testing.B) { run(b, func() string { return "" }) })
}
