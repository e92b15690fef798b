package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestChoose(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "envs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"dev", "prod", "staging"} {
		if err := os.WriteFile(filepath.Join(root, "envs", n+".yaml"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, fromEnv, fromContext string
		want                       []string
		wantErr                    bool
	}{
		{name: "default", want: []string{"dev"}},
		{name: "context", fromContext: "prod", want: []string{"prod"}},
		{name: "variable wins over context", fromEnv: "staging", fromContext: "prod", want: []string{"staging"}},
		{name: "list", fromEnv: " dev , prod ", want: []string{"dev", "prod"}},
		{name: "all", fromContext: "all", want: []string{"dev", "prod", "staging"}},
		{name: "empty list", fromEnv: ",", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Choose(root, tc.fromEnv, tc.fromContext)
			if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
				t.Errorf("Choose(%q, %q) = %v, %v; want %v", tc.fromEnv, tc.fromContext, got, err, tc.want)
			}
		})
	}
}
