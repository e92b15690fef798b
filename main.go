// Command cdktf-llm synthesizes Terraform JSON for a self-hosted LLM chat
// platform (Ollama + LibreChat) on Kubernetes: per environment, a base stack
// (kubernetes provider) and an apps stack (helm provider).
//
// It writes cdktf.out, or $CDKTF_OUTDIR when the cdktf CLI runs it. The
// environments come from $PLATFORM_ENV, else the cdktf context key
// "environments" (cdktf.json), else dev. With SYNTH_HCL_OUTPUT=true (what
// `cdktf synth --hcl` sets, and `make hcl`) each stack is written as a plain
// Terraform module (.tf files) instead, after the same checks of its JSON.
//
// It makes no jsii call and links no jsii: it coordinates (multisynth). The
// stacks are built by the kernel program, synth-kernel beside it
// (cmd/synth-kernel, $SYNTH_KERNEL), which it starts for every synth; the
// schema check, the chart check, the manifests, the HCL export and the
// atomic install of the output run here.
package main

import (
	"fmt"
	"os"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/multisynth"
	"github.com/llm-platform/cdktf-llm/platform"
)

func main() {
	os.Exit(synth())
}

func synth() int {
	// The kernel process must not see the request: cdktf would write HCL.
	hcl := platform.TakeHCLRequest()
	// The cdktf CLI sets CDKTF_OUTDIR, and prunes stale stacks itself.
	outdir := os.Getenv("CDKTF_OUTDIR")
	// Only the environments whose inputs changed, over kernel processes
	// (multisynth; SYNTH_JOBS).
	out, err := multisynth.Synth(multisynth.Config{Options: platform.Options{
		Outdir:        outdir,
		Environments:  os.Getenv(config.EnvVar),
		KeepOldStacks: outdir != "",
		HCL:           hcl,
	}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "synth failed, nothing written:\n%v\n", err)
		return 1
	}
	what := "synthesized"
	if hcl {
		what = "synthesized (HCL)"
	}
	for _, n := range out.Environments {
		if out.Unchanged[n] {
			fmt.Printf("unchanged base-%s and apps-%s\n", n, n)
		} else {
			fmt.Printf("%s base-%s and apps-%s\n", what, n, n)
		}
	}
	if out.UpToDate {
		fmt.Printf("%s is up to date: nothing written\n", out.Outdir)
	}
	return 0
}
