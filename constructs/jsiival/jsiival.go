// Package jsiival converts Go values into the pointer shapes that jsii
// bindings take.
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

// Strings converts a string slice.
func Strings(s ...string) *[]*string {
	return jsii.Strings(s...)
}
