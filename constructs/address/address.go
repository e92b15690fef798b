// Package address gives Terraform elements readable, stable addresses.
//
// cdktf names an element nested in a construct after its construct path plus
// a hash (kubernetes_namespace_v1.base-dev_ollama_Namespace_4F2A1B3C). Our
// constructs name each element explicitly instead, so that addresses read
// well in plans and survive refactoring of the construct tree.
package address

import (
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// Element is anything whose logical ID can be overridden (resources, data
// sources, variables, outputs).
type Element interface {
	OverrideLogicalId(newLogicalId *string)
}

// Set names e after parts, joined with underscores, dashes turned into
// underscores: Set(ns, "ollama") gives kubernetes_namespace_v1.ollama.
func Set(e Element, parts ...string) {
	e.OverrideLogicalId(jsii.String(Name(parts...)))
}

// Name is the logical ID Set gives.
func Name(parts ...string) string {
	return strings.ReplaceAll(strings.Join(parts, "_"), "-", "_")
}
