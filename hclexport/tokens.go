package hclexport

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// writer turns JSON expressions into native tokens. depth is the nesting
// level (two spaces each) of the line a value starts on, which a heredoc's
// lines need because terraform fmt does not indent them.
type writer struct{}

// value writes the tokens of a JSON expression read as kind.
func (w writer) value(expr hcl.Expression, kind valueKind, depth int) (hclwrite.Tokens, error) {
	switch kind {
	case literal:
		v, diags := expr.Value(nil)
		if diags.HasErrors() {
			return nil, diagsError(diags)
		}
		return hclwrite.TokensForValue(v), nil
	case typeExpr:
		v, diags := expr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.String {
			return nil, fmt.Errorf("a type constraint must be a string such as \"map(string)\"")
		}
		return expressionTokens([]byte(v.AsString()))
	case reference:
		ref, err := absTraversal(expr)
		if err != nil {
			return nil, err
		}
		return hclwrite.TokensForTraversal(ref), nil
	case references:
		refs, err := absTraversals(expr)
		if err != nil {
			return nil, err
		}
		var elems []hclwrite.Tokens
		for _, ref := range refs {
			elems = append(elems, hclwrite.TokensForTraversal(ref))
		}
		return hclwrite.TokensForTuple(elems), nil
	}
	return w.expression(expr, depth)
}

// expression writes a JSON value read as an expression: arrays and objects
// element by element, strings as the templates they are.
func (w writer) expression(expr hcl.Expression, depth int) (hclwrite.Tokens, error) {
	v, diags := expr.Value(nil) // nil: strings come back as their template source
	if diags.HasErrors() {
		return nil, diagsError(diags)
	}
	switch {
	case v.Type().IsTupleType():
		list, err := exprList(expr)
		if err != nil {
			return nil, err
		}
		var elems []hclwrite.Tokens
		for i, e := range list {
			t, err := w.expression(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			elems = append(elems, t)
		}
		return tuple(elems, depth), nil
	case v.Type().IsObjectType():
		pairs, diags := hcl.ExprMap(expr)
		if diags.HasErrors() {
			return nil, diagsError(diags)
		}
		var attrs []hclwrite.ObjectAttrTokens
		for _, p := range pairs {
			k, _ := p.Key.Value(nil)
			key := k.AsString()
			if strings.Contains(key, "${") || strings.Contains(key, "%{") {
				return nil, fmt.Errorf("object key %q is a template; hclexport writes only literal keys", key)
			}
			t, err := w.expression(p.Value, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: objectKey(key), Value: t})
		}
		return hclwrite.TokensForObject(attrs), nil
	case v.Type() == cty.String:
		return template(v.AsString(), depth)
	}
	return hclwrite.TokensForValue(v), nil
}

// objectKey is a bare name where the native syntax reads it as that name,
// else a quoted string ("app.kubernetes.io/name").
func objectKey(key string) hclwrite.Tokens {
	switch key {
	case "true", "false", "null", "for", "if", "in":
	default:
		if hclsyntax.ValidIdentifier(key) {
			return hclwrite.TokensForIdentifier(key)
		}
	}
	return hclwrite.TokensForValue(cty.StringVal(key))
}

// template writes the template source of a JSON string: "${x}" as the
// expression x, text as a quoted string or, when it has several lines, an
// indented heredoc; text with interpolations likewise. Each form is parsed
// back and kept only if it is the same template.
func template(src string, depth int) (hclwrite.Tokens, error) {
	expr, diags := hclsyntax.ParseTemplate([]byte(src), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%q is not a valid template: %s", src, diags.Error())
	}
	if wrap, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		rng := wrap.Wrapped.Range()
		return expressionTokens([]byte(src[rng.Start.Byte:rng.End.Byte]))
	}
	want, err := canonTemplate(src)
	if err != nil {
		return nil, err
	}
	if t, ok := heredoc(src, depth); ok && sameTemplate(t, want) {
		return t, nil
	}
	t := quoted(src, expr)
	if !sameTemplate(t, want) {
		return nil, fmt.Errorf("%q: the quoted form does not parse back to the same template", src)
	}
	return t, nil
}

// quoted writes a template as a quoted string: literal text escaped, the
// interpolations and directives as they are.
func quoted(src string, expr hclsyntax.Expression) hclwrite.Tokens {
	if len(expr.Variables()) == 0 {
		if v, diags := expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
			return hclwrite.TokensForValue(v)
		}
	}
	toks, _ := hclsyntax.LexTemplate([]byte(src), "", hcl.InitialPos)
	out := hclwrite.Tokens{{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)}}
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenStringLit:
			out = append(out, &hclwrite.Token{Type: hclsyntax.TokenQuotedLit, Bytes: escapeQuoted(t.Bytes)})
		default:
			out = append(out, &hclwrite.Token{Type: t.Type, Bytes: t.Bytes})
		}
	}
	return append(out, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)})
}

