package hclexport

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Config is one stack to export.
type Config struct {
	// Stack names the stack in messages and in the files' header (base-dev).
	Stack string
	// JSON is the stack's Terraform JSON (cdk.tf.json). Required.
	JSON []byte
	// Schemas are the provider schemas of the stack's providers. Required.
	Schemas Schemas
}

// The files of a module, in the order a reader opens them.
const (
	VersionsFile  = "versions.tf"
	ProvidersFile = "providers.tf"
	VariablesFile = "variables.tf"
	MainFile      = "main.tf"
	OutputsFile   = "outputs.tf"
)

var fileOrder = []string{VersionsFile, ProvidersFile, VariablesFile, MainFile, OutputsFile}

// Module is a stack as a plain Terraform module: file name → content.
type Module map[string][]byte

// names are the module's files in fileOrder, then any others by name.
func (m Module) names() []string {
	var out []string
	known := map[string]bool{}
	for _, n := range fileOrder {
		known[n] = true
		if _, ok := m[n]; ok {
			out = append(out, n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(m)) {
		if !known[n] {
			out = append(out, n)
		}
	}
	return out
}

// Export writes the stack as a module (see the package documentation for
// its files and order) and proves it with Verify: a module is returned only
// when it is the same configuration as the JSON.
func Export(c Config) (Module, error) {
	jsonFile, diags := hclparse.NewParser().ParseJSON(c.JSON, "cdk.tf.json")
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: reading cdk.tf.json: %w", c.Stack, diagsError(diags))
	}
	root, err := c.decode(jsonFile.Body, "cdk.tf.json")
	if err != nil {
		return nil, err
	}
	groups := map[string][]*block{}
	for _, b := range root.blocks {
		groups[fileOf(b.typ)] = append(groups[fileOf(b.typ)], b)
	}
	byName := func(bs []*block) []*block {
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].labels[0] < bs[j].labels[0] })
		return bs
	}
	groups[VariablesFile] = byName(groups[VariablesFile])
	groups[OutputsFile] = byName(groups[OutputsFile])
	groups[MainFile] = mainOrder(groups[MainFile])

	m := Module{}
	for _, name := range fileOrder {
		if len(groups[name]) == 0 {
			continue
		}
		f := hclwrite.NewEmptyFile()
		body := f.Body()
		body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment,
			Bytes: []byte(fmt.Sprintf("# %s: written by hclexport from the stack's cdk.tf.json (make hcl, cdktf synth --hcl).\n", c.Stack))}})
		for _, b := range groups[name] {
			body.AppendNewline()
			if err := writeBlock(body, b, 0); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", c.Stack, b.address(), err)
			}
		}
		m[name] = hclwrite.Format(f.Bytes())
	}
	if err := Verify(c, m); err != nil {
		return nil, fmt.Errorf("hclexport: %w", err)
	}
	return m, nil
}

// fileOf is the file a top-level block goes to.
func fileOf(typ string) string {
	switch typ {
	case "terraform":
		return VersionsFile
	case "provider":
		return ProvidersFile
	case "variable":
		return VariablesFile
	case "output":
		return OutputsFile
	}
	return MainFile
}

// writeBlock appends a block and its body at depth (the block's own line).
// A block with an empty body is written on one line: pod_selector {}.
func writeBlock(parent *hclwrite.Body, b *block, depth int) error {
	n := b.body
	if len(n.attrs) == 0 && len(n.blocks) == 0 {
		parent.AppendUnstructuredTokens(emptyBlock(b))
		return nil
	}
	body := parent.AppendNewBlock(b.typ, b.labels).Body()
	w := writer{}
	last := map[string]bool{}
	for _, name := range n.shape.last {
		last[name] = true
	}
	items := 0
	arg := func(name string) error {
		toks, err := w.value(n.attrs[name].Expr, n.shape.kind(name), depth+1)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		body.SetAttributeRaw(name, toks)
		items++
		return nil
	}
	nested := func(nb *block) error {
		if items > 0 {
			body.AppendNewline()
		}
		items++
		if err := writeBlock(body, nb, depth+1); err != nil {
			return fmt.Errorf("%s: %w", nb.address(), err)
		}
		return nil
	}
	order := n.argOrder()
	for _, name := range order {
		if !last[name] {
			if err := arg(name); err != nil {
				return err
			}
		}
	}
	for _, nb := range n.blockOrder() {
		if nb.typ != "lifecycle" {
			if err := nested(nb); err != nil {
				return err
			}
		}
	}
	blank := items > 0
	for _, name := range order {
		if last[name] {
			if blank {
				body.AppendNewline()
				blank = false
			}
			if err := arg(name); err != nil {
				return err
			}
		}
	}
	for _, nb := range n.blocksOf("lifecycle") {
		if err := nested(nb); err != nil {
			return err
		}
	}
	return nil
}

