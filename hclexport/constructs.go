package hclexport

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Constructs lists the language constructs a module uses, by path of
// Terraform's own blocks and arguments: "terraform.required_version",
// "terraform.backend.local", "variable.ephemeral", "variable.validation",
// "resource.depends_on", "resource.lifecycle.ignore_changes",
// "provider.alias", "output.sensitive"; "write-only argument" for a
// provider argument its schema marks write-only (data_wo);
// "function can" for each function called; "terraform.workspace" for each
// reference into terraform.*. Provider-defined arguments and blocks
// (metadata, spec, values) are not constructs of the language.
func Constructs(c Config, m Module) ([]string, error) {
	parser := hclparse.NewParser()
	var files []*hcl.File
	for _, name := range m.names() {
		f, diags := parser.ParseHCL(m[name], name)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %s does not parse: %w", c.Stack, name, diagsError(diags))
		}
		files = append(files, f)
	}
	root, err := c.decode(hcl.MergeFiles(files), "the HCL")
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, b := range root.blocks {
		found[b.typ] = true
		constructsOf(b.body, b.typ, found)
	}
	return slices.Sorted(maps.Keys(found)), nil
}

// constructsOf adds what a body uses: the language's arguments and blocks
// under path, a provider body's meta-arguments, write-only arguments, and
// the functions and terraform.* references of every expression.
func constructsOf(n *node, path string, found map[string]bool) {
	for name, attr := range n.attrs {
		switch {
		case n.shape.language && !n.shape.any:
			found[path+"."+name] = true
		case n.shape.meta[name]:
			found[path+"."+name] = true
		case n.shape.writeOnly[name]:
			found["write-only argument"] = true
		}
		if e, ok := attr.Expr.(hclsyntax.Expression); ok {
			hclsyntax.VisitAll(e, func(node hclsyntax.Node) hcl.Diagnostics {
				switch x := node.(type) {
				case *hclsyntax.FunctionCallExpr:
					found["function "+x.Name] = true
				case *hclsyntax.ScopeTraversalExpr:
					if x.Traversal.RootName() == "terraform" && len(x.Traversal) > 1 {
						if a, ok := x.Traversal[1].(hcl.TraverseAttr); ok {
							found["terraform."+a.Name] = true
						}
					}
				}
				return nil
			})
		}
	}
	for _, b := range n.blocks {
		sub := path + "." + b.typ
		if b.typ == "backend" {
			sub += "." + b.labels[0]
		}
		if n.shape.language || b.typ == "lifecycle" {
			found[sub] = true
		}
		constructsOf(b.body, sub, found)
	}
}

// Portable are the constructs that both Terraform ≥ 1.11 and OpenTofu ≥ 1.11
// support, as Constructs names them. Ephemeral variables and write-only
// arguments came with Terraform 1.10 and 1.11 and with OpenTofu 1.11
// ("Ephemeral Values and Write Only Attributes", its 1.11.0 release
// notes: a kubernetes_secret_v1 with data_wo is their example); the rest
// predates OpenTofu's fork. Anything else needs checking against both
// before it joins: Terraform-only ones include the cloud block's HCP
// features, terraform.applying, action and list blocks (Terraform 1.14),
// and import by identity (1.12).
var Portable = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{
		"terraform", "terraform.required_version", "terraform.required_providers",
		"terraform.backend", "terraform.backend.local", "terraform.backend.kubernetes", "terraform.backend.s3",
		"provider", "provider.alias",
		"variable", "variable.type", "variable.description", "variable.default", "variable.nullable",
		"variable.sensitive", "variable.ephemeral", "variable.validation",
		"variable.validation.condition", "variable.validation.error_message",
		"locals",
		"output", "output.description", "output.value", "output.sensitive", "output.depends_on",
		"output.precondition", "output.precondition.condition", "output.precondition.error_message",
		"resource", "data",
		"resource.count", "resource.for_each", "resource.provider", "resource.depends_on",
		"data.count", "data.for_each", "data.provider", "data.depends_on",
		"resource.lifecycle", "resource.lifecycle.create_before_destroy", "resource.lifecycle.prevent_destroy",
		"resource.lifecycle.ignore_changes", "resource.lifecycle.replace_triggered_by",
		"write-only argument",
		"terraform.workspace",
	} {
		m[c] = true
	}
	for _, f := range []string{
		"abs", "alltrue", "anytrue", "base64decode", "base64encode", "can", "ceil", "coalesce", "concat",
		"contains", "endswith", "floor", "format", "join", "jsonencode", "keys", "length", "lookup",
		"lower", "max", "merge", "min", "nonsensitive", "regex", "replace", "sensitive", "sha256",
		"split", "startswith", "tolist", "tomap", "tonumber", "toset", "tostring", "trimspace",
		"try", "upper", "values", "yamlencode",
	} {
		m["function "+f] = true
	}
	return m
}()

// NotPortable lists the constructs of a module outside Portable.
func NotPortable(constructs []string) []string {
	var out []string
	for _, c := range constructs {
		if !Portable[c] {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
