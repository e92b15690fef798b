// Package jsiival converts Go values into the pointer shapes that jsii
// bindings take, where jsii-runtime-go has no helper (it has jsii.String
// and jsii.Strings, but nothing for maps).
package jsiival

import "github.com/aws/jsii-runtime-go"

// Map converts a string map.
func Map(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}
