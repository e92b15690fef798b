package tfschema

import "github.com/zclconf/go-cty/cty"

// outputKeys are the arguments and blocks of an output block.
var outputKeys = map[string]bool{
	"value": true, "description": true, "sensitive": true, "depends_on": true,
	"precondition": true, "ephemeral": true,
}

// checkOutputs checks every output block. A stack is a root module, so an
// output that references a sensitive value must be marked sensitive, and no
// output may be ephemeral or reference an ephemeral value.
func (v *validator) checkOutputs(val any) {
	v.eachBlock("output", val, func(name, addr string, body map[string]any) {
		for _, k := range sortedKeys(body) {
			if k != commentKey && !outputKeys[k] {
				v.add(addr, k, "unsupported argument %q in an output block%s", k, suggest(k, sortedKeys(outputKeys)))
			}
		}
		static := scope{addr: addr, noRefs: "an output's meta-arguments"}
		for _, k := range []string{"sensitive", "ephemeral"} {
			if b, ok := body[k]; ok && b != nil {
				v.checkValue(static, k, b, cty.Bool)
			}
		}
		if isTrue(body["ephemeral"]) {
			v.add(addr, "ephemeral", "a stack is a root module, whose outputs cannot be ephemeral")
		}
		if d, ok := body["description"]; ok && d != nil {
			v.checkValue(scope{addr: addr, noRefs: "an output description"}, "description", d, cty.String)
		}
		sc := scope{addr: addr}
		if val, ok := body["depends_on"]; ok {
			v.checkDependsOn(sc, "depends_on", val)
		}
		if val, ok := body["precondition"]; ok {
			v.checkConditions(sc, "precondition", val)
		}
		value, ok := body["value"]
		if !ok {
			v.add(addr, "value", "missing required argument \"value\"")
			return
		}
		sensitive := false
		sc.sensitive = &sensitive
		v.walkDynamic(sc, "value", value)
		if sensitive && !isTrue(body["sensitive"]) {
			v.add(addr, "value", "output refers to a sensitive value: set \"sensitive\": true (or unwrap it with nonsensitive())")
		}
	})
}

// checkModules checks module calls: a source is required and the
// references in the arguments must exist.
func (v *validator) checkModules(val any) {
	v.eachBlock("module", val, func(name, addr string, body map[string]any) {
		if src, ok := body["source"].(string); !ok || src == "" {
			v.add(addr, "source", "module source string required, got %s", describe(body["source"]))
		}
		if ver, ok := body["version"]; ok {
			v.checkConstraint(addr, "version", ver)
		}
		outer := scope{addr: addr}
		if c, ok := body["count"]; ok {
			v.checkCount(outer, "count", c)
		}
		if fe, ok := body["for_each"]; ok {
			v.checkForEach(outer, "for_each", fe)
		}
		sc := scope{addr: addr, count: body["count"] != nil, forEach: body["for_each"] != nil}
		if d, ok := body["depends_on"]; ok {
			v.checkDependsOn(sc, "depends_on", d)
		}
		v.walkBody(sc, body, moduleMeta)
	})
}

// moduleMeta are the module arguments checked on their own.
var moduleMeta = map[string]bool{
	"source": true, "version": true, "count": true, "for_each": true,
	"depends_on": true,
}
