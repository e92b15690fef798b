package tfschema

import (
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// resourceInfo is one resource, data source or ephemeral resource block.
type resourceInfo struct {
	kind, typ, name string
	// addr is "resource.TYPE.NAME", "data.TYPE.NAME" or "ephemeral.TYPE.NAME".
	addr           string
	body           map[string]any
	count, forEach bool
	// block is the schema of the type, nil when it could not be resolved.
	block *tfjson.SchemaBlock
	// problems explain why the provider or type could not be resolved; they
	// are reported when the resource is checked.
	problems []resourceProblem
}

type resourceProblem struct {
	path, reason string
}

// metaArguments are the meta-arguments Terraform accepts per kind of block.
var metaArguments = map[string]map[string]bool{
	"resource": {
		"count": true, "for_each": true, "depends_on": true, "provider": true,
		"lifecycle": true, "connection": true, "provisioner": true,
	},
	"data": {
		"count": true, "for_each": true, "depends_on": true, "provider": true,
		"lifecycle": true,
	},
	"ephemeral": {
		"count": true, "for_each": true, "depends_on": true, "provider": true,
		"lifecycle": true,
	},
}

// collectResources records the blocks of one kind and resolves their schema.
func (v *validator) collectResources(kind string, val any) {
	types, ok := v.objectOf(kind, "", val)
	if !ok {
		return
	}
	for _, typ := range sortedKeys(types) {
		if typ == commentKey {
			continue
		}
		names, ok := v.objectOf(kind+"."+typ, "", types[typ])
		if !ok {
			continue
		}
		for _, name := range sortedKeys(names) {
			if name == commentKey {
				continue
			}
			res := &resourceInfo{kind: kind, typ: typ, name: name, addr: kind + "." + typ + "." + name}
			if body, ok := v.singleBody(res.addr, "", names[name]); ok {
				res.body = body
				res.count = body["count"] != nil
				res.forEach = body["for_each"] != nil
				v.resolveSchema(res)
			}
			v.resources[kind][typ+"."+name] = res
		}
	}
}

// resolveSchema finds the provider of a resource (its provider argument, or
// the resource type's prefix) and the schema of its type.
func (v *validator) resolveSchema(res *resourceInfo) {
	local, _, _ := strings.Cut(res.typ, "_")
	how, where := "implied by the type name", ""
	if p, ok := res.body["provider"]; ok {
		name, alias, err := parseProviderRef(p)
		switch {
		case err != nil:
			res.problems = append(res.problems, resourceProblem{"provider", err.Error()})
		default:
			local, how, where = name, "set by the provider argument", "provider"
			if alias != "" && !v.providerAliases[name][alias] {
				res.problems = append(res.problems, resourceProblem{"provider",
					fmt.Sprintf("no provider configuration %s.%s: add a %q provider block with alias %q", name, alias, name, alias)})
			}
		}
	}
	source, declared := v.requiredProviders[local]
	var ps *tfjson.ProviderSchema
	switch {
	case declared:
		var ok bool
		if ps, ok = v.schemas.provider(source); !ok {
			return // reported once at terraform.required_providers
		}
		source, _ = normalizeSource(source)
	case local == builtinProviderName:
		ps, source = builtinProvider, builtinProviderSource
	default:
		res.problems = append(res.problems, resourceProblem{where,
			fmt.Sprintf("provider %q (%s) is not declared with a source in terraform.required_providers", local, how)})
		return
	}
	schemas := typeSchemas(ps, res.kind)
	s, ok := schemas[res.typ]
	if !ok || s.Block == nil {
		res.problems = append(res.problems, resourceProblem{"",
			fmt.Sprintf("%s type %q is not provided by %s%s", res.kind, res.typ, source, suggest(res.typ, sortedKeys(schemas)))})
		return
	}
	res.block = s.Block
}

// typeSchemas are a provider's schemas of one kind of block: "resource",
// "data" or "ephemeral".
func typeSchemas(ps *tfjson.ProviderSchema, kind string) map[string]*tfjson.Schema {
	switch kind {
	case "resource":
		return ps.ResourceSchemas
	case "data":
		return ps.DataSourceSchemas
	case "ephemeral":
		return ps.EphemeralResourceSchemas
	}
	return nil
}

// checkResource checks one resource, data source or ephemeral resource.
func (v *validator) checkResource(res *resourceInfo) {
	if res.body == nil {
		return
	}
	for _, p := range res.problems {
		v.add(res.addr, p.path, "%s", p.reason)
	}
	meta := metaArguments[res.kind]
	for _, k := range []string{"connection", "provisioner"} {
		if _, ok := res.body[k]; ok && !meta[k] {
			v.add(res.addr, k, "%q is only allowed in resource blocks, not in %s blocks", k, res.kind)
		}
	}
	// count and for_each are evaluated before the instances exist, so
	// count.index and each.* are not available in them.
	outer := scope{addr: res.addr}
	if res.count && res.forEach {
		v.add(res.addr, "", "count and for_each cannot both be set")
	}
	if val, ok := res.body["count"]; ok {
		v.checkCount(outer, "count", val)
	}
	if val, ok := res.body["for_each"]; ok {
		v.checkForEach(outer, "for_each", val)
	}
	sc := scope{addr: res.addr, count: res.count, forEach: res.forEach}
	if val, ok := res.body["depends_on"]; ok {
		v.checkDependsOn(sc, "depends_on", val)
	}
	if val, ok := res.body["lifecycle"]; ok {
		v.checkLifecycle(sc, res, val)
	}
	self := sc
	self.selfOK, self.self, self.ephemeralOK = true, res.block, true
	if val, ok := res.body["connection"]; ok && meta["connection"] {
		v.checkConnection(self, "connection", val)
	}
	if val, ok := res.body["provisioner"]; ok && meta["provisioner"] {
		v.checkProvisioners(self, val)
	}
	if res.kind == "ephemeral" {
		sc.ephemeralOK = true
	}
	// connection and provisioner are skipped for every kind: where they are
	// not allowed, that was reported above.
	skip := metaArguments["resource"]
	if res.block != nil {
		v.checkBody(sc, "", res.body, res.block, skip)
	} else {
		// Without a schema, write-only attributes are unknown.
		sc.ephemeralOK = true
		v.walkBody(sc, res.body, skip)
	}
}
