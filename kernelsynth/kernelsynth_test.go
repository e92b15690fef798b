package kernelsynth

import (
	"strings"
	"testing"

	"github.com/llm-platform/cdktf-llm/synthjob"
)

// TestRunRefusesALeftHCLRequest: with the request in its environment, cdktf
// would write HCL the checks cannot read; the kernel says so, before its
// first jsii call, instead of failing on a missing cdk.tf.json.
func TestRunRefusesALeftHCLRequest(t *testing.T) {
	t.Setenv(synthjob.HCLEnvVar, "true")
	err := Run(synthjob.Job{Root: t.TempDir(), Outdir: t.TempDir(), Environments: []string{"dev"}})
	if err == nil || !strings.Contains(err.Error(), "the coordinator removes it") {
		t.Errorf("got %v; want the refusal", err)
	}
}
