package tfschema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"
)

// Error is one validation failure in a synthesized stack.
//
// Address names the top-level construct (for example
// "resource.helm_release.ollama", "provider.kubernetes[0]",
// "variable.jwt_secret" or "terraform.backend.s3"). Path is the attribute
// path inside it (for example "metadata[0].labels" or "set[2].value"); it is
// empty when the failure concerns the construct as a whole.
type Error struct {
	Stack   string
	Address string
	Path    string
	Reason  string
}

// Error formats the failure as "<stack>: <address>: <path>: <reason>",
// leaving out the address and path when they are empty.
func (e Error) Error() string {
	parts := make([]string, 0, 4)
	parts = append(parts, e.Stack)
	if e.Address != "" {
		parts = append(parts, e.Address)
	}
	if e.Path != "" {
		parts = append(parts, e.Path)
	}
	parts = append(parts, e.Reason)
	return strings.Join(parts, ": ")
}

// less orders errors by address, path and reason.
func (e Error) less(o Error) bool {
	if e.Address != o.Address {
		return e.Address < o.Address
	}
	if e.Path != o.Path {
		return e.Path < o.Path
	}
	return e.Reason < o.Reason
}

// sortErrors orders errors by address, path and reason and drops exact
// duplicates (the same reference can be found twice in one expression).
func sortErrors(errs []Error) []Error {
	sort.Slice(errs, func(i, j int) bool { return errs[i].less(errs[j]) })
	out := errs[:0]
	for i, e := range errs {
		if i > 0 && e == errs[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// attrPath appends an attribute name to a path.
func attrPath(p, name string) string {
	if p == "" {
		return name
	}
	return p + "." + name
}

// indexPath appends a list index to a path.
func indexPath(p string, i int) string {
	return p + "[" + strconv.Itoa(i) + "]"
}

// keyPath appends a map key to a path.
func keyPath(p, key string) string {
	return p + "[" + strconv.Quote(key) + "]"
}

// describe renders a decoded JSON value for an error message.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(truncate(v, 60))
	case bool:
		return "bool " + strconv.FormatBool(v)
	case json.Number:
		return "number " + v.String()
	case []any:
		return fmt.Sprintf("array of %d elements", len(v))
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// suggest returns ` (did you mean "x"?)` for the closest candidate within a
// small edit distance, or "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 4
	for _, c := range candidates {
		if d := levenshtein.Distance(name, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// sortedKeys returns the keys of m in lexical order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
