package tfschema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// checkCount checks the count meta-argument: a whole number ≥ 0 or an
// expression.
func (v *validator) checkCount(sc scope, path string, val any) {
	text := ""
	switch x := val.(type) {
	case json.Number:
		text = x.String()
	case string:
		kind, lit, ok := v.template(sc, path, x)
		if !ok || kind != tmplLiteral {
			return
		}
		text = lit
	default:
		v.add(sc.addr, path, "count requires a whole number, got %s", describe(val))
		return
	}
	f, _, err := big.ParseFloat(text, 10, 256, big.ToNearestEven)
	if err != nil || !f.IsInt() || f.Sign() < 0 {
		v.add(sc.addr, path, "count requires a whole number ≥ 0, got %s", describe(val))
	}
}

// checkForEach checks the for_each meta-argument of a resource: a map, an
// object, or an expression (for a set of strings). A JSON array is a tuple,
// which Terraform rejects.
func (v *validator) checkForEach(sc scope, path string, val any) {
	switch x := val.(type) {
	case map[string]any:
		v.walkDynamic(sc, path, x)
	case []any:
		v.add(sc.addr, path, "for_each requires a map or a set of strings, but a JSON array is a tuple: write \"${toset([...])}\"")
		v.walkDynamic(sc, path, x)
	case string:
		if kind, _, ok := v.template(sc, path, x); ok && kind != tmplWrap {
			v.add(sc.addr, path, "for_each requires a map or a set of strings, got %s", describe(val))
		}
	default:
		v.add(sc.addr, path, "for_each requires a map or a set of strings, got %s", describe(val))
	}
}

// checkDependsOn checks depends_on: bare references ("TYPE.NAME") to whole
// objects that exist.
func (v *validator) checkDependsOn(sc scope, path string, val any) {
	v.eachRef(sc, path, "depends_on", val, false, func(p string, t hcl.Traversal) {
		if len(t) > wholeObjectLen(t) {
			v.add(sc.addr, p, "depends_on must refer to a whole object (resource, data source, module, variable), not to an attribute of one: %s", traversalString(t))
			return
		}
		v.checkTraversal(sc, p, t)
	})
}

// eachRef checks that val is a JSON array of reference strings and calls fn
// with the path and the parsed traversal of each; what names the argument.
func (v *validator) eachRef(sc scope, path, what string, val any, allowTemplate bool, fn func(p string, t hcl.Traversal)) {
	arr, ok := val.([]any)
	if !ok {
		v.add(sc.addr, path, "%s requires a JSON array of references, got %s", what, describe(val))
		return
	}
	for i, el := range arr {
		p := indexPath(path, i)
		s, ok := el.(string)
		if !ok {
			v.add(sc.addr, p, "reference string required, got %s", describe(el))
			continue
		}
		t, err := parseRef(s, allowTemplate)
		if err != nil {
			v.add(sc.addr, p, "%v", err)
			continue
		}
		fn(p, t)
	}
}

// wholeObjectLen is the number of traversal steps that address a whole
// object: TYPE.NAME[KEY], data.TYPE.NAME[KEY], module.NAME[KEY], var.NAME.
func wholeObjectLen(t hcl.Traversal) int {
	n := 2
	switch t.RootName() {
	case "data", "ephemeral":
		n = 3
	case "var", "local", "count", "each", "path", "terraform", "self":
		return 2
	}
	if len(t) > n {
		if _, ok := t[n].(hcl.TraverseIndex); ok {
			n++
		}
	}
	return n
}

// lifecycleArgs lists the lifecycle arguments and blocks per kind of block.
var lifecycleArgs = map[string]map[string]bool{
	"resource": {
		"create_before_destroy": true, "prevent_destroy": true,
		"ignore_changes": true, "replace_triggered_by": true,
		"precondition": true, "postcondition": true,
	},
	"data":      {"precondition": true, "postcondition": true},
	"ephemeral": {"precondition": true, "postcondition": true},
}

// checkLifecycle checks a lifecycle block.
func (v *validator) checkLifecycle(sc scope, res *resourceInfo, val any) {
	lc, ok := v.singleBody(res.addr, "lifecycle", val)
	if !ok {
		return
	}
	allowed := lifecycleArgs[res.kind]
	static := scope{addr: res.addr, noRefs: "lifecycle arguments, which must be literal values"}
	for _, k := range sortedKeys(lc) {
		p := attrPath("lifecycle", k)
		if k == commentKey {
			continue
		}
		if !allowed[k] {
			if lifecycleArgs["resource"][k] {
				v.add(res.addr, p, "%q is only allowed in the lifecycle of a managed resource", k)
			} else {
				v.add(res.addr, p, "unsupported lifecycle argument %q%s", k, suggest(k, sortedKeys(allowed)))
			}
			continue
		}
		switch k {
		case "create_before_destroy", "prevent_destroy":
			if lc[k] == nil {
				continue
			}
			v.checkValue(static, p, lc[k], cty.Bool)
		case "ignore_changes":
			v.checkIgnoreChanges(sc, res, p, lc[k])
		case "replace_triggered_by":
			v.checkReplaceTriggeredBy(sc, p, lc[k])
		case "precondition":
			v.checkConditions(sc, p, lc[k])
		case "postcondition":
			self := sc
			self.selfOK, self.self = true, res.block
			v.checkConditions(self, p, lc[k])
		}
	}
}

