package tfschema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// providerMeta are the arguments Terraform itself defines in provider
// blocks. version is deprecated there but still accepted.
var providerMeta = map[string]bool{"alias": true, "version": true}

// providerConfigs returns the configurations written for one provider: a
// list of objects, as cdktf writes, or a single object.
func providerConfigs(val any) ([]any, bool) {
	switch x := val.(type) {
	case []any:
		return x, true
	case map[string]any:
		return []any{x}, true
	default:
		return nil, false
	}
}

// collectProviders records the configured aliases of every provider.
func (v *validator) collectProviders(val any) {
	for name, cfgs := range mergeObjects(val) {
		list, _ := providerConfigs(cfgs)
		aliases := map[string]bool{}
		for _, c := range list {
			cfg, _ := c.(map[string]any)
			alias, _ := cfg["alias"].(string)
			aliases[alias] = true
		}
		v.providerAliases[name] = aliases
	}
}

// checkProviders checks every provider configuration against its provider's
// schema.
func (v *validator) checkProviders(val any) {
	obj, ok := v.objectOf("provider", "", val)
	if !ok {
		return
	}
	for _, name := range sortedKeys(obj) {
		if name == commentKey {
			continue
		}
		list, ok := providerConfigs(obj[name])
		if !ok {
			v.add("provider."+name, "", "provider configurations must be a JSON array of objects, got %s", describe(obj[name]))
			continue
		}
		if _, declared := v.requiredProviders[name]; !declared {
			v.add("provider."+name, "", "provider %q is not declared with a source in terraform.required_providers", name)
		}
		schema, hasSchema := v.providerSchema(name)
		seen := map[string]bool{}
		for i, c := range list {
			addr := fmt.Sprintf("provider.%s[%d]", name, i)
			cfg, ok := c.(map[string]any)
			if !ok {
				v.add(addr, "", "provider configuration must be a JSON object, got %s", describe(c))
				continue
			}
			alias := ""
			if a, present := cfg["alias"]; present {
				s, ok := a.(string)
				if !ok || !hclsyntax.ValidIdentifier(s) {
					v.add(addr, "alias", "alias must be an identifier string, got %s", describe(a))
					continue
				}
				alias = s
			}
			if seen[alias] {
				if alias == "" {
					v.add(addr, "", "duplicate default configuration for provider %q: give the others an alias", name)
				} else {
					v.add(addr, "alias", "duplicate alias %q for provider %q", alias, name)
				}
			}
			seen[alias] = true
			if ver, present := cfg["version"]; present {
				v.checkConstraint(addr, "version", ver)
			}
			sc := scope{addr: addr, ephemeralOK: true}
			if hasSchema {
				v.checkBody(sc, "", cfg, schema.ConfigSchema.Block, providerMeta)
			} else {
				v.walkBody(sc, cfg, providerMeta)
			}
		}
	}
}

// walkBody checks the references in a body whose schema is unknown.
func (v *validator) walkBody(sc scope, body map[string]any, skip map[string]bool) {
	for _, k := range sortedKeys(body) {
		if k != commentKey && !skip[k] {
			v.walkDynamic(sc, k, body[k])
		}
	}
}
