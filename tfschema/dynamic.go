package tfschema

import (
	"encoding/json"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// checkDynamic checks a body's "dynamic" property: an object keyed by the
// block type to generate, each with for_each, optional iterator and labels,
// and content. It returns the block types that have dynamic blocks; their
// number is unknown, so min/max items are not checked for them.
func (v *validator) checkDynamic(sc scope, path string, val any, blk *tfjson.SchemaBlock) map[string]bool {
	types := map[string]bool{}
	obj, ok := val.(map[string]any)
	if !ok {
		v.add(sc.addr, path, "dynamic must be a JSON object keyed by block type, got %s", describe(val))
		return types
	}
	for _, name := range sortedKeys(obj) {
		if name == commentKey {
			continue
		}
		p := attrPath(path, name)
		bt, isBlock := blk.NestedBlocks[name]
		if !isBlock {
			if _, isAttr := blk.Attributes[name]; isAttr {
				v.add(sc.addr, p, "%q is an attribute, not a block: dynamic blocks only generate blocks (build the value with a for expression instead)", name)
			} else {
				v.add(sc.addr, p, "dynamic block for unsupported block type %q%s", name, suggest(name, sortedKeys(blk.NestedBlocks)))
			}
			continue
		}
		types[name] = true
		for _, spec := range v.blockBodies(sc, p, "dynamic", obj[name], false) {
			v.checkDynamicSpec(sc, spec.path, name, spec.body, bt)
		}
	}
	return types
}

// checkDynamicSpec checks one dynamic block.
func (v *validator) checkDynamicSpec(sc scope, path, name string, spec map[string]any, bt *tfjson.SchemaBlockType) {
	iterator := name
	for _, k := range sortedKeys(spec) {
		p := attrPath(path, k)
		switch k {
		case commentKey, "content":
		case "for_each":
			switch x := spec[k].(type) {
			case nil, bool, json.Number:
				v.add(sc.addr, p, "for_each requires a collection, got %s", describe(x))
			default:
				v.checkValue(sc, p, x, cty.DynamicPseudoType)
			}
		case "iterator":
			s, ok := spec[k].(string)
			if !ok || !hclsyntax.ValidIdentifier(s) {
				v.add(sc.addr, p, "iterator must be an identifier string, got %s", describe(spec[k]))
				continue
			}
			iterator = s
		case "labels":
			if bt.NestingMode != tfjson.SchemaNestingModeMap {
				v.add(sc.addr, p, "labels are only allowed for blocks with a label (nesting mode map); %q has nesting mode %s", name, bt.NestingMode)
				continue
			}
			v.checkValue(sc.withIterator(iterator), p, spec[k], cty.List(cty.String))
		default:
			v.add(sc.addr, p, "unsupported argument %q in dynamic block (want for_each, iterator, labels, content)", k)
		}
	}
	if spec["for_each"] == nil {
		v.add(sc.addr, attrPath(path, "for_each"), "missing required argument \"for_each\"")
	}
	if bt.NestingMode == tfjson.SchemaNestingModeMap && spec["labels"] == nil {
		v.add(sc.addr, attrPath(path, "labels"), "missing required argument \"labels\" for a block with a label")
	}
	contents := v.blockBodies(sc, attrPath(path, "content"), "content", spec["content"], false)
	switch len(contents) {
	case 0:
		v.add(sc.addr, attrPath(path, "content"), "missing required block \"content\"")
	case 1:
		v.checkBody(sc.withIterator(iterator), contents[0].path, contents[0].body, bt.Block, nil)
	default:
		v.add(sc.addr, attrPath(path, "content"), "only one \"content\" block is allowed")
	}
}
