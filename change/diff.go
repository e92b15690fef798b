package change

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/llm-platform/cdktf-llm/render"
)

// clusterScoped are the kinds that live in no namespace; render gives them
// the release's, which their identity leaves out.
var clusterScoped = map[string]bool{
	"ClusterRole": true, "ClusterRoleBinding": true, "IngressClass": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true,
	"PersistentVolume": true, "Namespace": true, "APIService": true, "RuntimeClass": true,
}

// entry is one object of one release, deployed or next.
type entry struct {
	rel *Release
	obj render.Object
	// id names the object as findings do.
	id string
	// fields is the object as JSON values, for the diff; nil for an object
	// without a k8s.io/api type (a custom resource), which compares by its
	// identity only.
	fields map[string]any
}

// objectID names o as findings do: "Kind namespace/name", "Kind name" for
// a cluster-scoped kind.
func objectID(o render.Object) string {
	if clusterScoped[o.Kind] {
		return o.Kind + " " + o.Name
	}
	return o.Kind + " " + o.Namespace + "/" + o.Name
}

// index holds a side's objects by id, in release and install order.
type index struct {
	byID  map[string]*entry
	order []*entry
	rels  map[string]*Release
}

func newIndex(rels []Release) index {
	x := index{byID: map[string]*entry{}, rels: map[string]*Release{}}
	for i := range rels {
		r := &rels[i]
		x.rels[r.Address] = r
		for _, o := range r.Objects {
			e := &entry{rel: r, obj: o, id: objectID(o), fields: fieldsOf(o.Typed)}
			if _, dup := x.byID[e.id]; !dup {
				x.byID[e.id] = e
				x.order = append(x.order, e)
			}
		}
	}
	return x
}

func fieldsOf(o runtime.Object) map[string]any {
	if o == nil {
		return nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return map[string]any{"unconvertible": err.Error()}
	}
	return m
}

// sameRelease is true when a and b are one Helm release: the provider
// replaces a release (uninstall, then install) whose address, name or
// namespace changes.
func sameRelease(a, b *Release) bool {
	return a.Address == b.Address && a.Name == b.Name && a.Namespace == b.Namespace
}

// diffs lists, by release address, the objects added, removed and changed.
func (c *checker) diffs() []ReleaseDiff {
	addrs := map[string]bool{}
	for a := range c.deployed.rels {
		addrs[a] = true
	}
	for a := range c.next.rels {
		addrs[a] = true
	}
	var out []ReleaseDiff
	for _, addr := range sortedKeys(addrs) {
		d := ReleaseDiff{Address: addr}
		for _, e := range c.deployed.order {
			if e.rel.Address != addr {
				continue
			}
			n, ok := c.next.byID[e.id]
			switch {
			case !ok || n.rel.Address != addr:
				d.Objects = append(d.Objects, ObjectDiff{Object: e.id, Change: Removed})
			default:
				if fields := fieldChanges(e, n); len(fields) > 0 {
					d.Objects = append(d.Objects, ObjectDiff{Object: e.id, Change: Changed, Fields: fields})
				}
			}
		}
		for _, n := range c.next.order {
			if e, ok := c.deployed.byID[n.id]; n.rel.Address == addr && (!ok || e.rel.Address != addr) {
				d.Objects = append(d.Objects, ObjectDiff{Object: n.id, Change: Added})
			}
		}
		if len(d.Objects) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// fieldChanges are the changed fields of an object, but for the chart's
// version label (helm.sh/chart), which the object and each of its templates
// carry and every chart upgrade changes: the first shows, with how many
// more there are.
func fieldChanges(e, n *entry) []FieldChange {
	var all, out []FieldChange
	diffValues("", e.fields, n.fields, &all)
	first, more := -1, 0
	for _, f := range all {
		switch {
		case !strings.HasSuffix(f.Path, "labels.helm.sh/chart"):
			out = append(out, f)
		case first < 0:
			first = len(out)
			out = append(out, f)
		default:
			more++
		}
	}
	if more > 0 {
		out[first].Path += fmt.Sprintf(" (and %d more helm.sh/chart labels)", more)
	}
	return out
}

// diffValues appends the leaf paths below path where a and b differ: maps
// key by key, lists item by item (by their name when every item has a
// distinct one, e.g. containers[ollama]).
func diffValues(path string, a, b any, out *[]FieldChange) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := make(map[string]bool, len(av)+len(bv))
			for k := range av {
				keys[k] = true
			}
			for k := range bv {
				keys[k] = true
			}
			for _, k := range sortedKeys(keys) {
				diffValues(join(path, k), av[k], bv[k], out)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			diffLists(path, av, bv, out)
			return
		}
	}
	if !reflect.DeepEqual(a, b) {
		o, n := shortPair(a, b)
		*out = append(*out, FieldChange{Path: path, Old: o, New: n})
	}
}

func diffLists(path string, a, b []any, out *[]FieldChange) {
	an, aok := names(a)
	bn, bok := names(b)
	if !aok || !bok {
		for i := 0; i < len(a) || i < len(b); i++ {
			diffValues(fmt.Sprintf("%s[%d]", path, i), at(a, i), at(b, i), out)
		}
		return
	}
	for i, n := range an {
		diffValues(path+"["+n+"]", a[i], at(b, index0(bn, n)), out)
	}
	for i, n := range bn {
		if index0(an, n) < 0 {
			diffValues(path+"["+n+"]", nil, b[i], out)
		}
	}
}

// names are the items' distinct names (name, or metadata.name as in
// volumeClaimTemplates); false when an item has none or two share one.
func names(items []any) ([]string, bool) {
	out := make([]string, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		m, _ := it.(map[string]any)
		n, _ := m["name"].(string)
		if meta, ok := m["metadata"].(map[string]any); ok && n == "" {
			n, _ = meta["name"].(string)
		}
		if n == "" || seen[n] {
			return nil, false
		}
		seen[n], out[i] = true, n
	}
	return out, true
}

func index0(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func at(list []any, i int) any {
	if i < 0 || i >= len(list) {
		return nil
	}
	return list[i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// shortPair prints two values for a line: an absent one empty, a map or
// list as JSON, a string with its line breaks escaped; two long strings
// from a little before where they first differ; each cut at 60 characters.
func shortPair(a, b any) (string, string) {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		p := 0
		for p < len(as) && p < len(bs) && as[p] == bs[p] {
			p++
		}
		if p > 20 {
			for p -= 20; p > 0 && !utf8.RuneStart(as[p]); p-- {
			}
			return short("…" + as[p:]), short("…" + bs[p:])
		}
	}
	return short(a), short(b)
}

func short(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if v == "" {
			return `""`
		}
		s = strings.ReplaceAll(v, "\n", `\n`)
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		s = string(b)
	default:
		return fmt.Sprint(v)
	}
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
