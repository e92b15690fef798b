package tfschema

import (
	tfjson "github.com/hashicorp/terraform-json"
)

// commentKey is the property cdktf (and HCL's JSON syntax) uses for
// comments and metadata; it is ignored everywhere.
const commentKey = "//"

// dynamicKey introduces dynamic blocks in a block body.
const dynamicKey = "dynamic"

// bodyItem is one block body found in the JSON for a block type.
type bodyItem struct {
	path string
	body map[string]any
}

// checkBody checks a block body against a schema block. Keys in skip are
// meta-arguments handled by the caller.
func (v *validator) checkBody(sc scope, path string, body map[string]any, blk *tfjson.SchemaBlock, skip map[string]bool) {
	dynamic := map[string]bool{}
	_, attrNamedDynamic := blk.Attributes[dynamicKey]
	_, blockNamedDynamic := blk.NestedBlocks[dynamicKey]
	handleDynamic := sc.noRefs == "" && !attrNamedDynamic && !blockNamedDynamic && !skip[dynamicKey]
	if d, ok := body[dynamicKey]; ok && handleDynamic {
		dynamic = v.checkDynamic(sc, attrPath(path, dynamicKey), d, blk)
	}
	for _, k := range sortedKeys(body) {
		if k == commentKey || skip[k] || (k == dynamicKey && handleDynamic) {
			continue
		}
		if attr, ok := blk.Attributes[k]; ok {
			v.checkAttribute(sc, attrPath(path, k), body[k], attr)
			continue
		}
		if bt, ok := blk.NestedBlocks[k]; ok {
			v.checkBlock(sc, path, k, body[k], bt, dynamic[k])
			continue
		}
		v.add(sc.addr, attrPath(path, k), "unsupported argument or block %q%s", k, suggest(k, blockNames(blk)))
	}
	for _, name := range sortedKeys(blk.Attributes) {
		if blk.Attributes[name].Required && body[name] == nil {
			v.add(sc.addr, attrPath(path, name), "missing required argument %q", name)
		}
	}
	for _, name := range sortedKeys(blk.NestedBlocks) {
		bt := blk.NestedBlocks[name]
		if _, present := body[name]; !present && bt.MinItems > 0 && !dynamic[name] {
			v.add(sc.addr, attrPath(path, name), "missing required block %q: at least %d required", name, bt.MinItems)
		}
	}
}

// checkAttribute checks the value of one attribute.
func (v *validator) checkAttribute(sc scope, path string, val any, attr *tfjson.SchemaAttribute) {
	if val == nil {
		return
	}
	if attr.Computed && !attr.Optional && !attr.Required {
		v.add(sc.addr, path, "attribute is computed by the provider (read-only) and cannot be set")
		return
	}
	if attr.WriteOnly {
		sc.ephemeralOK = true
	}
	if attr.AttributeNestedType != nil {
		v.checkNested(sc, path, val, attr.AttributeNestedType)
		return
	}
	v.checkValue(sc, path, val, attr.AttributeType)
}

// checkNested checks the value of a nested attribute (an attribute whose
// schema has nested_type). Unlike a block, its JSON form must match its type
// exactly: an object for nesting mode single, an array of objects for list and
// set, an object of objects for map.
func (v *validator) checkNested(sc scope, path string, val any, nt *tfjson.SchemaNestedAttributeType) {
	if s, ok := val.(string); ok {
		kind, _, ok := v.template(sc, path, s)
		if ok && kind != tmplWrap {
			v.add(sc.addr, path, "nested attribute (nesting mode %s) requires %s, got %s", nt.NestingMode, nestedShape(nt), describe(val))
		}
		return
	}
	switch nt.NestingMode {
	case tfjson.SchemaNestingModeSingle, tfjson.SchemaNestingModeGroup:
		switch x := val.(type) {
		case map[string]any:
			v.checkNestedObject(sc, path, x, nt)
		case []any:
			v.add(sc.addr, path, "nested attribute (nesting mode %s), not a block: write one JSON object, not an array", nt.NestingMode)
		default:
			v.add(sc.addr, path, "nested attribute (nesting mode %s) requires %s, got %s", nt.NestingMode, nestedShape(nt), describe(val))
		}
	case tfjson.SchemaNestingModeList, tfjson.SchemaNestingModeSet:
		switch x := val.(type) {
		case []any:
			for i, el := range x {
				v.checkNestedElement(sc, indexPath(path, i), el, nt)
			}
			v.checkItemCount(sc, path, "elements", len(x), nt.MinItems, nt.MaxItems)
		case map[string]any:
			v.add(sc.addr, path, "nested attribute (nesting mode %s), not a block: write a JSON array of objects, even for one element", nt.NestingMode)
		default:
			v.add(sc.addr, path, "nested attribute (nesting mode %s) requires %s, got %s", nt.NestingMode, nestedShape(nt), describe(val))
		}
	case tfjson.SchemaNestingModeMap:
		x, ok := val.(map[string]any)
		if !ok {
			v.add(sc.addr, path, "nested attribute (nesting mode map) requires %s, got %s", nestedShape(nt), describe(val))
			return
		}
		for _, k := range sortedKeys(x) {
			if k == commentKey {
				continue
			}
			v.checkKey(sc, path, k)
			v.checkNestedElement(sc, keyPath(path, k), x[k], nt)
		}
		v.checkItemCount(sc, path, "elements", len(x), nt.MinItems, nt.MaxItems)
	}
}

