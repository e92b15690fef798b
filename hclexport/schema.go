package hclexport

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"
)

// Schemas holds the real provider schemas, which tell a nested block from an
// attribute in provider and resource bodies; *tfschema.Schemas is one.
type Schemas interface {
	// Block is the schema of a provider's configuration (kind "provider")
	// or of one of its resource types (kind "resource" or "data"), for a
	// provider source address as required_providers gives it.
	Block(source, kind, typ string) (*tfjson.SchemaBlock, bool)
}

// valueKind says how Terraform reads an argument.
type valueKind int

const (
	// expression: an expression; a JSON string is a template.
	expression valueKind = iota
	// literal: a constant, read without templates (a JSON string is text).
	literal
	// typeExpr: a type constraint (string, map(string)).
	typeExpr
	// reference: one static reference (provider = kubernetes.alias).
	reference
	// references: a list of static references (depends_on).
	references
)

// shape is how Terraform reads one body: its arguments, and its block
// types with their labels and the shape of their bodies. A shape with
// anyArgs reads every argument (required_providers, backend, locals).
type shape struct {
	args    map[string]valueKind
	anyArgs valueKind
	any     bool
	blocks  map[string]blockType
	// first lists the arguments written before the others, in this order;
	// last those written after the blocks. firstBlocks lists the block
	// types written before the others.
	first, last, firstBlocks []string
	// language: the arguments and blocks are Terraform's own (variable,
	// lifecycle, …), not a provider's; meta are the language's arguments
	// in a provider's body (count, depends_on, alias). writeOnly are the
	// provider's write-only arguments.
	language        bool
	meta, writeOnly map[string]bool
}

// blockType is a nested block type: its label names and how to find the
// shape of a block's body from its labels (and, for a resource's provider
// argument, the body itself).
type blockType struct {
	labels []string
	body   shapeOf
}

type shapeOf func(s *stack, labels []string, body hcl.Body) (*shape, error)

func fixed(sh *shape) shapeOf {
	return func(*stack, []string, hcl.Body) (*shape, error) { return sh, nil }
}

func (sh *shape) hclSchema() *hcl.BodySchema {
	bs := &hcl.BodySchema{}
	for _, name := range slices.Sorted(maps.Keys(sh.args)) {
		bs.Attributes = append(bs.Attributes, hcl.AttributeSchema{Name: name})
	}
	for _, typ := range slices.Sorted(maps.Keys(sh.blocks)) {
		bs.Blocks = append(bs.Blocks, hcl.BlockHeaderSchema{Type: typ, LabelNames: sh.blocks[typ].labels})
	}
	return bs
}

// kind is how the argument name is read.
func (sh *shape) kind(name string) valueKind {
	if sh.any {
		return sh.anyArgs
	}
	return sh.args[name]
}

// Terraform's own blocks, as its configs package reads them.
var (
	conditionShape = &shape{args: map[string]valueKind{"condition": expression, "error_message": expression},
		first: []string{"condition", "error_message"}, language: true}

	terraformShape = &shape{
		args: map[string]valueKind{"required_version": literal},
		blocks: map[string]blockType{
			"required_providers": {body: fixed(&shape{any: true, anyArgs: literal})},
			"backend":            {labels: []string{"type"}, body: fixed(&shape{any: true, anyArgs: literal})},
		},
		firstBlocks: []string{"required_providers"},
		language:    true,
	}

	variableShape = &shape{
		args: map[string]valueKind{"description": literal, "default": literal, "type": typeExpr,
			"sensitive": literal, "nullable": literal, "ephemeral": literal},
		blocks:   map[string]blockType{"validation": {body: fixed(conditionShape)}},
		first:    []string{"type", "description", "default", "nullable", "sensitive", "ephemeral"},
		language: true,
	}

	outputShape = &shape{
		args: map[string]valueKind{"description": literal, "value": expression, "sensitive": literal,
			"ephemeral": literal, "depends_on": references},
		blocks:   map[string]blockType{"precondition": {body: fixed(conditionShape)}},
		first:    []string{"description", "value", "sensitive", "ephemeral"},
		last:     []string{"depends_on"},
		language: true,
	}

	lifecycleShape = &shape{
		args: map[string]valueKind{"create_before_destroy": literal, "prevent_destroy": literal,
			"ignore_changes": references, "replace_triggered_by": references},
		blocks: map[string]blockType{
			"precondition":  {body: fixed(conditionShape)},
			"postcondition": {body: fixed(conditionShape)},
		},
		language: true,
	}

	// resourceMeta are the meta-arguments of resource and data blocks.
	resourceMeta = map[string]valueKind{"count": expression, "for_each": expression,
		"provider": reference, "depends_on": references}
)

