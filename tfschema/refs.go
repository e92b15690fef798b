package tfschema

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// checkTraversal validates one reference found in an expression. It reports
// whether the referenced value is known to be sensitive or ephemeral.
func (v *validator) checkTraversal(sc scope, path string, t hcl.Traversal) (sensitive, ephemeral bool) {
	root := t.RootName()
	rest := t[1:]
	ref := traversalString(t)
	switch root {
	case "var":
		name, ok := stepName(rest, 0)
		if !ok {
			v.add(sc.addr, path, "invalid reference %s: want var.NAME", ref)
			return false, false
		}
		info, exists := v.variables[name]
		if !exists {
			v.add(sc.addr, path, "reference to undeclared input variable %q%s", name, suggest(name, sortedKeys(v.variables)))
			return false, false
		}
		return info.sensitive, info.ephemeral
	case "local", "module":
		declared, what := v.locals, "local value"
		if root == "module" {
			declared, what = v.modules, "module"
		}
		name, ok := stepName(rest, 0)
		if !ok {
			v.add(sc.addr, path, "invalid reference %s: want %s.NAME", ref, root)
		} else if !declared[name] {
			v.add(sc.addr, path, "reference to undeclared %s %q%s", what, name, suggest(name, sortedKeys(declared)))
		}
	case "data", "ephemeral":
		typ, ok1 := stepName(rest, 0)
		name, ok2 := stepName(rest, 1)
		if !ok1 || !ok2 {
			v.add(sc.addr, path, "invalid reference %s: want %s.TYPE.NAME", ref, root)
			return false, false
		}
		return v.checkResourceRef(sc, path, ref, root, typ, name, rest[2:]), root == "ephemeral"
	case "count":
		if !sc.count {
			v.add(sc.addr, path, "%s can only be used in a block that sets count", ref)
		} else if name, _ := stepName(rest, 0); name != "index" || len(rest) != 1 {
			v.add(sc.addr, path, "invalid reference %s: only count.index exists", ref)
		}
	case "each":
		if !sc.forEach {
			v.add(sc.addr, path, "%s can only be used in a block that sets for_each", ref)
		} else if name, _ := stepName(rest, 0); name != "key" && name != "value" {
			v.add(sc.addr, path, "invalid reference %s: only each.key and each.value exist", ref)
		}
	case "self":
		if !sc.selfOK {
			v.add(sc.addr, path, "%s can only be used in provisioner, connection and postcondition blocks", ref)
			return false, false
		}
		if sc.self == nil {
			return false, false
		}
		return v.checkRelTraversal(sc, path, ref, sc.self, rest), false
	case "path":
		if name, _ := stepName(rest, 0); name != "module" && name != "root" && name != "cwd" {
			v.add(sc.addr, path, "invalid reference %s: only path.module, path.root and path.cwd exist", ref)
		}
	case "terraform":
		if name, _ := stepName(rest, 0); name != "workspace" && name != "applying" {
			v.add(sc.addr, path, "invalid reference %s: only terraform.workspace and terraform.applying exist", ref)
		}
	default:
		if sc.hasIterator(root) {
			return false, false
		}
		name, ok := stepName(rest, 0)
		if !ok {
			v.add(sc.addr, path, "invalid reference %s: a resource reference needs TYPE.NAME", ref)
			return false, false
		}
		return v.checkResourceRef(sc, path, ref, "resource", root, name, rest[1:]), false
	}
	return false, false
}

// checkResourceRef validates a reference to a resource, data source or
// ephemeral resource and the attribute path after it.
func (v *validator) checkResourceRef(sc scope, path, ref, kind, typ, name string, steps hcl.Traversal) (sensitive bool) {
	res, ok := v.resources[kind][typ+"."+name]
	if !ok {
		what := map[string]string{"resource": "resource", "data": "data source", "ephemeral": "ephemeral resource"}[kind]
		addr := typ + "." + name
		if kind != "resource" {
			addr = kind + "." + addr
		}
		v.add(sc.addr, path, "reference to undeclared %s %q%s", what, addr, suggest(typ+"."+name, sortedKeys(v.resources[kind])))
		return false
	}
	if len(steps) == 0 {
		return false
	}
	if res.count || res.forEach {
		if _, ok := steps[0].(hcl.TraverseIndex); !ok {
			v.add(sc.addr, path, "%s: missing instance key: %s sets %s, so its attributes must be read from an instance such as %s[0]", ref, res.addr, res.repetition(), res.addr)
			return false
		}
		steps = steps[1:]
	} else if _, ok := steps[0].(hcl.TraverseIndex); ok {
		v.add(sc.addr, path, "%s: unexpected instance key: %s sets neither count nor for_each", ref, res.addr)
		return false
	}
	if len(steps) == 0 || res.block == nil {
		return false
	}
	return v.checkRelTraversal(sc, path, ref, res.block, steps)
}

