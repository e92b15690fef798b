package config

import (
	"fmt"
	"strings"
)

// DefaultEnvironment is synthesized when nothing else is chosen.
const DefaultEnvironment = "dev"

// EnvVar chooses environments: a name, a comma-separated list, or "all".
// It wins over the cdktf context key ContextKey, which cdktf.json sets.
const (
	EnvVar     = "PLATFORM_ENV"
	ContextKey = "environments"
)

// Choose returns the environments to synthesize from the variable, then the
// context value, then the default; "all" means every file in envs/.
func Choose(root, fromEnv, fromContext string) ([]string, error) {
	spec := fromEnv
	if spec == "" {
		spec = fromContext
	}
	if spec == "" {
		spec = DefaultEnvironment
	}
	if spec == "all" {
		return Names(root)
	}
	var names []string
	for _, n := range strings.Split(spec, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s=%q names no environment; use e.g. dev, dev,prod or all", EnvVar, spec)
	}
	return names, nil
}
