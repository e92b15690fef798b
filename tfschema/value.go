package tfschema

import (
	"encoding/json"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// checkValue checks a JSON attribute value against a cty type, following
// Terraform's JSON syntax: every string is a template, and the result is
// converted to the attribute type the way Terraform converts values.
//
//   - null is accepted for any type (it means "not set").
//   - A string that is exactly one "${...}" is accepted for any type: its
//     result type is only known when Terraform evaluates it.
//   - A template that mixes literal text with interpolations always produces
//     a string, so it is accepted for string, number and bool (its content is
//     unknown) but not for collection or object types.
//   - A literal string converts to number only if it parses as a number
//     ("5", "1.5", "1e3"), and to bool only if it is "true", "false", "1" or
//     "0", as cty's conversion does.
//   - A JSON number converts to string, but only when Terraform's string form
//     of it equals the JSON text: 1.10 would silently become "1.1", which is
//     reported. A JSON bool converts to string ("true"/"false").
//   - A JSON number is never a bool and a JSON bool is never a number.
//   - Arrays convert to lists, sets and tuples (of equal length), objects to
//     maps and objects. An object attribute missing from the JSON object is an
//     error unless the type marks it optional; an extra attribute is reported
//     too, because Terraform would silently discard it.
func (v *validator) checkValue(sc scope, path string, val any, ty cty.Type) {
	if val == nil {
		return
	}
	if s, ok := val.(string); ok {
		kind, lit, ok := v.template(sc, path, s)
		if !ok {
			return
		}
		switch kind {
		case tmplWrap:
			return
		case tmplString:
			if !ty.IsPrimitiveType() && ty != cty.DynamicPseudoType {
				v.add(sc.addr, path, "%s required, but %q always produces a string (only a value that is exactly one ${...} keeps its type)", ty.FriendlyName(), truncate(s, 60))
			}
			return
		}
		v.checkLiteralString(sc, path, lit, ty)
		return
	}
	if ty == cty.DynamicPseudoType {
		v.walkDynamic(sc, path, val)
		return
	}
	switch {
	case ty == cty.String:
		switch x := val.(type) {
		case bool:
		case json.Number:
			if canon, ok := canonicalNumber(x); !ok || canon != x.String() {
				v.add(sc.addr, path, "number %s would be converted to string %q; write it as a JSON string", x, canon)
			}
		default:
			v.mismatch(sc, path, ty, val)
		}
	case ty == cty.Number:
		if _, ok := val.(json.Number); !ok {
			v.mismatch(sc, path, ty, val)
		}
	case ty == cty.Bool:
		if _, ok := val.(bool); !ok {
			v.mismatch(sc, path, ty, val)
		}
	case ty.IsListType() || ty.IsSetType():
		arr, ok := val.([]any)
		if !ok {
			v.mismatch(sc, path, ty, val)
			return
		}
		for i, el := range arr {
			v.checkValue(sc, indexPath(path, i), el, ty.ElementType())
		}
	case ty.IsTupleType():
		arr, ok := val.([]any)
		if !ok {
			v.mismatch(sc, path, ty, val)
			return
		}
		types := ty.TupleElementTypes()
		if len(arr) != len(types) {
			v.add(sc.addr, path, "tuple of %d elements required, got %d", len(types), len(arr))
			return
		}
		for i, el := range arr {
			v.checkValue(sc, indexPath(path, i), el, types[i])
		}
	case ty.IsMapType():
		obj, ok := val.(map[string]any)
		if !ok {
			v.mismatch(sc, path, ty, val)
			return
		}
		for _, k := range sortedKeys(obj) {
			if k == commentKey {
				continue
			}
			v.checkKey(sc, path, k)
			v.checkValue(sc, keyPath(path, k), obj[k], ty.ElementType())
		}
	case ty.IsObjectType():
		obj, ok := val.(map[string]any)
		if !ok {
			v.mismatch(sc, path, ty, val)
			return
		}
		v.checkObject(sc, path, obj, ty)
	}
}

// checkObject checks a JSON object against an object type.
func (v *validator) checkObject(sc scope, path string, obj map[string]any, ty cty.Type) {
	attrs := ty.AttributeTypes()
	for _, k := range sortedKeys(obj) {
		if k == commentKey {
			continue
		}
		aty, ok := attrs[k]
		if !ok {
			v.add(sc.addr, attrPath(path, k), "unsupported attribute %q: the object type has no such attribute and Terraform would silently discard it%s", k, suggest(k, sortedKeys(attrs)))
			continue
		}
		v.checkValue(sc, attrPath(path, k), obj[k], aty)
	}
	for _, name := range sortedKeys(attrs) {
		if _, ok := obj[name]; ok || ty.AttributeOptional(name) {
			continue
		}
		v.add(sc.addr, path, "attribute %q is required by type %s", name, ty.FriendlyName())
	}
}

// checkLiteralString checks a string without interpolation against ty.
func (v *validator) checkLiteralString(sc scope, path, s string, ty cty.Type) {
	switch {
	case ty == cty.String || ty == cty.DynamicPseudoType:
	case ty == cty.Number:
		if _, err := cty.ParseNumberVal(s); err != nil {
			v.mismatch(sc, path, ty, s)
		}
	case ty == cty.Bool:
		switch s {
		case "true", "false", "1", "0":
		default:
			v.mismatch(sc, path, ty, s)
		}
	default:
		v.mismatch(sc, path, ty, s)
	}
}

// walkDynamic checks the templates inside a value of unknown type.
func (v *validator) walkDynamic(sc scope, path string, val any) {
	switch x := val.(type) {
	case string:
		v.template(sc, path, x)
	case []any:
		for i, el := range x {
			v.walkDynamic(sc, indexPath(path, i), el)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if k == commentKey {
				continue
			}
			v.checkKey(sc, path, k)
			v.walkDynamic(sc, keyPath(path, k), x[k])
		}
	}
}

// checkKey checks an object key used as a value; in Terraform's JSON syntax
// such keys are templates too.
func (v *validator) checkKey(sc scope, path, k string) {
	if strings.Contains(k, "${") || strings.Contains(k, "%{") {
		v.template(sc, keyPath(path, k), k)
	}
}

func (v *validator) mismatch(sc scope, path string, ty cty.Type, val any) {
	v.add(sc.addr, path, "%s required, got %s", ty.FriendlyName(), describe(val))
}

// canonicalNumber is the string Terraform converts a JSON number to.
func canonicalNumber(n json.Number) (string, bool) {
	val, err := cty.ParseNumberVal(n.String())
	if err != nil {
		return "", false
	}
	return val.AsBigFloat().Text('f', -1), true
}
