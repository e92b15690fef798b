package tfschema

import tfjson "github.com/hashicorp/terraform-json"

// scope describes where an expression appears, which decides which
// references are valid in it.
type scope struct {
	// addr is the address errors are reported against.
	addr string
	// count and forEach say whether count.* and each.* may be referenced.
	count, forEach bool
	// selfOK allows self.* (provisioner, connection and postcondition);
	// self is the schema it is checked against, nil when unknown.
	selfOK bool
	self   *tfjson.SchemaBlock
	// iterators are the dynamic block iterator names in effect.
	iterators []string
	// ephemeralOK allows references to ephemeral values (ephemeral input
	// variables and ephemeral resources).
	ephemeralOK bool
	// noRefs, when set, forbids any interpolation; it names the context for
	// the error message ("backend configuration", "a variable default").
	noRefs string
	// sensitive, when non-nil, is set to true when the expression references
	// a sensitive value.
	sensitive *bool
}

// withIterator returns a copy of sc in which name refers to a dynamic block
// iterator.
func (sc scope) withIterator(name string) scope {
	its := make([]string, len(sc.iterators), len(sc.iterators)+1)
	copy(its, sc.iterators)
	sc.iterators = append(its, name)
	return sc
}

func (sc scope) hasIterator(name string) bool {
	for _, it := range sc.iterators {
		if it == name {
			return true
		}
	}
	return false
}
