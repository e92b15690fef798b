package multisynth

import (
	"runtime"
	"slices"
	"testing"
)

// TestKernelEnviron: a kernel process gets the app's environment without
// the HCL request, a job of the app's own, or BASH_ENV.
func TestKernelEnviron(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"kept", []string{"PATH=/bin", "JSII_RUNTIME='/k'", "PLATFORM_ENV=dev"}, []string{"PATH=/bin", "JSII_RUNTIME='/k'", "PLATFORM_ENV=dev"}},
		{"the HCL request", []string{"SYNTH_HCL_OUTPUT=true", "A=1"}, []string{"A=1"}},
		{"a job of the app's own", []string{WorkerVar + `={"root":"/"}`, "A=1"}, []string{"A=1"}},
		{"BASH_ENV", []string{"BASH_ENV=/work/tools/env", "A=1"}, []string{"A=1"}},
		{"a name that only starts alike", []string{"BASH_ENVIRONMENT=x"}, []string{"BASH_ENVIRONMENT=x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kernelEnviron(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("kernelEnviron(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestBackground: GOMAXPROCS is 1 while any synth is in its kernel phase,
// and what it was once the last of them restores; a second restore does
// nothing.
func TestBackground(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	if before == 1 {
		runtime.GOMAXPROCS(2)
		defer runtime.GOMAXPROCS(1)
		before = 2
	}
	a, b := background(), background()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS %d during two kernel phases, want 1", got)
	}
	a()
	a()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS %d with one kernel phase left, want 1", got)
	}
	b()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Fatalf("GOMAXPROCS %d after both, want %d", got, before)
	}
}
