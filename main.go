// Command cdktf-llm synthesizes Terraform JSON for a self-hosted LLM chat
// platform (Ollama + LibreChat) on Kubernetes: per environment, a base stack
// (kubernetes provider) and an apps stack (helm provider).
//
// It writes cdktf.out, or $CDKTF_OUTDIR when the cdktf CLI runs it. The
// environments come from $PLATFORM_ENV, else the cdktf context key
// "environments" (cdktf.json), else dev.
package main

import (
	"fmt"
	"os"

	"github.com/llm-platform/cdktf-llm/platform"
)

func main() {
	// The cdktf CLI sets CDKTF_OUTDIR, and prunes stale stacks itself.
	outdir := os.Getenv("CDKTF_OUTDIR")
	names, err := platform.Synth(platform.Options{
		Outdir:        outdir,
		Environments:  os.Getenv(platform.EnvVar),
		KeepOldStacks: outdir != "",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "synth failed, nothing written:\n%v\n", err)
		os.Exit(1)
	}
	for _, n := range names {
		fmt.Printf("synthesized base-%s and apps-%s\n", n, n)
	}
}
