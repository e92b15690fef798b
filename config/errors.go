package config

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem in a config file.
type FieldError struct {
	File string
	// Line is the 1-based line of the value, or 0 when unknown.
	Line int
	// Path is the field path, e.g. ollama.tolerations[0].effect.
	Path string
	// Problem says what is wrong and what would be valid. It quotes the bad
	// value, except where the value may be a secret.
	Problem string
}

func (e FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", loc, e.Problem)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Path, e.Problem)
}

// Errors is every problem found in one or more files, in file and line order.
type Errors []FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		return es[i].Line < es[j].Line
	})
	return es
}