func emptyBlock(b *block) hclwrite.Tokens {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(b.typ)}}
	for _, l := range b.labels {
		toks = append(toks, hclwrite.TokensForValue(cty.StringVal(l))...)
	}
	return append(toks,
		&hclwrite.Token{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")},
		&hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")},
		newline())
}

// mainOrder puts locals first, then data sources and resources in
// dependency order: by level (0 refers to nothing here, n to something of
// level n-1 at most: namespaces, then what lives in them, …), then type,
// name and kind.
func mainOrder(blocks []*block) []*block {
	var locals, nodes []*block
	for _, b := range blocks {
		if b.typ == "locals" {
			locals = append(locals, b)
		} else {
			nodes = append(nodes, b)
		}
	}
	key := func(b *block) string {
		if b.typ == "data" {
			return "data." + b.labels[0] + "." + b.labels[1]
		}
		return b.labels[0] + "." + b.labels[1]
	}
	byKey := map[string]*block{}
	for _, b := range nodes {
		byKey[key(b)] = b
	}
	deps := map[*block][]*block{}
	for _, b := range nodes {
		for _, t := range refsOf(b.body) {
			if d, ok := byKey[refKey(t)]; ok && d != b {
				deps[b] = append(deps[b], d)
			}
		}
	}
	level := map[*block]int{}
	var levelOf func(b *block, seen map[*block]bool) int
	levelOf = func(b *block, seen map[*block]bool) int {
		if l, ok := level[b]; ok {
			return l
		}
		if seen[b] { // a cycle, which Terraform rejects anyway
			return 0
		}
		seen[b] = true
		l := 0
		for _, d := range deps[b] {
			l = max(l, levelOf(d, seen)+1)
		}
		level[b] = l
		return l
	}
	for _, b := range nodes {
		levelOf(b, map[*block]bool{})
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := nodes[i], nodes[j]
		switch {
		case level[a] != level[b]:
			return level[a] < level[b]
		case a.labels[0] != b.labels[0]:
			return a.labels[0] < b.labels[0]
		case a.labels[1] != b.labels[1]:
			return a.labels[1] < b.labels[1]
		}
		return a.typ < b.typ
	})
	return append(locals, nodes...)
}

// refKey is the block a reference names: data.TYPE.NAME or TYPE.NAME.
func refKey(t hcl.Traversal) string {
	var names []string
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, s.Name)
		case hcl.TraverseAttr:
			names = append(names, s.Name)
		default:
			return strings.Join(names, ".")
		}
		if len(names) == 3 || (len(names) == 2 && names[0] != "data") {
			break
		}
	}
	return strings.Join(names, ".")
}

// refsOf are the references of every argument of a body and its blocks.
func refsOf(n *node) []hcl.Traversal {
	var out []hcl.Traversal
	for _, name := range slices.Sorted(maps.Keys(n.attrs)) {
		expr := n.attrs[name].Expr
		switch n.shape.kind(name) {
		case references:
			refs, _ := absTraversals(expr) // an error is Verify's to report
			out = append(out, refs...)
		case expression:
			out = append(out, expr.Variables()...)
		}
	}
	for _, b := range n.blocks {
		out = append(out, refsOf(b.body)...)
	}
	return out
}
