package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
	"go.yaml.in/yaml/v3"
)

// decoder fills a value from a YAML node tree, field by field, so that every
// unknown key and wrong type in a file is reported at once, with its line.
type decoder struct {
	file string
	errs Errors
	// lines maps a field path to the line of its value, for later checks.
	lines map[string]int
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, FieldError{File: d.file, Line: n.Line, Path: path, Problem: fmt.Sprintf(format, args...)})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		v.SetZero()
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	default:
		d.decodeScalar(n, v, path)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "%s is not a mapping; write the fields %s", describe(n), strings.Join(fieldNames(v.Type()), ", "))
		return
	}
	fields := fieldIndex(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		p := join(path, key)
		if seen[key] {
			d.fail(k, p, "%q is given twice; keep one", key)
			continue
		}
		seen[key] = true
		if secretKey(key) {
			d.fail(k, p, "%s", secretAdvice)
			continue
		}
		idx, ok := fields[key]
		if !ok {
			d.fail(k, p, "unknown field %q%s", key, suggest(key, fieldNames(v.Type())))
			continue
		}
		d.decode(val, v.FieldByIndex(idx), p)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "%s is not a mapping; write key: value pairs", describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := fmt.Sprintf("%s[%q]", path, k.Value)
		if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
			d.fail(k, p, "%q is given twice; keep one", k.Value)
			continue
		}
		if secretKey(k.Value) {
			d.fail(k, p, "%s", secretAdvice)
			continue
		}
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e, p)
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
	v.Set(m)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "%s is not a list; write a YAML list (- item)", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "%s is not a single value; write a %s", describe(n), kindName(v.Kind()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		// Numbers are fine where text is expected (cpu: 2); booleans are
		// more likely a mistake, as in Kubernetes manifests.
		if n.Tag == "!!bool" {
			d.fail(n, path, "%s is a boolean; quote it (%q) if you mean text", n.Value, n.Value)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Tag != "!!bool" || err != nil {
			d.fail(n, path, "%q is not a boolean; use true or false", n.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Tag != "!!int" || err != nil {
			d.fail(n, path, "%q is not a whole number; use a number such as 4", n.Value)
			return
		}
		v.SetInt(int64(i))
	default:
		panic(fmt.Sprintf("config: no decoding for %s at %s", v.Kind(), path))
	}
}

// fieldIndex maps a struct's YAML keys (its json tags, with inline structs
// flattened) to field indexes.
func fieldIndex(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && opts == "inline":
			for k, idx := range fieldIndex(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
		default:
			out[name] = []int{i}
		}
	}
	return out
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for k := range fieldIndex(t) {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(n.Value)
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int:
		return "whole number"
	default:
		return "text value"
	}
}

// suggest returns ` (did you mean "x"?)` for the known key closest to key,
// when one is close enough to be a typo.
func suggest(key string, known []string) string {
	best, bestDist := "", len(key)/3+2
	for _, k := range known {
		if d := levenshtein.Distance(strings.ToLower(key), strings.ToLower(k), nil); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return "; valid fields: " + strings.Join(known, ", ")
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
