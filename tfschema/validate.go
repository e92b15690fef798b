package tfschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	tfjson "github.com/hashicorp/terraform-json"
)

// topLevelKeys are the properties Terraform accepts at the top of a JSON
// configuration file; commentKey is ignored.
var topLevelKeys = map[string]bool{
	"terraform": true, "provider": true, "resource": true, "data": true,
	"ephemeral": true, "variable": true, "output": true, "locals": true,
	"module": true, "moved": true, "import": true, "removed": true,
	"check": true,
}

// validator holds the state of one Validate call.
type validator struct {
	schemas *Schemas
	stack   string
	errs    []Error

	// requiredProviders maps provider local names to their source address,
	// for the entries that have one.
	requiredProviders map[string]string
	// providerAliases maps provider local names to their configured aliases
	// ("" for the default configuration).
	providerAliases map[string]map[string]bool
	variables       map[string]variableInfo
	locals          map[string]bool
	modules         map[string]bool
	// resources maps "resource", "data" and "ephemeral" to "TYPE.NAME".
	resources map[string]map[string]*resourceInfo
	// templates caches parsed templates.
	templates map[string]parsedTemplate
}

// variableInfo is what references need to know about an input variable.
type variableInfo struct {
	sensitive, ephemeral bool
}

// Validate checks a synthesized stack (cdk.tf.json) against the provider
// schemas and Terraform's rules for its own constructs. stack names the stack
// in the errors. The errors are sorted by address, path and reason.
func (s *Schemas) Validate(stack string, stackJSON []byte) []Error {
	v := newValidator(s, stack)
	root, err := decodeJSON(stackJSON)
	if err != nil {
		v.add("", "", "invalid stack JSON: %v", err)
		return v.errs
	}
	obj, ok := root.(map[string]any)
	if !ok {
		v.add("", "", "stack JSON must be an object, got %s", describe(root))
		return v.errs
	}
	for _, k := range sortedKeys(obj) {
		if k != commentKey && !topLevelKeys[k] {
			v.add(k, "", "unsupported top-level property %q%s", k, suggest(k, sortedKeys(topLevelKeys)))
		}
	}

	// Declarations first, so references can be resolved in any order.
	v.checkTerraform(obj["terraform"])
	v.collectVariables(obj["variable"])
	v.collectNames(obj["locals"], v.locals)
	v.collectNames(obj["module"], v.modules)
	v.collectProviders(obj["provider"])
	for _, kind := range []string{"resource", "data", "ephemeral"} {
		v.collectResources(kind, obj[kind])
	}

	v.checkProviders(obj["provider"])
	for _, kind := range []string{"resource", "data", "ephemeral"} {
		for _, key := range sortedKeys(v.resources[kind]) {
			v.checkResource(v.resources[kind][key])
		}
	}
	v.checkVariables(obj["variable"])
	v.checkLocals(obj["locals"])
	v.checkOutputs(obj["output"])
	v.checkModules(obj["module"])
	return sortErrors(v.errs)
}

func newValidator(s *Schemas, stack string) *validator {
	return &validator{
		schemas:           s,
		stack:             stack,
		requiredProviders: map[string]string{},
		providerAliases:   map[string]map[string]bool{},
		variables:         map[string]variableInfo{},
		locals:            map[string]bool{},
		modules:           map[string]bool{},
		templates:         map[string]parsedTemplate{},
		resources: map[string]map[string]*resourceInfo{
			"resource": {}, "data": {}, "ephemeral": {},
		},
	}
}

// add records an error.
func (v *validator) add(addr, path, format string, args ...any) {
	v.errs = append(v.errs, Error{
		Stack:   v.stack,
		Address: addr,
		Path:    path,
		Reason:  fmt.Sprintf(format, args...),
	})
}

// providerSchema returns the schema of the provider a local name is
// declared for in terraform.required_providers.
func (v *validator) providerSchema(local string) (*tfjson.ProviderSchema, bool) {
	source, ok := v.requiredProviders[local]
	if !ok {
		if local == builtinProviderName {
			return builtinProvider, true
		}
		return nil, false
	}
	return v.schemas.provider(source)
}

// decodeJSON decodes one JSON value, keeping numbers as json.Number.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the top-level value")
	}
	return root, nil
}

// objectOf returns a section keyed by name (or by type) written as an
// object. HCL's JSON syntax also accepts an array of such objects, which is
// merged. Anything else is reported.
func (v *validator) objectOf(addr, path string, val any) (map[string]any, bool) {
	switch x := val.(type) {
	case nil:
		return nil, false
	case map[string]any:
		return x, true
	case []any:
		merged := map[string]any{}
		for i, el := range x {
			m, ok := el.(map[string]any)
			if !ok {
				v.add(addr, indexPath(path, i), "JSON object required, got %s", describe(el))
				continue
			}
			for k, val := range m {
				merged[k] = val
			}
		}
		return merged, true
	default:
		v.add(addr, path, "JSON object required, got %s", describe(val))
		return nil, false
	}
}

// eachBlock calls fn, in name order, with the name, address and body of
// each block of a top-level section keyed by name (output, module,
// variable).
func (v *validator) eachBlock(section string, val any, fn func(name, addr string, body map[string]any)) {
	obj, ok := v.objectOf(section, "", val)
	if !ok {
		return
	}
	for _, name := range sortedKeys(obj) {
		if name == commentKey {
			continue
		}
		addr := section + "." + name
		if body, ok := v.singleBody(addr, "", obj[name]); ok {
			fn(name, addr, body)
		}
	}
}

// singleBody returns a body written as an object or a one-element array of
// objects, as HCL's JSON syntax allows for a single block.
func (v *validator) singleBody(addr, path string, val any) (map[string]any, bool) {
	switch x := val.(type) {
	case map[string]any:
		return x, true
	case []any:
		if len(x) == 1 {
			if b, ok := x[0].(map[string]any); ok {
				return b, true
			}
		}
		if len(x) > 1 {
			v.add(addr, path, "duplicate block: only one is allowed, got %d", len(x))
			return nil, false
		}
	}
	v.add(addr, path, "JSON object required, got %s", describe(val))
	return nil, false
}
