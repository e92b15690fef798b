package tfschema

import (
	"strings"

	version "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// terraformKeys are the arguments and blocks of the terraform block.
var terraformKeys = map[string]bool{
	"required_version": true, "required_providers": true, "backend": true,
	"cloud": true, "experiments": true, "provider_meta": true,
}

// checkTerraform checks the terraform block and records required_providers.
func (v *validator) checkTerraform(val any) {
	if val == nil {
		return
	}
	tf, ok := v.singleBody("terraform", "", val)
	if !ok {
		return
	}
	for _, k := range sortedKeys(tf) {
		if k != commentKey && !terraformKeys[k] {
			v.add("terraform", k, "unsupported argument or block %q in the terraform block%s", k, suggest(k, sortedKeys(terraformKeys)))
		}
	}
	if rv, ok := tf["required_version"]; ok {
		v.checkConstraint("terraform", "required_version", rv)
	}
	v.checkRequiredProviders(tf["required_providers"])
	if b, ok := tf["backend"]; ok {
		if _, cloud := tf["cloud"]; cloud {
			v.add("terraform.backend", "", "a backend block cannot be used together with a cloud block")
		}
		v.checkBackend(b)
	}
}

// checkConstraint checks a version constraint string such as "~> 2.38".
func (v *validator) checkConstraint(addr, path string, val any) {
	s, ok := val.(string)
	if !ok {
		v.add(addr, path, "version constraint string required, got %s", describe(val))
		return
	}
	if _, err := version.NewConstraint(s); err != nil {
		v.add(addr, path, "invalid version constraint %q: %v", s, err)
	}
}

// checkRequiredProviders checks terraform.required_providers. Every entry
// must be an object with a source and a version constraint.
func (v *validator) checkRequiredProviders(val any) {
	if val == nil {
		return
	}
	rp, ok := v.singleBody("terraform.required_providers", "", val)
	if !ok {
		return
	}
	for _, name := range sortedKeys(rp) {
		if name == commentKey {
			continue
		}
		addr := "terraform.required_providers." + name
		if !hclsyntax.ValidIdentifier(name) {
			v.add(addr, "", "invalid provider local name %q", name)
			continue
		}
		entry, ok := rp[name].(map[string]any)
		if !ok {
			v.add(addr, "", "provider requirement must be an object with source and version, got %s", describe(rp[name]))
			continue
		}
		for _, k := range sortedKeys(entry) {
			switch k {
			case commentKey, "source", "version", "configuration_aliases":
			default:
				v.add(addr, k, "unsupported argument %q (want source, version, configuration_aliases)", k)
			}
		}
		if _, ok := entry["version"]; ok {
			v.checkConstraint(addr, "version", entry["version"])
		} else {
			v.add(addr, "version", "missing required argument \"version\"")
		}
		src, ok := entry["source"].(string)
		switch {
		case entry["source"] == nil:
			v.add(addr, "source", "missing required argument \"source\"")
		case !ok:
			v.add(addr, "source", "source address string required, got %s", describe(entry["source"]))
		default:
			if _, err := normalizeSource(src); err != nil {
				v.add(addr, "source", "%v", err)
				continue
			}
			v.requiredProviders[name] = src
			if _, known := v.schemas.provider(src); !known {
				v.add(addr, "source", "no schema loaded for provider %q, so its configuration and resources cannot be validated", src)
			}
		}
	}
}

// checkBackend checks terraform.backend: exactly one backend, whose
// arguments are checked for the backends with a built-in schema.
func (v *validator) checkBackend(val any) {
	b, ok := v.singleBody("terraform.backend", "", val)
	if !ok {
		return
	}
	var types []string
	for _, k := range sortedKeys(b) {
		if k != commentKey {
			types = append(types, k)
		}
	}
	if len(types) != 1 {
		v.add("terraform.backend", "", "exactly one backend required, got %d (%s)", len(types), strings.Join(types, ", "))
		return
	}
	typ := types[0]
	addr := "terraform.backend." + typ
	sc := scope{addr: addr, noRefs: "backend configuration"}
	schema, checked := backendSchemas[typ]
	switch {
	case checked:
		if body, ok := v.singleBody(addr, "", b[typ]); ok {
			v.checkBody(sc, "", body, schema, nil)
		}
	case knownBackends[typ]:
		v.walkDynamic(sc, "", b[typ])
	default:
		v.add(addr, "", "unsupported backend type %q%s", typ, suggest(typ, append(sortedKeys(backendSchemas), sortedKeys(knownBackends)...)))
	}
}
