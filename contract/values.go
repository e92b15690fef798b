package contract

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/llm-platform/cdktf-llm/render"
)

// checkValues reports every key of a release's values that its chart does
// not read: not in its values.yaml, not in its values.schema.json, and no
// .Values path of its templates. Keys under a subchart's name are looked up
// in that subchart too, and global keys in every chart.
func checkValues(r *render.Rendered, report func(Finding)) {
	known := sharedKeys(r.Chart)
	for _, path := range leaves(r.Release.Values, nil) {
		if known.reads(path) {
			continue
		}
		report(Finding{
			Rule:    RuleValues,
			Problem: fmt.Sprintf("%s is not a value of chart %s %s (not in its values.yaml, values.schema.json or templates), so the chart ignores it", strings.Join(path, "."), r.Release.Chart, r.Release.Version),
			Fix:     fmt.Sprintf("remove or rename the key in the values that constructs/%s writes; `helm show values` lists the chart's keys", constructPackage(r.Release.ID)),
		})
	}
}

// checkWarnings reports Helm's warnings about a key our values set while it
// merged them with the chart's defaults: a table where the chart has a
// scalar or a list, or the other way round. Helm renders on regardless,
// with a value the chart's templates do not expect.
func checkWarnings(r *render.Rendered, report func(Finding)) {
	ours := map[string]bool{}
	for _, p := range leaves(r.Release.Values, nil) {
		for i := 1; i <= len(p); i++ {
			ours[strings.Join(p[:i], ".")] = true
		}
	}
	for _, w := range r.Warnings {
		m := warnedKey.FindStringSubmatch(w)
		if m == nil {
			continue
		}
		// Helm names a key of the chart itself after the chart: ollama.ollama.mountPath.
		key := strings.Trim(m[1], `"`)
		if own := strings.TrimPrefix(key, r.Release.Chart+"."); ours[own] {
			key = own
		} else if !ours[key] {
			continue
		}
		report(Finding{Rule: RuleValues,
			Problem: fmt.Sprintf("%s has another type than in chart %s %s's values.yaml; Helm warned: %s", key, r.Release.Chart, r.Release.Version, w),
			Fix:     fmt.Sprintf("give the key the type the chart's values.yaml has, in the values that constructs/%s writes", constructPackage(r.Release.ID))})
	}
}

// warnedKey finds the key in Helm's coalescing warnings ("skipped value for
// a.b: Not a table.", "destination for a.b is a table. …").
var warnedKey = regexp.MustCompile(`(?:for|onto non-map for) ("?[A-Za-z0-9_.-]+"?)`)

// keys is what one chart reads, with its subcharts by name.
type keys struct {
	defaults  map[string]any
	schema    map[string]any
	templates [][]string
	subcharts map[string]*keys
}

func chartKeys(c *chart.Chart) *keys {
	k := &keys{defaults: c.Values, subcharts: map[string]*keys{}}
	if len(c.Schema) > 0 {
		_ = json.Unmarshal(c.Schema, &k.schema)
	}
	for _, t := range c.Templates {
		for _, m := range valuesRef.FindAllStringSubmatch(string(t.Data), -1) {
			k.templates = append(k.templates, strings.Split(m[1], "."))
		}
	}
	for _, d := range c.Dependencies() {
		k.subcharts[d.Name()] = chartKeys(d)
	}
	// A dependency may be imported under an alias.
	if c.Metadata != nil {
		for _, d := range c.Metadata.Dependencies {
			if d.Alias != "" {
				if sub, ok := k.subcharts[d.Name]; ok {
					k.subcharts[d.Alias] = sub
				}
			}
		}
	}
	return k
}

// valuesRef finds the .Values paths of a template.
var valuesRef = regexp.MustCompile(`\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)`)

// reads says whether the chart, or the subchart the path names, reads path.
func (k *keys) reads(path []string) bool {
	if k.own(path) {
		return true
	}
	if len(path) > 1 && path[0] == "global" {
		for _, sub := range k.subcharts {
			if sub.reads(path) {
				return true
			}
		}
	}
	if sub, ok := k.subcharts[path[0]]; ok && len(path) > 1 {
		return sub.reads(path[1:])
	}
	return false
}

// own says whether this chart's values.yaml, schema or templates know path.
func (k *keys) own(path []string) bool {
	if inDefaults(k.defaults, path) || inSchema(k.schema, path) {
		return true
	}
	for _, t := range k.templates {
		if prefix(t, path) || prefix(path, t) {
			return true
		}
	}
	return false
}

// inDefaults: the path exists in values.yaml, or it reaches a value that is
// not a map with keys (a scalar, list, null or {}), which the chart takes whole.
func inDefaults(m map[string]any, path []string) bool {
	cur := any(m)
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok || len(mm) == 0 {
			return true
		}
		if cur, ok = mm[p]; !ok {
			return false
		}
	}
	return true
}

func inSchema(s map[string]any, path []string) bool {
	if s == nil {
		return false
	}
	cur := s
	for _, p := range path {
		props, _ := cur["properties"].(map[string]any)
		next, ok := props[p].(map[string]any)
		if !ok {
			// additionalProperties (or no properties at all) takes any key.
			if ap, ok := cur["additionalProperties"]; ok && ap != false {
				return true
			}
			return props == nil && cur["type"] == "object"
		}
		cur = next
	}
	return true
}

func prefix(p, of []string) bool {
	if len(p) > len(of) {
		return false
	}
	for i := range p {
		if p[i] != of[i] {
			return false
		}
	}
	return true
}

// leaves lists the paths to every scalar, list, null or empty map of v.
func leaves(v map[string]any, at []string) [][]string {
	var out [][]string
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := append(append([]string(nil), at...), k)
		if m, ok := v[k].(map[string]any); ok && len(m) > 0 {
			out = append(out, leaves(m, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}
