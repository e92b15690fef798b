package tfschema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// variableKeys are the arguments and blocks of a variable block.
var variableKeys = map[string]bool{
	"type": true, "default": true, "description": true, "sensitive": true,
	"nullable": true, "validation": true, "ephemeral": true,
}

// reservedVariableNames are names Terraform reserves for meta-arguments of
// module blocks.
var reservedVariableNames = map[string]bool{
	"source": true, "version": true, "providers": true, "count": true,
	"for_each": true, "lifecycle": true, "depends_on": true, "locals": true,
}

// collectVariables records the declared input variables.
func (v *validator) collectVariables(val any) {
	for name, b := range mergeObjects(val) {
		if name == commentKey {
			continue
		}
		body, _ := b.(map[string]any)
		if list, ok := b.([]any); ok && len(list) == 1 {
			body, _ = list[0].(map[string]any)
		}
		v.variables[name] = variableInfo{
			sensitive: isTrue(body["sensitive"]),
			ephemeral: isTrue(body["ephemeral"]),
		}
	}
}

// collectNames records the names declared in a locals or module section.
func (v *validator) collectNames(val any, into map[string]bool) {
	for _, obj := range sectionObjects(val) {
		for name := range obj {
			if name != commentKey {
				into[name] = true
			}
		}
	}
}

// mergeObjects merges the objects of a section written as an object or an
// array of objects, without reporting anything.
func mergeObjects(val any) map[string]any {
	merged := map[string]any{}
	for _, obj := range sectionObjects(val) {
		for k, v := range obj {
			merged[k] = v
		}
	}
	return merged
}

// sectionObjects returns the objects of a section written as an object or
// an array of objects.
func sectionObjects(val any) []map[string]any {
	switch x := val.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, el := range x {
			if m, ok := el.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// checkVariables checks every variable block.
func (v *validator) checkVariables(val any) {
	v.eachBlock("variable", val, func(name, addr string, body map[string]any) {
		if !hclsyntax.ValidIdentifier(name) || reservedVariableNames[name] {
			v.add(addr, "", "invalid variable name %q: it must be an identifier and not one of the reserved names", name)
		}
		v.checkVariable(addr, body)
	})
}

// checkVariable checks one variable block.
func (v *validator) checkVariable(addr string, body map[string]any) {
	static := scope{addr: addr, noRefs: "a variable declaration"}
	for _, k := range sortedKeys(body) {
		if k != commentKey && !variableKeys[k] {
			v.add(addr, k, "unsupported argument %q in a variable block%s", k, suggest(k, sortedKeys(variableKeys)))
		}
	}
	ty := cty.DynamicPseudoType
	if t, ok := body["type"]; ok {
		ty = v.variableType(addr, t)
	}
	for _, k := range []string{"sensitive", "nullable", "ephemeral"} {
		if b, ok := body[k]; ok && b != nil {
			v.checkValue(static, k, b, cty.Bool)
		}
	}
	if d, ok := body["description"]; ok && d != nil {
		v.checkValue(static, "description", d, cty.String)
	}
	if d, ok := body["default"]; ok {
		if d == nil && isFalse(body["nullable"]) {
			v.add(addr, "default", "a null default is not valid when nullable is false")
		}
		v.checkValue(scope{addr: addr, noRefs: "a variable default"}, "default", d, ty)
	}
	if val, ok := body["validation"]; ok {
		sc := scope{addr: addr, ephemeralOK: true}
		v.checkConditionsNamed(sc, "validation", val, "condition", "error_message")
	}
}

// variableType parses a variable type constraint such as "list(string)" or
// "object({name=string,port=optional(number)})". It returns
// cty.DynamicPseudoType when the type is invalid or "any".
func (v *validator) variableType(addr string, val any) cty.Type {
	s, ok := val.(string)
	if !ok {
		v.add(addr, "type", "type constraint string required (such as \"list(string)\"), got %s", describe(val))
		return cty.DynamicPseudoType
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		v.add(addr, "type", "invalid type constraint %q: %s", s, diagSummary(diags))
		return cty.DynamicPseudoType
	}
	ty, _, diags := typeexpr.TypeConstraintWithDefaults(expr)
	if diags.HasErrors() {
		v.add(addr, "type", "invalid type constraint %q: %s", s, diagSummary(diags))
		return cty.DynamicPseudoType
	}
	return ty
}

// checkConditionsNamed checks condition blocks (validation, precondition,
// postcondition): each needs a bool condition and a string error message.
func (v *validator) checkConditionsNamed(sc scope, path string, val any, cond, msg string) {
	for _, it := range v.blockBodies(sc, path, lastSegment(path), val, true) {
		for _, k := range sortedKeys(it.body) {
			switch k {
			case commentKey:
			case cond:
				v.checkValue(sc, attrPath(it.path, k), it.body[k], cty.Bool)
			case msg:
				v.checkValue(sc, attrPath(it.path, k), it.body[k], cty.String)
			default:
				v.add(sc.addr, attrPath(it.path, k), "unsupported argument %q (want %s, %s)", k, cond, msg)
			}
		}
		for _, k := range []string{cond, msg} {
			if it.body[k] == nil {
				v.add(sc.addr, attrPath(it.path, k), "missing required argument %q", k)
			}
		}
	}
}

// checkLocals checks the references in every local value.
func (v *validator) checkLocals(val any) {
	if val == nil {
		return
	}
	objs := sectionObjects(val)
	if objs == nil {
		v.add("locals", "", "JSON object required, got %s", describe(val))
		return
	}
	for _, obj := range objs {
		for _, name := range sortedKeys(obj) {
			if name == commentKey {
				continue
			}
			addr := "local." + name
			if !hclsyntax.ValidIdentifier(name) {
				v.add(addr, "", "invalid local value name %q", name)
			}
			v.walkDynamic(scope{addr: addr, ephemeralOK: true}, "", obj[name])
		}
	}
}

// isTrue reports whether a JSON value is true as a bool or a bool string.
func isTrue(val any) bool {
	switch x := val.(type) {
	case bool:
		return x
	case string:
		return x == "true" || x == "1"
	}
	return false
}

// isFalse reports whether a JSON value is false as a bool or a bool string.
func isFalse(val any) bool {
	switch x := val.(type) {
	case bool:
		return !x
	case string:
		return x == "false" || x == "0"
	}
	return false
}
