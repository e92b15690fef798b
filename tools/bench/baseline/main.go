// Command baseline is the floor the platform's synth is measured against: a
// cdktf app with only cdktf loaded (no provider bindings) that synthesizes
// the given number of empty stacks, each with a local backend.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

func main() {
	n, err := strconv.Atoi(os.Getenv("BASELINE_STACKS"))
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "set BASELINE_STACKS to the number of stacks")
		os.Exit(1)
	}
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(os.Getenv("CDKTF_OUTDIR"))})
	for i := 0; i < n; i++ {
		s := cdktf.NewTerraformStack(app, jsii.String(fmt.Sprintf("empty-%d", i)))
		cdktf.NewLocalBackend(s, &cdktf.LocalBackendConfig{Path: jsii.String("state.tfstate")})
	}
	app.Synth()
}
