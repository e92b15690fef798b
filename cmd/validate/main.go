// Command validate checks synthesized stacks against the real provider
// schemas, as `terraform validate` would, without downloading providers:
//
//	go run ./cmd/validate [-schemas FILE] [CDKTF_OUT]
//
// It exits 1 and lists each problem as stack: address: attribute path: reason.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llm-platform/cdktf-llm/tfschema"
)

func main() {
	schemasFile := flag.String("schemas", tfschema.ProjectFile, "output of `terraform providers schema -json` (.json or .json.gz)")
	flag.Parse()
	outdir := "cdktf.out"
	if flag.NArg() > 0 {
		outdir = flag.Arg(0)
	}
	schemas, err := tfschema.Load(*schemasFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(1)
	}
	if err := schemas.CheckDir(outdir); err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(1)
	}
	stacks, _ := filepath.Glob(filepath.Join(outdir, "stacks", "*"))
	fmt.Printf("validate: %d stacks in %s match the provider schemas\n", len(stacks), outdir)
}