// rootShape is a module's top level. Blocks that hclexport does not export
// are read, so that they can be refused by name.
var rootShape = &shape{
	blocks: map[string]blockType{
		"module":    {labels: []string{"name"}, body: notExported},
		"moved":     {body: notExported},
		"import":    {body: notExported},
		"check":     {labels: []string{"name"}, body: notExported},
		"removed":   {body: notExported},
		"ephemeral": {labels: []string{"type", "name"}, body: notExported},
		"terraform": {body: fixed(terraformShape)},
		"provider":  {labels: []string{"name"}, body: providerShape},
		"variable":  {labels: []string{"name"}, body: fixed(variableShape)},
		"locals":    {body: fixed(&shape{any: true, anyArgs: expression, language: true})},
		"output":    {labels: []string{"name"}, body: fixed(outputShape)},
		"resource":  {labels: []string{"type", "name"}, body: resourceShape("resource")},
		"data":      {labels: []string{"type", "name"}, body: resourceShape("data")},
	},
}

// notExported refuses a block Terraform knows and hclexport does not write,
// rather than exporting the stack without it.
func notExported(_ *stack, labels []string, _ hcl.Body) (*shape, error) {
	return nil, fmt.Errorf("hclexport does not export this kind of block; export it by hand or extend hclexport (schema.go)")
}

func providerShape(s *stack, labels []string, _ hcl.Body) (*shape, error) {
	source := s.source(labels[0])
	blk, ok := s.schemas.Block(source, "provider", "")
	if !ok {
		return nil, fmt.Errorf("provider %q: no schema for %s; the schema file must hold every provider of required_providers", labels[0], source)
	}
	sh := fromSchema(blk)
	sh.args["alias"] = literal
	sh.meta["alias"] = true
	sh.first = []string{"alias"}
	return sh, nil
}

// resourceShape finds a resource's provider as Terraform does (its provider
// argument, else the prefix of its type) and reads the body with that
// provider's schema of the type.
func resourceShape(kind string) shapeOf {
	return func(s *stack, labels []string, body hcl.Body) (*shape, error) {
		typ, name := labels[0], labels[1]
		local, _, _ := strings.Cut(typ, "_")
		content, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "provider"}}})
		if attr, ok := content.Attributes["provider"]; ok {
			ref, err := absTraversal(attr.Expr)
			if err != nil {
				return nil, fmt.Errorf("%s %s.%s: provider: %w", kind, typ, name, err)
			}
			local = ref.RootName()
		}
		source := s.source(local)
		blk, ok := s.schemas.Block(source, kind, typ)
		if !ok {
			return nil, fmt.Errorf("%s %s.%s: %s does not provide this type (or its schema is missing from the schema file)", kind, typ, name, source)
		}
		sh := fromSchema(blk)
		for arg, k := range resourceMeta {
			sh.args[arg] = k
			sh.meta[arg] = true
		}
		sh.blocks["lifecycle"] = blockType{body: fixed(lifecycleShape)}
		sh.first = []string{"count", "for_each", "provider", "name", "namespace"}
		sh.last = []string{"depends_on"}
		return sh, nil
	}
}

// fromSchema is the shape of a provider schema block: its attributes,
// nested attributes (helm 3's kubernetes, set) included, are arguments;
// its block types are blocks, map-mode ones with a label.
func fromSchema(blk *tfjson.SchemaBlock) *shape {
	sh := &shape{args: map[string]valueKind{}, blocks: map[string]blockType{},
		meta: map[string]bool{}, writeOnly: map[string]bool{}}
	for name, attr := range blk.Attributes {
		sh.args[name] = expression
		if attr.WriteOnly {
			sh.writeOnly[name] = true
		}
	}
	for name, bt := range blk.NestedBlocks {
		var labels []string
		if bt.NestingMode == tfjson.SchemaNestingModeMap {
			labels = []string{"key"}
		}
		nested := fromSchema(bt.Block)
		sh.blocks[name] = blockType{labels: labels, body: fixed(nested)}
	}
	return sh
}
