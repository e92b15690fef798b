package hclexport

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Mismatch is a module that is not the same configuration as its JSON.
type Mismatch struct {
	Stack string
	// Differences, one a line: "resource.helm_release.ollama: values: …".
	Differences []string
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("%s: the HCL is not the same configuration as cdk.tf.json (%d differences):\n  %s",
		m.Stack, len(m.Differences), strings.Join(m.Differences, "\n  "))
}

// Verify parses the module's files as one module, as Terraform loads a
// folder, and compares it with the stack's JSON: blocks, labels, arguments,
// literal values after evaluation, templates part by part, references and
// other expressions token by token. The error is a *Mismatch listing every
// difference, or says why either side could not be read.
func Verify(c Config, m Module) error {
	parser := hclparse.NewParser()
	jsonFile, diags := parser.ParseJSON(c.JSON, "cdk.tf.json")
	if diags.HasErrors() {
		return fmt.Errorf("%s: reading cdk.tf.json: %w", c.Stack, diagsError(diags))
	}
	var files []*hcl.File
	for _, name := range m.names() {
		f, diags := parser.ParseHCL(m[name], name)
		if diags.HasErrors() {
			return fmt.Errorf("%s: %s does not parse: %w", c.Stack, name, diagsError(diags))
		}
		files = append(files, f)
	}
	want, err := c.decode(jsonFile.Body, "cdk.tf.json")
	if err != nil {
		return err
	}
	got, err := c.decode(hcl.MergeFiles(files), "the HCL")
	if err != nil {
		return err
	}
	cmp := comparer{sources: parser.Sources()}
	cmp.nodes("", want, got, true)
	if len(cmp.diffs) > 0 {
		return &Mismatch{Stack: c.Stack, Differences: cmp.diffs}
	}
	return nil
}

// decode reads one side with the provider schemas.
func (c Config) decode(body hcl.Body, what string) (*node, error) {
	if c.Schemas == nil {
		return nil, fmt.Errorf("%s: hclexport.Config.Schemas is nil; pass the provider schemas (tfschema.Load)", c.Stack)
	}
	s := &stack{name: c.Stack, schemas: c.Schemas}
	n, diags := s.decodeModule(body)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: reading %s: %w", c.Stack, what, diagsError(diags))
	}
	return n, nil
}

type comparer struct {
	sources map[string][]byte // the parsed files, for the text of expressions
	diffs   []string
}

func (c *comparer) differ(path, format string, args ...any) {
	c.diffs = append(c.diffs, path+": "+fmt.Sprintf(format, args...))
}

// nodes compares two bodies. Top-level blocks are matched by address,
// nested ones by type and position.
func (c *comparer) nodes(path string, want, got *node, top bool) {
	for _, name := range slices.Sorted(maps.Keys(union(want.attrs, got.attrs))) {
		at := join(path, name)
		w, inWant := want.attrs[name]
		g, inGot := got.attrs[name]
		switch {
		case !inGot:
			c.differ(at, "missing from the HCL")
		case !inWant:
			c.differ(at, "in the HCL, not in the JSON")
		default:
			kind := want.shape.kind(name)
			cw, err := c.canon(w.Expr, kind)
			if err != nil {
				c.differ(at, "reading the JSON: %v", err)
				continue
			}
			cg, err := c.canon(g.Expr, kind)
			if err != nil {
				c.differ(at, "reading the HCL: %v", err)
				continue
			}
			if cw != cg {
				c.differ(at, "the JSON has %s, the HCL %s", excerpt(cw, cg), excerpt(cg, cw))
			}
		}
	}
	wb, gb := keyed(want.blocks, top), keyed(got.blocks, top)
	for _, key := range slices.Sorted(maps.Keys(union(wb, gb))) {
		w, inWant := wb[key]
		g, inGot := gb[key]
		switch {
		case !inGot:
			c.differ(join(path, key), "block missing from the HCL")
		case !inWant:
			c.differ(join(path, key), "block in the HCL, not in the JSON")
		default:
			c.nodes(join(path, key), w.body, g.body, false)
		}
	}
}

// keyed names blocks: top-level ones by address (a second provider block
// of the same name gets #2), nested ones by type and position (egress[1]).
func keyed(blocks []*block, top bool) map[string]*block {
	out := map[string]*block{}
	seen := map[string]int{}
	for _, b := range blocks {
		addr := b.address()
		seen[addr]++
		key := addr
		switch {
		case !top:
			key = fmt.Sprintf("%s[%d]", addr, seen[addr]-1)
		case seen[addr] > 1:
			key = fmt.Sprintf("%s#%d", addr, seen[addr])
		}
		out[key] = b
	}
	return out
}

// canon is the canonical text of a value read as kind, the same for both
// syntaxes when Terraform would read the same configuration.
func (c *comparer) canon(expr hcl.Expression, kind valueKind) (string, error) {
	switch kind {
	case literal:
		v, diags := expr.Value(nil)
		if diags.HasErrors() {
			return "", diagsError(diags)
		}
		return lit(v)
	case typeExpr:
		if se, ok := expr.(hclsyntax.Expression); ok {
			return tokensCanon(c.text(se))
		}
		v, diags := expr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.String {
			return "", fmt.Errorf("a type constraint must be a string")
		}
		return tokensCanon([]byte(v.AsString()))
	case reference:
		ref, err := absTraversal(expr)
		if err != nil {
			return "", err
		}
		return "ref(" + traversalString(ref) + ")", nil
	case references:
		refs, err := absTraversals(expr)
		if err != nil {
			return "", err
		}
		var names []string
		for _, ref := range refs {
			names = append(names, traversalString(ref))
		}
		return "refs(" + strings.Join(names, ", ") + ")", nil
	}
	if se, ok := expr.(hclsyntax.Expression); ok {
		return canonSyntax(se, c.sources[se.Range().Filename])
	}
	return canonJSON(expr)
}