// checkIgnoreChanges checks ignore_changes: "all", or a list of attribute
// paths of the resource.
func (v *validator) checkIgnoreChanges(sc scope, res *resourceInfo, path string, val any) {
	if s, ok := val.(string); ok && s == "all" {
		return
	}
	arr, ok := val.([]any)
	if !ok {
		v.add(sc.addr, path, "ignore_changes requires \"all\" or a JSON array of attribute paths, got %s", describe(val))
		return
	}
	for i, el := range arr {
		p := indexPath(path, i)
		s, ok := el.(string)
		if !ok {
			v.add(sc.addr, p, "attribute path string required, got %s", describe(el))
			continue
		}
		if s == "*" || s == "all" {
			v.add(sc.addr, p, "to ignore all changes write \"ignore_changes\": \"all\", not a list element %q", s)
			continue
		}
		t, err := parseRef(s, false)
		if err != nil {
			v.add(sc.addr, p, "%v", err)
			continue
		}
		if res.block == nil {
			continue
		}
		steps := append(hcl.Traversal{hcl.TraverseAttr{Name: t.RootName()}}, t[1:]...)
		v.checkRelTraversal(sc, p, "ignore_changes path "+traversalString(t), res.block, steps)
	}
}

// checkReplaceTriggeredBy checks replace_triggered_by: references to managed
// resources (or their attributes) that exist.
func (v *validator) checkReplaceTriggeredBy(sc scope, path string, val any) {
	v.eachRef(sc, path, "replace_triggered_by", val, true, func(p string, t hcl.Traversal) {
		switch t.RootName() {
		case "var", "local", "data", "ephemeral", "module", "path", "terraform", "self", "count", "each":
			v.add(sc.addr, p, "replace_triggered_by may only refer to managed resources, got %s", traversalString(t))
			return
		}
		v.checkTraversal(sc, p, t)
	})
}

// checkConditions checks precondition or postcondition blocks.
func (v *validator) checkConditions(sc scope, path string, val any) {
	v.checkConditionsNamed(sc, path, val, "condition", "error_message")
}

// checkConnection checks a connection block.
func (v *validator) checkConnection(sc scope, path string, val any) {
	if body, ok := v.singleBody(sc.addr, path, val); ok {
		v.checkBody(sc, path, body, connectionSchema, nil)
	}
}

// provisionerMeta are the arguments every provisioner accepts.
var provisionerMeta = map[string]bool{"when": true, "on_failure": true, "connection": true}

// checkProvisioners checks the provisioner blocks of a resource, written as
// an array of objects each keyed by provisioner type (or one such object).
func (v *validator) checkProvisioners(sc scope, val any) {
	for _, it := range v.blockBodies(sc, "provisioner", "provisioner", val, true) {
		for _, typ := range sortedKeys(it.body) {
			if typ == commentKey {
				continue
			}
			p := attrPath(it.path, typ)
			schema, ok := provisionerSchemas[typ]
			if !ok {
				v.add(sc.addr, p, "unsupported provisioner %q%s", typ, suggest(typ, sortedKeys(provisionerSchemas)))
				continue
			}
			body, ok := v.singleBody(sc.addr, p, it.body[typ])
			if !ok {
				continue
			}
			v.checkKeyword(sc, attrPath(p, "when"), body["when"], "create", "destroy")
			v.checkKeyword(sc, attrPath(p, "on_failure"), body["on_failure"], "continue", "fail")
			if c, ok := body["connection"]; ok {
				v.checkConnection(sc, attrPath(p, "connection"), c)
			}
			v.checkBody(sc, p, body, schema, provisionerMeta)
		}
	}
}

// checkKeyword checks an optional argument that takes one of a few keywords.
func (v *validator) checkKeyword(sc scope, path string, val any, words ...string) {
	if val == nil {
		return
	}
	s, _ := val.(string)
	for _, w := range words {
		if s == w {
			return
		}
	}
	v.add(sc.addr, path, "one of %s required, got %s", strings.Join(words, ", "), describe(val))
}

// parseRef parses a reference given as a string. For depends_on, provider
// and ignore_changes, Terraform's JSON syntax reads the string itself as a
// traversal ("kubernetes_secret_v1.jwt") and rejects a template
// ("${kubernetes_secret_v1.jwt}"); allowTemplate accepts both forms.
func parseRef(s string, allowTemplate bool) (hcl.Traversal, error) {
	src := strings.TrimSpace(s)
	if strings.HasPrefix(src, "${") && strings.HasSuffix(src, "}") {
		inner := strings.TrimSpace(src[2 : len(src)-1])
		if !allowTemplate {
			return nil, fmt.Errorf("Terraform's JSON syntax needs a bare reference here: write %q, not %q", inner, s)
		}
		src = inner
	}
	t, diags := hclsyntax.ParseTraversalAbs([]byte(src), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("invalid reference %q: %s", s, diagSummary(diags))
	}
	return t, nil
}

// parseProviderRef parses the provider meta-argument: "NAME" or
// "NAME.ALIAS".
func parseProviderRef(val any) (name, alias string, err error) {
	s, ok := val.(string)
	if !ok {
		return "", "", fmt.Errorf("provider reference string required, got %s", describe(val))
	}
	t, err := parseRef(s, false)
	if err != nil {
		return "", "", err
	}
	switch len(t) {
	case 1:
		return t.RootName(), "", nil
	case 2:
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			return t.RootName(), a.Name, nil
		}
	}
	return "", "", fmt.Errorf("invalid provider reference %q: want NAME or NAME.ALIAS", s)
}

// lastSegment returns the last attribute name of a path.
func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
