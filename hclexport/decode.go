package hclexport

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// stack is what reading one stack needs: the provider schemas and its
// required_providers (local name → source address).
type stack struct {
	name    string
	schemas Schemas
	sources map[string]string
}

// source is the source address of a provider local name; one that
// required_providers lacks is Terraform's implied hashicorp/<name>.
func (s *stack) source(local string) string {
	if src, ok := s.sources[local]; ok {
		return src
	}
	return local
}

// node is one decoded body: its arguments and its blocks, in source order.
type node struct {
	shape  *shape
	attrs  hcl.Attributes
	blocks []*block
}

// block is one decoded block.
type block struct {
	typ    string
	labels []string
	body   *node
	def    hcl.Range
}

// address names a block in messages: resource.helm_release.ollama.
func (b *block) address() string {
	return strings.Join(append([]string{b.typ}, b.labels...), ".")
}

// decodeModule reads a module's top-level body: the terraform block first,
// whose required_providers say which schema reads each provider and
// resource body, then every block.
func (s *stack) decodeModule(body hcl.Body) (*node, hcl.Diagnostics) {
	content, diags := body.Content(rootShape.hclSchema())
	s.sources = map[string]string{}
	for _, b := range content.Blocks {
		if b.Type != "terraform" {
			continue
		}
		tf, d := s.decode(b.Body, terraformShape)
		diags = append(diags, d...)
		for _, rp := range tf.blocksOf("required_providers") {
			for name, attr := range rp.body.attrs {
				v, d := attr.Expr.Value(nil)
				diags = append(diags, d...)
				if !d.HasErrors() && v.Type().IsObjectType() && v.Type().HasAttribute("source") {
					if src := v.GetAttr("source"); src.Type() == cty.String && src.IsKnown() && !src.IsNull() {
						s.sources[name] = src.AsString()
					}
				}
			}
		}
	}
	root := &node{shape: rootShape, attrs: content.Attributes}
	diags = append(diags, s.decodeBlocks(root, content.Blocks)...)
	return root, diags
}

// decode reads one body with its shape.
func (s *stack) decode(body hcl.Body, sh *shape) (*node, hcl.Diagnostics) {
	if sh.any {
		attrs, diags := body.JustAttributes()
		return &node{shape: sh, attrs: attrs}, diags
	}
	content, diags := body.Content(sh.hclSchema())
	n := &node{shape: sh, attrs: content.Attributes}
	diags = append(diags, s.decodeBlocks(n, content.Blocks)...)
	return n, diags
}

func (s *stack) decodeBlocks(n *node, blocks hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		bsh, err := n.shape.blocks[b.Type].body(s, b.Labels, b.Body)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("%s: %v", strings.Join(append([]string{b.Type}, b.Labels...), "."), err),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		child, d := s.decode(b.Body, bsh)
		diags = append(diags, d...)
		n.blocks = append(n.blocks, &block{typ: b.Type, labels: b.Labels, body: child, def: b.DefRange})
	}
	return diags
}

// blocksOf are the blocks of one type, in order.
func (n *node) blocksOf(typ string) []*block {
	var out []*block
	for _, b := range n.blocks {
		if b.typ == typ {
			out = append(out, b)
		}
	}
	return out
}

// blockOrder is the order blocks are written in: the shape's firstBlocks
// types, then the others as they came.
func (n *node) blockOrder() []*block {
	rank := func(b *block) int {
		for i, t := range n.shape.firstBlocks {
			if b.typ == t {
				return i
			}
		}
		return len(n.shape.firstBlocks)
	}
	out := append([]*block(nil), n.blocks...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// argOrder is the order arguments are written in: the shape's first ones,
// the others by name, then its last ones.
func (n *node) argOrder() []string {
	placed := map[string]bool{}
	var head, tail []string
	for _, name := range n.shape.first {
		if _, ok := n.attrs[name]; ok {
			head, placed[name] = append(head, name), true
		}
	}
	for _, name := range n.shape.last {
		if _, ok := n.attrs[name]; ok {
			tail, placed[name] = append(tail, name), true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(n.attrs)) {
		if !placed[name] {
			head = append(head, name)
		}
	}
	return append(head, tail...)
}

// exprList is the elements of a list expression (a JSON array, a tuple).
func exprList(expr hcl.Expression) ([]hcl.Expression, error) {
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil, diagsError(diags)
	}
	return elems, nil
}

// absTraversal is a static reference (provider = kubernetes.alias; in JSON
// the string "kubernetes.alias").
func absTraversal(expr hcl.Expression) (hcl.Traversal, error) {
	t, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return nil, diagsError(diags)
	}
	return t, nil
}

// absTraversals is a list of static references (depends_on).
func absTraversals(expr hcl.Expression) ([]hcl.Traversal, error) {
	list, err := exprList(expr)
	if err != nil {
		return nil, err
	}
	out := make([]hcl.Traversal, 0, len(list))
	for _, e := range list {
		t, err := absTraversal(e)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