func (c *comparer) text(e hclsyntax.Expression) []byte {
	r := e.Range()
	return c.sources[r.Filename][r.Start.Byte:r.End.Byte]
}

// canonJSON reads a JSON value in an expression: arrays and objects element
// by element, strings as templates.
func canonJSON(expr hcl.Expression) (string, error) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return "", diagsError(diags)
	}
	switch {
	case v.Type().IsTupleType():
		list, err := exprList(expr)
		if err != nil {
			return "", err
		}
		var elems []string
		for _, e := range list {
			s, err := canonJSON(e)
			if err != nil {
				return "", err
			}
			elems = append(elems, s)
		}
		return "[" + strings.Join(elems, ", ") + "]", nil
	case v.Type().IsObjectType():
		pairs, diags := hcl.ExprMap(expr)
		if diags.HasErrors() {
			return "", diagsError(diags)
		}
		items := map[string]string{}
		for _, p := range pairs {
			k, _ := p.Key.Value(nil)
			s, err := canonJSON(p.Value)
			if err != nil {
				return "", err
			}
			items[k.AsString()] = s
		}
		return object(items), nil
	case v.Type() == cty.String:
		return canonTemplate(v.AsString())
	}
	return lit(v)
}

// canonTemplate reads a JSON string as the template it is.
func canonTemplate(src string) (string, error) {
	expr, diags := hclsyntax.ParseTemplate([]byte(src), "", hcl.InitialPos)
	if diags.HasErrors() {
		return "", diagsError(diags)
	}
	return canonSyntax(expr, []byte(src))
}

// canonSyntax reads a native expression, whose text is in src.
func canonSyntax(expr hclsyntax.Expression, src []byte) (string, error) {
	switch e := expr.(type) {
	case *hclsyntax.TupleConsExpr:
		var elems []string
		for _, el := range e.Exprs {
			s, err := canonSyntax(el, src)
			if err != nil {
				return "", err
			}
			elems = append(elems, s)
		}
		return "[" + strings.Join(elems, ", ") + "]", nil
	case *hclsyntax.ObjectConsExpr:
		items := map[string]string{}
		for _, item := range e.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || k.Type() != cty.String {
				return "", fmt.Errorf("object key %s is not a literal string", src[item.KeyExpr.Range().Start.Byte:item.KeyExpr.Range().End.Byte])
			}
			s, err := canonSyntax(item.ValueExpr, src)
			if err != nil {
				return "", err
			}
			items[k.AsString()] = s
		}
		return object(items), nil
	case *hclsyntax.TemplateWrapExpr:
		return canonSyntax(e.Wrapped, src)
	case *hclsyntax.TemplateExpr:
		var parts []string
		var text strings.Builder
		literalOnly := true
		flush := func() {
			if text.Len() > 0 {
				parts = append(parts, strconv.Quote(text.String()))
				text.Reset()
			}
		}
		for _, p := range e.Parts {
			if l, ok := p.(*hclsyntax.LiteralValueExpr); ok && l.Val.Type() == cty.String {
				text.WriteString(l.Val.AsString())
				continue
			}
			literalOnly = false
			flush()
			s, err := canonSyntax(p, src)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		if literalOnly {
			return lit(cty.StringVal(text.String()))
		}
		flush()
		return "template(" + strings.Join(parts, " ") + ")", nil
	case *hclsyntax.LiteralValueExpr:
		return lit(e.Val)
	case *hclsyntax.ScopeTraversalExpr:
		return "ref(" + traversalString(e.Traversal) + ")", nil
	}
	if len(expr.Variables()) == 0 {
		if v, diags := expr.Value(nil); !diags.HasErrors() {
			return lit(v)
		}
	}
	r := expr.Range()
	s, err := tokensCanon(src[r.Start.Byte:r.End.Byte])
	return "expr(" + s + ")", err
}

// lit is a constant with its type: string "a", number 600, bool true.
func lit(v cty.Value) (string, error) {
	if !v.IsWhollyKnown() {
		return "", fmt.Errorf("value is not a constant")
	}
	if v.IsNull() {
		return "null", nil
	}
	data, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "", err
	}
	return v.Type().FriendlyName() + " " + string(data), nil
}

func object(items map[string]string) string {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(items)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(k) + " = " + items[k])
	}
	b.WriteString("}")
	return b.String()
}

// tokensCanon is an expression's tokens, spaced alike whatever the layout.
func tokensCanon(src []byte) (string, error) {
	toks, diags := hclsyntax.LexExpression(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return "", diagsError(diags)
	}
	var words []string
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenEOF, hclsyntax.TokenNewline, hclsyntax.TokenComment:
			continue
		}
		words = append(words, string(t.Bytes))
	}
	return strings.Join(words, " "), nil
}

// traversalString is a reference as it is written: a.b[0].c.
func traversalString(t hcl.Traversal) string {
	return string(hclwrite.TokensForTraversal(t).Bytes())
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// excerpt shortens a canonical value around where it first differs from
// other, so that a long heredoc shows the line that changed.
func excerpt(s, other string) string {
	const width = 60
	i := 0
	for i < len(s) && i < len(other) && s[i] == other[i] {
		i++
	}
	start, end, pre, post := i-width, i+width, "…", "…"
	if start <= 0 {
		start, pre = 0, ""
	}
	if end >= len(s) {
		end, post = len(s), ""
	}
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	return pre + s[start:end] + post
}
