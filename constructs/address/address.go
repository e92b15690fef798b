// Package address gives Terraform elements readable, stable addresses.
//
// cdktf names an element after its construct path. An element nested in a
// construct gets the path plus a hash
// (kubernetes_namespace_v1.base-dev_ollama_Namespace_4F2A1B3C); only a
// direct child of its stack is named by its construct ID as it is. So our
// constructs create every element directly in the stack, with ID: the
// element's Terraform name, which needs neither a hash nor an explicit
// override (a call across jsii, ~0.2 ms per element, BENCHMARKS.md).
//
// Construct IDs must differ within a stack, Terraform names only within a
// type: where elements of two types share a name (a namespace, its quota
// and its limit range are all named after the app), the others are created
// with an ID of their own and named with Set.
//
// References to elements of the same stack are Terraform expressions built
// from their addresses (Attr, Var), as the variables' validation conditions
// are: the same text cdktf's attribute getters render
// (ns.Metadata().Name() is ${kubernetes_namespace_v1.ollama.metadata[0].name}),
// and the same order for Terraform, without the two jsii calls that reading
// such a getter costs; the synth's schema check refuses one that names an
// element its stack lacks. Number-typed attributes still come from their
// getters, as Go has no other way to write a number token.
package address

import (
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// Element is anything whose logical ID can be overridden (resources, data
// sources, variables, outputs).
type Element interface {
	OverrideLogicalId(newLogicalId *string)
}

// ID is the construct ID of an element created directly in its stack and
// named Name(parts...): ID("ollama") gives kubernetes_namespace_v1.ollama.
func ID(parts ...string) *string {
	return jsii.String(Name(parts...))
}

// Set names e after parts (Name), for an element whose construct ID is not
// its name because another element of its stack has that ID.
func Set(e Element, parts ...string) {
	e.OverrideLogicalId(jsii.String(Name(parts...)))
}

// Attr is a reference to attribute of the element typ.Name(parts...):
// Attr("kubernetes_namespace_v1", "metadata[0].name", "ollama") is
// ${kubernetes_namespace_v1.ollama.metadata[0].name}.
func Attr(typ, attribute string, parts ...string) *string {
	return jsii.String(fmt.Sprintf("${%s.%s.%s}", typ, Name(parts...), attribute))
}

// Var is a reference to the stack's variable name: ${var.name}.
func Var(name string) *string {
	return jsii.String("${var." + name + "}")
}

// Name is the Terraform name of parts: joined with underscores, dashes
// turned into underscores.
func Name(parts ...string) string {
	return strings.ReplaceAll(strings.Join(parts, "_"), "-", "_")
}
