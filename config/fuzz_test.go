package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the loader: it must not panic, every
// error must name the file, and an accepted environment must pass its own
// checks again. The seed corpus is testdata/fuzz/FuzzParse plus the shipped
// environments. Run `make fuzz` (or go test ./config -fuzz FuzzParse).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"../envs/dev.yaml", "../envs/prod.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Parse("fuzz.yaml", "fuzz", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not a non-empty Errors: %v", err)
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Problem == "" {
					t.Fatalf("error without file or problem: %#v", e)
				}
			}
			return
		}
		c := checker{file: "fuzz.yaml", lines: map[string]int{}}
		c.validate(&env)
		if len(c.errs) > 0 {
			t.Fatalf("accepted an environment that fails its checks: %v", c.errs)
		}
	})
}

// TestAliasBomb: aliases that would expand to ten billion values cost no
// more than the file's size, since decoding follows only the typed fields.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("ollama:\n  models: *a9\n")
	_, err := Parse("bomb.yaml", "bomb", []byte(b.String()))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) > 20 || !strings.Contains(err.Error(), "ollama.models[0]: a list is not a single value") {
		t.Fatalf("got %d errors: %v", len(errs), err)
	}
}
