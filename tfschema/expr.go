package tfschema

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// tmplKind classifies a JSON string the way Terraform's JSON syntax reads it:
// every JSON string is a template.
type tmplKind int

const (
	// tmplLiteral has no interpolation: it is a plain string (after
	// unescaping "$${" and "%%{").
	tmplLiteral tmplKind = iota
	// tmplWrap is exactly one "${...}" and nothing else: its result has the
	// type of the wrapped expression, which cannot be known statically.
	tmplWrap
	// tmplString mixes literal text with interpolations or directives: its
	// result is always a string.
	tmplString
)

// template parses s as a template, checks the references in it and tells how
// its result is typed. For a literal it also returns the unescaped text. ok is
// false when s is not a valid template or interpolation is not allowed here;
// the error has then been recorded.
func (v *validator) template(sc scope, path, s string) (kind tmplKind, lit string, ok bool) {
	if !strings.Contains(s, "${") && !strings.Contains(s, "%{") {
		return tmplLiteral, s, true
	}
	expr, err := v.parseTemplate(s)
	if err != "" {
		v.add(sc.addr, path, "invalid template %q: %s", truncate(s, 60), err)
		return 0, "", false
	}
	if lit, isLit := literalTemplate(expr); isLit {
		return tmplLiteral, lit, true
	}
	if sc.noRefs != "" {
		v.add(sc.addr, path, "interpolation %q is not allowed in %s", truncate(s, 60), sc.noRefs)
		return 0, "", false
	}
	v.checkExpr(sc, path, expr)
	if _, wrap := expr.(*hclsyntax.TemplateWrapExpr); wrap {
		return tmplWrap, "", true
	}
	return tmplString, "", true
}

// parsedTemplate is a cached parse result.
type parsedTemplate struct {
	expr hclsyntax.Expression
	err  string
}

// parseTemplate parses a template, caching the result: stacks repeat the same
// references many times.
func (v *validator) parseTemplate(s string) (hclsyntax.Expression, string) {
	if p, ok := v.templates[s]; ok {
		return p.expr, p.err
	}
	expr, diags := hclsyntax.ParseTemplate([]byte(s), "", hcl.InitialPos)
	p := parsedTemplate{expr: expr}
	if diags.HasErrors() {
		p = parsedTemplate{err: diagSummary(diags)}
	}
	v.templates[s] = p
	return p.expr, p.err
}

// literalTemplate reports whether a parsed template is only literal text,
// and returns that text.
func literalTemplate(expr hclsyntax.Expression) (string, bool) {
	te, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, part := range te.Parts {
		lit, ok := part.(*hclsyntax.LiteralValueExpr)
		if !ok || !lit.Val.Type().Equals(cty.String) || lit.Val.IsNull() {
			return "", false
		}
		b.WriteString(lit.Val.AsString())
	}
	return b.String(), true
}

// checkExpr validates every reference and provider function call in expr.
func (v *validator) checkExpr(sc scope, path string, expr hclsyntax.Expression) {
	var unmarkSensitive, unmarkEphemeral bool
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok {
			return nil
		}
		switch call.Name {
		case "nonsensitive":
			unmarkSensitive = true
		case "sensitive":
			if sc.sensitive != nil {
				*sc.sensitive = true
			}
		case "ephemeralasnull":
			unmarkEphemeral = true
		}
		if strings.HasPrefix(call.Name, "provider::") {
			v.checkProviderFunction(sc, path, call.Name)
		}
		return nil
	})
	for _, t := range hclsyntax.Variables(expr) {
		sensitive, ephemeral := v.checkTraversal(sc, path, t)
		if sensitive && !unmarkSensitive && sc.sensitive != nil {
			*sc.sensitive = true
		}
		if ephemeral && !unmarkEphemeral && !sc.ephemeralOK {
			v.add(sc.addr, path, "ephemeral value %s cannot be used here: only write-only attributes, provider configuration, provisioners, connections and locals accept ephemeral values", traversalString(t))
		}
	}
}

// checkProviderFunction validates a "provider::NAME::FUNCTION" call.
func (v *validator) checkProviderFunction(sc scope, path, name string) {
	parts := strings.Split(name, "::")
	if len(parts) != 3 {
		v.add(sc.addr, path, "invalid provider function name %q", name)
		return
	}
	local, fn := parts[1], parts[2]
	p, ok := v.providerSchema(local)
	if !ok {
		v.add(sc.addr, path, "function %q: provider %q is not declared in terraform.required_providers", name, local)
		return
	}
	if _, ok := p.Functions[fn]; !ok {
		v.add(sc.addr, path, "function %q: provider %q has no function %q%s", name, local, fn, suggest(fn, sortedKeys(p.Functions)))
	}
}

// diagSummary renders the first error of diags.
func diagSummary(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Detail != "" {
				return d.Summary + ": " + d.Detail
			}
			return d.Summary
		}
	}
	return diags.Error()
}

// traversalString renders a traversal such as var.x or a.b[0].c.
func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString(".")
			b.WriteString(s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[")
			if s.Key.Type().Equals(cty.String) && s.Key.IsKnown() && !s.Key.IsNull() {
				b.WriteString(`"` + s.Key.AsString() + `"`)
			} else if s.Key.Type().Equals(cty.Number) && s.Key.IsKnown() && !s.Key.IsNull() {
				b.WriteString(s.Key.AsBigFloat().Text('f', -1))
			} else {
				b.WriteString("…")
			}
			b.WriteString("]")
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}