// checkNestedElement checks one element of a list, set or map nested
// attribute.
func (v *validator) checkNestedElement(sc scope, path string, el any, nt *tfjson.SchemaNestedAttributeType) {
	switch x := el.(type) {
	case nil:
	case map[string]any:
		v.checkNestedObject(sc, path, x, nt)
	case string:
		if kind, _, ok := v.template(sc, path, x); ok && kind != tmplWrap {
			v.add(sc.addr, path, "object required, got %s", describe(el))
		}
	default:
		v.add(sc.addr, path, "object required, got %s", describe(el))
	}
}

// checkNestedObject checks one object of a nested attribute.
func (v *validator) checkNestedObject(sc scope, path string, obj map[string]any, nt *tfjson.SchemaNestedAttributeType) {
	for _, k := range sortedKeys(obj) {
		if k == commentKey {
			continue
		}
		attr, ok := nt.Attributes[k]
		if !ok {
			v.add(sc.addr, attrPath(path, k), "unsupported attribute %q: the nested attribute has no such attribute and Terraform would silently discard it%s", k, suggest(k, sortedKeys(nt.Attributes)))
			continue
		}
		v.checkAttribute(sc, attrPath(path, k), obj[k], attr)
	}
	for _, name := range sortedKeys(nt.Attributes) {
		if nt.Attributes[name].Required && obj[name] == nil {
			v.add(sc.addr, attrPath(path, name), "missing required attribute %q", name)
		}
	}
}

// nestedShape describes the JSON a nested attribute type needs.
func nestedShape(nt *tfjson.SchemaNestedAttributeType) string {
	switch nt.NestingMode {
	case tfjson.SchemaNestingModeList, tfjson.SchemaNestingModeSet:
		return "an array of objects"
	case tfjson.SchemaNestingModeMap:
		return "an object of objects"
	default:
		return "an object"
	}
}

// checkBlock checks the JSON written for one nested block type. In
// Terraform's JSON syntax a block type's value is either one object (one
// block) or an array of objects (one block each); null means no block. Block
// contents can never come from an expression: that needs a dynamic block.
func (v *validator) checkBlock(sc scope, parent, name string, val any, bt *tfjson.SchemaBlockType, dynamic bool) {
	path := attrPath(parent, name)
	if s, ok := val.(string); ok {
		v.add(sc.addr, path, "%q is a block (nesting mode %s), which cannot be set from the expression %q: write JSON objects or use a dynamic block", name, bt.NestingMode, truncate(s, 60))
		return
	}
	var items []bodyItem
	switch bt.NestingMode {
	case tfjson.SchemaNestingModeMap:
		items = v.labeledBlocks(sc, path, name, val)
	case tfjson.SchemaNestingModeSingle, tfjson.SchemaNestingModeGroup:
		items = v.blockBodies(sc, path, name, val, false)
		if len(items) > 1 {
			v.add(sc.addr, path, "only one %q block is allowed (nesting mode %s), got %d", name, bt.NestingMode, len(items))
			return
		}
		if !dynamic && uint64(len(items)) < bt.MinItems {
			v.add(sc.addr, path, "missing required block %q", name)
		}
	default:
		items = v.blockBodies(sc, path, name, val, true)
		if !dynamic {
			v.checkItemCount(sc, path, "blocks", len(items), bt.MinItems, bt.MaxItems)
		}
	}
	for _, it := range items {
		v.checkBody(sc, it.path, it.body, bt.Block, nil)
	}
}

// blockBodies collects the bodies of an unlabeled block type written as an
// object or an array of objects. Paths are indexed for list and set blocks.
func (v *validator) blockBodies(sc scope, path, name string, val any, indexed bool) []bodyItem {
	switch x := val.(type) {
	case nil:
		return nil
	case map[string]any:
		if indexed {
			return []bodyItem{{indexPath(path, 0), x}}
		}
		return []bodyItem{{path, x}}
	case []any:
		items := make([]bodyItem, 0, len(x))
		for i, el := range x {
			p := path
			if indexed || len(x) > 1 {
				p = indexPath(path, i)
			}
			switch b := el.(type) {
			case map[string]any:
				items = append(items, bodyItem{p, b})
			case nil:
				items = append(items, bodyItem{p, map[string]any{}})
			default:
				v.add(sc.addr, p, "each %q block must be a JSON object, got %s", name, describe(el))
			}
		}
		return items
	default:
		v.add(sc.addr, path, "%q is a block: write a JSON object or an array of objects, got %s", name, describe(val))
		return nil
	}
}

// labeledBlocks collects the bodies of a map-mode block type, written as an
// object keyed by block label.
func (v *validator) labeledBlocks(sc scope, path, name string, val any) []bodyItem {
	obj, ok := val.(map[string]any)
	if !ok {
		if val != nil {
			v.add(sc.addr, path, "%q is a block with one label (nesting mode map): write a JSON object keyed by label, got %s", name, describe(val))
		}
		return nil
	}
	var items []bodyItem
	for _, label := range sortedKeys(obj) {
		if label == commentKey {
			continue
		}
		bodies := v.blockBodies(sc, keyPath(path, label), name, obj[label], false)
		if len(bodies) > 1 {
			v.add(sc.addr, keyPath(path, label), "duplicate %q block with label %q", name, label)
			continue
		}
		items = append(items, bodies...)
	}
	return items
}

// checkItemCount checks a number of blocks or elements against min/max.
func (v *validator) checkItemCount(sc scope, path, what string, n int, lo, hi uint64) {
	if lo > 0 && uint64(n) < lo {
		v.add(sc.addr, path, "at least %d %s required, got %d", lo, what, n)
	}
	if hi > 0 && uint64(n) > hi {
		v.add(sc.addr, path, "at most %d %s allowed, got %d", hi, what, n)
	}
}
