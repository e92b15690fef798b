// Command synth-kernel is the process of a synth that runs jsii's kernel:
// the app (.bin/cdktf-llm, main.go) starts it with a job (synthjob.Var),
// and it builds the job's stacks and has cdktf write them into the job's
// folder (kernelsynth), then ends the kernel, leaving no process behind
// (jsiikernel). The checks and the HCL export run in the app. It links no
// Helm SDK, no Kubernetes client and no HCL writer.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/llm-platform/cdktf-llm/jsiikernel"
	"github.com/llm-platform/cdktf-llm/kernelsynth"
	"github.com/llm-platform/cdktf-llm/synthjob"
)

// kernelStopTimeout bounds the wait for jsii's kernel to end; it takes a
// few milliseconds.
const kernelStopTimeout = 5 * time.Second

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400) // what it allocates lives to its end
	}
	code := run()
	// Success or not, no process of ours outlives us (jsiikernel).
	if err := jsiikernel.Stop(kernelStopTimeout); err != nil && !errors.Is(err, jsiikernel.ErrUnsupported) {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

func run() int {
	j, err := synthjob.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := kernelsynth.Run(j); err != nil {
		if j.ErrorFile != "" {
			if werr := os.WriteFile(j.ErrorFile, []byte(err.Error()), 0o644); werr == nil {
				return 1
			}
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The folder is complete: the app checks it while the kernel ends.
	fmt.Println(synthjob.Written)
	return 0
}