// checkRelTraversal validates steps against a block schema as Terraform's
// static reference validation does: names must exist, list blocks must be
// indexed, set blocks cannot be indexed, and the remaining steps must apply to
// the attribute's type. Reading a write-only attribute is an error. It reports
// whether the attribute reached is sensitive.
func (v *validator) checkRelTraversal(sc scope, path, ref string, blk *tfjson.SchemaBlock, steps hcl.Traversal) bool {
	for {
		if len(steps) == 0 {
			return false
		}
		step, ok := steps[0].(hcl.TraverseAttr)
		if !ok {
			v.add(sc.addr, path, "%s: invalid index: only attribute access is allowed here", ref)
			return false
		}
		steps = steps[1:]
		if attr, ok := blk.Attributes[step.Name]; ok {
			if attr.WriteOnly {
				v.add(sc.addr, path, "%s reads write-only attribute %q, which Terraform never stores and cannot be referenced", ref, step.Name)
				return false
			}
			if attr.AttributeNestedType != nil && v.nestedWriteOnlyRead(sc, path, ref, attr.AttributeNestedType, steps) {
				return false
			}
			if msg := typeTraversalError(impliedType(attr), steps); msg != "" {
				v.add(sc.addr, path, "%s: %s", ref, msg)
				return false
			}
			return attr.Sensitive
		}
		bt, ok := blk.NestedBlocks[step.Name]
		if !ok {
			v.add(sc.addr, path, "%s: no attribute or block named %q%s", ref, step.Name, suggest(step.Name, blockNames(blk)))
			return false
		}
		switch bt.NestingMode {
		case tfjson.SchemaNestingModeList:
			if len(steps) == 0 {
				return false
			}
			if _, ok := steps[0].(hcl.TraverseIndex); !ok {
				v.add(sc.addr, path, "%s: block %q is a list, so it must be indexed, as in %s[0]", ref, step.Name, step.Name)
				return false
			}
			steps = steps[1:]
		case tfjson.SchemaNestingModeSet:
			if len(steps) > 0 {
				v.add(sc.addr, path, "%s: block %q is a set, whose elements cannot be addressed by key", ref, step.Name)
				return false
			}
		case tfjson.SchemaNestingModeMap:
			if len(steps) > 0 {
				steps = steps[1:]
			}
		}
		blk = bt.Block
	}
}

// nestedWriteOnlyRead reports (and records) a read of a write-only attribute
// inside a nested attribute type.
func (v *validator) nestedWriteOnlyRead(sc scope, path, ref string, nt *tfjson.SchemaNestedAttributeType, steps hcl.Traversal) bool {
	for nt != nil {
		if nt.NestingMode != tfjson.SchemaNestingModeSingle && nt.NestingMode != tfjson.SchemaNestingModeGroup {
			if len(steps) == 0 {
				return false
			}
			if _, ok := steps[0].(hcl.TraverseIndex); !ok {
				return false
			}
			steps = steps[1:]
		}
		if len(steps) == 0 {
			return false
		}
		step, ok := steps[0].(hcl.TraverseAttr)
		if !ok {
			return false
		}
		steps = steps[1:]
		attr, ok := nt.Attributes[step.Name]
		if !ok {
			return false
		}
		if attr.WriteOnly {
			v.add(sc.addr, path, "%s reads write-only attribute %q, which Terraform never stores and cannot be referenced", ref, step.Name)
			return true
		}
		nt = attr.AttributeNestedType
	}
	return false
}

