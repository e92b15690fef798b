package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvironmentChoice runs make's synth and hcl recipes, with a stand-in
// for the app that prints what it was given, for both spellings: ENV on
// make's command line and PLATFORM_ENV in the caller's environment (and
// ENV there too); the command line wins, and dev is the default.
func TestEnvironmentChoice(t *testing.T) {
	app := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(app, []byte("#!/bin/sh\necho \"PLATFORM_ENV=$PLATFORM_ENV SYNTH_HCL_OUTPUT=$SYNTH_HCL_OUTPUT\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var clean []string
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		switch name {
		case "ENV", "PLATFORM_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "SYNTH_HCL_OUTPUT":
		default:
			clean = append(clean, e)
		}
	}
	tests := []struct {
		name   string
		target string
		env    []string // the caller's environment
		args   []string // make's command line
		want   string
	}{
		{"default", "synth", nil, nil, "PLATFORM_ENV=dev SYNTH_HCL_OUTPUT="},
		{"ENV on the command line", "synth", nil, []string{"ENV=prod"}, "PLATFORM_ENV=prod SYNTH_HCL_OUTPUT="},
		{"PLATFORM_ENV from the environment", "synth", []string{"PLATFORM_ENV=all"}, nil, "PLATFORM_ENV=all SYNTH_HCL_OUTPUT="},
		{"ENV from the environment", "synth", []string{"ENV=dev,prod"}, nil, "PLATFORM_ENV=dev,prod SYNTH_HCL_OUTPUT="},
		{"the command line wins", "synth", []string{"PLATFORM_ENV=all"}, []string{"ENV=prod"}, "PLATFORM_ENV=prod SYNTH_HCL_OUTPUT="},
		{"make hcl, PLATFORM_ENV", "hcl", []string{"PLATFORM_ENV=prod"}, nil, "PLATFORM_ENV=prod SYNTH_HCL_OUTPUT=true"},
		{"make hcl, ENV", "hcl", nil, []string{"ENV=prod"}, "PLATFORM_ENV=prod SYNTH_HCL_OUTPUT=true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// -o build: the app is not rebuilt; BIN is the stand-in.
			args := append([]string{"-s", "--no-print-directory", "-o", "build", tc.target, "BIN=" + app}, tc.args...)
			cmd := exec.Command("make", args...)
			cmd.Dir = root
			cmd.Env = append(append([]string{}, clean...), tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("make %s with %v: the app got %q, want %q", strings.Join(args, " "), tc.env, got, tc.want)
			}
		})
	}
}