// escapeQuoted escapes template text for a quoted string; "$${" and "%%{",
// the escapes of both forms, stay as they are.
func escapeQuoted(lit []byte) []byte {
	var b strings.Builder
	for _, r := range string(lit) {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if unicode.IsControl(r) {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return []byte(b.String())
}

// heredoc writes a template of several lines, ending in a newline, as an
// indented heredoc (<<-EOT): each line indented to the value's depth, blank
// lines as they are, which is what the flush heredoc strips again. Not when
// every line is indented (the strip would take that too) or a line holds
// control characters.
func heredoc(src string, depth int) (hclwrite.Tokens, bool) {
	lines := strings.SplitAfter(src, "\n")
	if len(lines) < 3 || lines[len(lines)-1] != "" { // SplitAfter leaves "" after the last "\n"
		return nil, false
	}
	lines = lines[:len(lines)-1]
	marker, flush := "EOT", false
	for _, l := range lines {
		text := strings.TrimSuffix(l, "\n")
		if strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
			return nil, false
		}
		if strings.TrimSpace(text) == marker {
			marker += "_"
		}
		if text != "" && !unicode.IsSpace([]rune(text)[0]) {
			flush = true
		}
	}
	if !flush {
		return nil, false
	}
	indent := strings.Repeat("  ", depth+1)
	var body strings.Builder
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			body.WriteString(indent)
		}
		body.WriteString(l)
	}
	return hclwrite.Tokens{
		{Type: hclsyntax.TokenOHeredoc, Bytes: []byte("<<-" + marker + "\n")},
		{Type: hclsyntax.TokenStringLit, Bytes: []byte(body.String())},
		{Type: hclsyntax.TokenCHeredoc, Bytes: []byte(strings.Repeat("  ", depth) + marker)},
	}, true
}

// tuple writes a list: on one line, or one element a line when one of them
// spans lines (a heredoc, an object).
func tuple(elems []hclwrite.Tokens, depth int) hclwrite.Tokens {
	multi := false
	for _, e := range elems {
		for _, t := range e {
			if t.Type == hclsyntax.TokenOHeredoc || t.Type == hclsyntax.TokenNewline || t.Type == hclsyntax.TokenOBrace {
				multi = true
			}
		}
	}
	if !multi {
		return hclwrite.TokensForTuple(elems)
	}
	out := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}, newline()}
	for i, e := range elems {
		if e[0].Type == hclsyntax.TokenOHeredoc {
			// The heredoc's lines are indented one level deeper than a
			// heredoc that is an argument's value: rewrite it for its line.
			e = reindentHeredoc(e, depth+1)
		}
		out = append(out, e...)
		if i < len(elems)-1 {
			if e[len(e)-1].Type == hclsyntax.TokenCHeredoc {
				out = append(out, newline())
			}
			out = append(out, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")})
		}
		out = append(out, newline())
	}
	return append(out, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}

// reindentHeredoc moves a heredoc written for depth-1 (its lines one level
// in) to stand on its own line at depth: lines and marker at depth.
func reindentHeredoc(e hclwrite.Tokens, depth int) hclwrite.Tokens {
	lines := strings.SplitAfter(string(e[1].Bytes), "\n")
	var body strings.Builder
	for _, l := range lines {
		body.WriteString(strings.TrimPrefix(l, "  "))
	}
	marker := strings.TrimSpace(string(e[2].Bytes))
	return hclwrite.Tokens{
		e[0],
		{Type: hclsyntax.TokenStringLit, Bytes: []byte(body.String())},
		{Type: hclsyntax.TokenCHeredoc, Bytes: []byte(strings.Repeat("  ", depth) + marker)},
	}
}

func newline() *hclwrite.Token {
	return &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}
}

// expressionTokens lexes an expression's source into tokens; terraform fmt
// (hclwrite.Format) spaces them.
func expressionTokens(src []byte) (hclwrite.Tokens, error) {
	if _, diags := hclsyntax.ParseExpression(src, "", hcl.InitialPos); diags.HasErrors() {
		return nil, fmt.Errorf("%q is not a valid expression: %s", src, diags.Error())
	}
	toks, diags := hclsyntax.LexExpression(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diagsError(diags)
	}
	var out hclwrite.Tokens
	for _, t := range toks {
		if t.Type != hclsyntax.TokenEOF {
			out = append(out, &hclwrite.Token{Type: t.Type, Bytes: t.Bytes})
		}
	}
	return out, nil
}

// sameTemplate parses written tokens back as a native expression and
// reports whether it is the template want (canonTemplate's form).
func sameTemplate(t hclwrite.Tokens, want string) bool {
	src := append(t.Bytes(), '\n')
	expr, diags := hclsyntax.ParseExpression(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return false
	}
	got, err := canonSyntax(expr, src)
	return err == nil && got == want
}

func diagsError(diags hcl.Diagnostics) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			msg := d.Summary
			if d.Detail != "" {
				msg += ": " + d.Detail
			}
			msgs = append(msgs, msg)
		}
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}