// typeTraversalError applies attribute and index steps to a type and
// explains the first one that can never succeed, or returns "". Unlike
// applying the steps to an unknown value, as Terraform's static validation
// does, it also rejects a numeric index into an object (such as
// helm_release.x.metadata[0] in helm 3, where metadata is an object).
func typeTraversalError(ty cty.Type, steps hcl.Traversal) string {
	for _, step := range steps {
		if ty == cty.DynamicPseudoType {
			return ""
		}
		switch s := step.(type) {
		case hcl.TraverseAttr:
			switch {
			case ty.IsObjectType():
				if !ty.HasAttribute(s.Name) {
					return fmt.Sprintf("unsupported attribute %q%s", s.Name, suggest(s.Name, sortedKeys(ty.AttributeTypes())))
				}
				ty = ty.AttributeType(s.Name)
			case ty.IsMapType():
				ty = ty.ElementType()
			default:
				return fmt.Sprintf("cannot access attribute %q on a value of type %s", s.Name, ty.FriendlyName())
			}
		case hcl.TraverseIndex:
			numeric := s.Key.Type() == cty.Number
			switch {
			case ty.IsListType():
				if !numeric {
					return fmt.Sprintf("a %s must be indexed by number", ty.FriendlyName())
				}
				ty = ty.ElementType()
			case ty.IsMapType():
				ty = ty.ElementType()
			case ty.IsTupleType():
				i, ok := indexInt(s.Key)
				if !ok || i < 0 || i >= len(ty.TupleElementTypes()) {
					return fmt.Sprintf("invalid index into a %s", ty.FriendlyName())
				}
				ty = ty.TupleElementType(i)
			case ty.IsObjectType():
				name, ok := indexString(s.Key)
				if !ok || !ty.HasAttribute(name) {
					return fmt.Sprintf("invalid index: %s is an object, whose attributes are accessed by name (.attr), not by index", ty.FriendlyName())
				}
				ty = ty.AttributeType(name)
			case ty.IsSetType():
				return fmt.Sprintf("cannot index a %s: set elements have no keys", ty.FriendlyName())
			default:
				return fmt.Sprintf("cannot index a value of type %s", ty.FriendlyName())
			}
		default:
			return "" // splats and the like are not followed
		}
	}
	return ""
}

// indexInt returns a known whole-number index key.
func indexInt(key cty.Value) (int, bool) {
	if key.Type() != cty.Number || !key.IsKnown() || key.IsNull() {
		return 0, false
	}
	bf := key.AsBigFloat()
	if !bf.IsInt() {
		return 0, false
	}
	i, acc := bf.Int64()
	return int(i), acc == big.Exact
}

// indexString returns a known index key as a string, as Terraform converts
// it to look up an object attribute.
func indexString(key cty.Value) (string, bool) {
	if !key.IsKnown() || key.IsNull() {
		return "", false
	}
	switch key.Type() {
	case cty.String:
		return key.AsString(), true
	case cty.Number:
		return key.AsBigFloat().Text('f', -1), true
	}
	return "", false
}

// impliedType is the cty type of an attribute's value, including nested
// attribute types.
func impliedType(attr *tfjson.SchemaAttribute) cty.Type {
	if attr.AttributeNestedType == nil {
		return attr.AttributeType
	}
	nt := attr.AttributeNestedType
	attrs := make(map[string]cty.Type, len(nt.Attributes))
	for name, a := range nt.Attributes {
		attrs[name] = impliedType(a)
	}
	obj := cty.Object(attrs)
	switch nt.NestingMode {
	case tfjson.SchemaNestingModeList:
		return cty.List(obj)
	case tfjson.SchemaNestingModeSet:
		return cty.Set(obj)
	case tfjson.SchemaNestingModeMap:
		return cty.Map(obj)
	default:
		return obj
	}
}

// stepName returns the attribute name of steps[i], if it is an attribute step.
func stepName(steps hcl.Traversal, i int) (string, bool) {
	if i >= len(steps) {
		return "", false
	}
	a, ok := steps[i].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	return a.Name, true
}

// blockNames lists the attribute and block names of blk.
func blockNames(blk *tfjson.SchemaBlock) []string {
	names := make([]string, 0, len(blk.Attributes)+len(blk.NestedBlocks))
	names = append(names, sortedKeys(blk.Attributes)...)
	names = append(names, sortedKeys(blk.NestedBlocks)...)
	return names
}

// repetition names the repetition meta-argument a resource uses.
func (r *resourceInfo) repetition() string {
	if r.forEach {
		return "for_each"
	}
	return "count"
}
