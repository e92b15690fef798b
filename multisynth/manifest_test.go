package multisynth

import (
	"slices"
	"strings"
	"testing"
)

// manifestOf writes a manifest as cdktf does (json-stable-stringify, two
// spaces, keys sorted) for the given stacks.
func manifestOf(stacks ...string) string {
	slices.Sort(stacks)
	var entries []string
	for _, s := range stacks {
		deps := "\n      ]"
		if strings.HasPrefix(s, "apps-") {
			deps = "\n        \"base-" + strings.TrimPrefix(s, "apps-") + "\"\n      ]"
		}
		entries = append(entries, `    "`+s+`": {
      "annotations": [
      ],
      "constructPath": "`+s+`",
      "dependencies": [`+deps+`,
      "name": "`+s+`",
      "stackMetadataPath": "stacks/`+s+`/metadata.json",
      "synthesizedStackPath": "stacks/`+s+`/cdk.tf.json",
      "workingDirectory": "stacks/`+s+`"
    }`)
	}
	return "{\n  \"stacks\": {\n" + strings.Join(entries, ",\n") + "\n  },\n  \"version\": \"0.21.0\"\n}"
}

// TestJoinManifests: the manifests of synths of parts of the environments
// join into the manifest of one synth of all of them, byte for byte.
func TestJoinManifests(t *testing.T) {
	tests := []struct {
		name  string
		parts [][]string
	}{
		{"two environments, one each", [][]string{{"base-dev", "apps-dev"}, {"base-prod", "apps-prod"}}},
		{"interleaved names", [][]string{{"base-a", "apps-a", "base-c", "apps-c"}, {"base-b", "apps-b"}}},
		{"one stack each", [][]string{{"base-x"}, {"apps-x"}}},
		{"a single part", [][]string{{"base-dev", "apps-dev", "base-prod", "apps-prod"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var parts []manifest
			var all []string
			for _, stacks := range tc.parts {
				m, err := parseManifest([]byte(manifestOf(stacks...)))
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, m)
				all = append(all, stacks...)
			}
			got, err := joinManifests(parts)
			if err != nil {
				t.Fatal(err)
			}
			if want := manifestOf(all...); string(got) != want {
				t.Errorf("joined:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestJoinManifestsRefuses(t *testing.T) {
	parse := func(s string) manifest {
		m, err := parseManifest([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	other := strings.Replace(manifestOf("base-b"), "0.21.0", "0.20.0", 1)
	tests := []struct {
		name  string
		parts []manifest
		want  string
	}{
		{"another cdktf version", []manifest{parse(manifestOf("base-a")), parse(other)}, "differ in more than their stacks"},
		{"a stack twice", []manifest{parse(manifestOf("base-a")), parse(manifestOf("base-a"))}, "in two manifests"},
		{"nothing", nil, "no manifest"},
	}
	for _, tc := range tests {
		if _, err := joinManifests(tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	for _, bad := range []string{`[]`, `{"version": "1"}`, `{"stacks": {}}`, `{"stacks": []}`, `{"stacks": {"a": `} {
		if _, err := parseManifest([]byte(bad)); err == nil {
			t.Errorf("parseManifest(%s) did not fail", bad)
		}
	}
	if _, err := parse(manifestOf("base-a", "apps-a")).only([]string{"base-b"}); err == nil {
		t.Error("only(a stack it lacks) did not fail")
	}
}

func TestSplit(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		n    int
		want [][]string
	}{
		{1, [][]string{{"a", "b", "c", "d", "e"}}},
		{2, [][]string{{"a", "b"}, {"c", "d", "e"}}},
		{5, [][]string{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}},
	}
	for _, tc := range tests {
		got := split(names, tc.n)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("split(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestWorkers(t *testing.T) {
	tests := []struct {
		jobs, n, want int
	}{
		{1, 64, 1},
		{2, 1, 1},
		{3, 2, 2},
		{8, 64, 8},
	}
	for _, tc := range tests {
		c := Config{Jobs: tc.jobs}
		c.Options = c.Options.WithDefaults()
		if got := c.workers(tc.n); got != tc.want {
			t.Errorf("%d jobs, %d environments: %d workers, want %d", tc.jobs, tc.n, got, tc.want)
		}
	}
	c := Config{}
	c.Options = c.Options.WithDefaults()
	if got := c.workers(minPerWorker*2 - 1); got != 1 {
		t.Errorf("by default, %d environments get %d workers; want 1 (fewer than %d each)", minPerWorker*2-1, got, minPerWorker)
	}
}
