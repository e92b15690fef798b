package platform

import (
	"os"
	"testing"
)

func TestTakeHCLRequest(t *testing.T) {
	for value, want := range map[string]bool{"true": true, "1": true, "false": false, "": false} {
		t.Setenv(HCLEnvVar, value)
		if got := TakeHCLRequest(); got != want {
			t.Errorf("%s=%q: TakeHCLRequest() = %v, want %v", HCLEnvVar, value, got, want)
		}
		if v, ok := os.LookupEnv(HCLEnvVar); ok {
			t.Errorf("%s=%q is still in the environment, where jsii's kernel would see it", HCLEnvVar, v)
		}
	}
}
