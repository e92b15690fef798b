package tfschema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// The tests use testdata/providers-schema.subset.json: the entries of the
// real schema file (kubernetes 2.38.0, helm 3.1.1) that the fixtures use,
// copied verbatim. TestSubsetMatchesFullSchema checks that against the full
// file when it can be found, and regenerates it with -update-subset.

const subsetFile = "testdata/providers-schema.subset.json"

var updateSubset = flag.Bool("update-subset", false, "regenerate "+subsetFile+" from the full provider schema file")

// subsetEntries lists, per provider source, the schemas copied into the
// subset. The provider configuration and functions are always copied.
var subsetEntries = map[string]map[string][]string{
	"registry.terraform.io/hashicorp/kubernetes": {
		"resource_schemas": {
			"kubernetes_namespace_v1", "kubernetes_secret_v1",
			"kubernetes_network_policy_v1", "kubernetes_config_map_v1",
			"kubernetes_manifest",
		},
		"data_source_schemas":        {"kubernetes_namespace_v1", "kubernetes_secret_v1"},
		"ephemeral_resource_schemas": {"kubernetes_token_request_v1"},
	},
	"registry.terraform.io/hashicorp/helm": {
		"resource_schemas":    {"helm_release"},
		"data_source_schemas": {"helm_template"},
	},
}

// fullSchemaFile is the project's copy of the real provider schemas
// (__tests__ checks it byte for byte against the workplace's file).
var fullSchemaFile = filepath.Join("..", ProjectFile)

// Each schema file is loaded once per test run.
var (
	loadSubset = sync.OnceValues(func() (*Schemas, error) { return Load(subsetFile) })
	loadFull   = sync.OnceValues(func() (*Schemas, error) { return Load(fullSchemaFile) })
)

// testSchemas returns the subset schemas (testdata).
func testSchemas(tb testing.TB) *Schemas { return loaded(tb, loadSubset) }

// realSchemas returns the full, real schemas.
func realSchemas(tb testing.TB) *Schemas { return loaded(tb, loadFull) }

func loaded(tb testing.TB, load func() (*Schemas, error)) *Schemas {
	tb.Helper()
	s, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestSubsetMatchesFullSchema(t *testing.T) {
	data, err := ReadFile(fullSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var full struct {
		FormatVersion   string                                `json:"format_version"`
		ProviderSchemas map[string]map[string]json.RawMessage `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &full); err != nil {
		t.Fatal(err)
	}
	subset := map[string]any{"format_version": full.FormatVersion}
	providers := map[string]any{}
	for source, sections := range subsetEntries {
		ps, ok := full.ProviderSchemas[source]
		if !ok {
			t.Fatalf("%s not in %s", source, fullSchemaFile)
		}
		out := map[string]any{"provider": ps["provider"], "functions": ps["functions"]}
		for section, names := range sections {
			var all map[string]json.RawMessage
			if err := json.Unmarshal(ps[section], &all); err != nil {
				t.Fatalf("%s %s: %v", source, section, err)
			}
			picked := map[string]json.RawMessage{}
			for _, n := range names {
				if all[n] == nil {
					t.Fatalf("%s %s: no %s", source, section, n)
				}
				picked[n] = all[n]
			}
			out[section] = picked
		}
		providers[source] = out
	}
	subset["provider_schemas"] = providers
	want, err := json.MarshalIndent(subset, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *updateSubset {
		if err := os.WriteFile(subsetFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(subsetFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with %s: run go test -run TestSubsetMatchesFullSchema -update-subset", subsetFile, fullSchemaFile)
	}
}

// TestFullSchemaValidStack validates the valid fixture against the full
// schema file.
func TestFullSchemaValidStack(t *testing.T) {
	s := realSchemas(t)
	for _, src := range []string{"hashicorp/kubernetes", "hashicorp/helm"} {
		if _, ok := s.provider(src); !ok {
			t.Errorf("no schema for %s", src)
		}
	}
	if errs := s.Validate("ollama", readFixture(t)); len(errs) != 0 {
		t.Errorf("valid stack: %d errors:\n%s", len(errs), formatErrors(errs))
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path string
	}{
		{"missing file", filepath.Join(dir, "nope.json")},
		{"not json", write("bad.json", "{")},
		{"unsupported format", write("v9.json", `{"format_version":"9.0","provider_schemas":{}}`)},
		{"no provider config", write("noprov.json", `{"format_version":"1.0","provider_schemas":{"hashicorp/x":{}}}`)},
		{"bad source", write("badsrc.json", `{"format_version":"1.0","provider_schemas":{"a/b/c/d":{"provider":{"block":{}}}}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(tt.path); err == nil {
				t.Fatal("Load succeeded, want error")
			}
		})
	}
}

func TestNormalizeSource(t *testing.T) {
	tests := map[string]string{
		"kubernetes":                           "registry.terraform.io/hashicorp/kubernetes",
		"hashicorp/helm":                       "registry.terraform.io/hashicorp/helm",
		"Registry.Terraform.io/HashiCorp/Helm": "registry.terraform.io/hashicorp/helm",
	}
	for in, want := range tests {
		got, err := normalizeSource(in)
		if err != nil || got != want {
			t.Errorf("normalizeSource(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a//b", "a/b/c/d"} {
		if _, err := normalizeSource(bad); err == nil {
			t.Errorf("normalizeSource(%q) succeeded, want error", bad)
		}
	}
}

// TestFullSchemaEveryType validates, against the full schema file, a stack
// that uses every resource, data source and ephemeral resource type with
// every settable attribute set (from a variable, or to a literal of its type)
// and every block present. It must produce no errors: a false positive on any
// real schema shape shows up here.
func TestFullSchemaEveryType(t *testing.T) {
	s := realSchemas(t)
	for _, literal := range []bool{false, true} {
		t.Run(fmt.Sprintf("literal=%v", literal), func(t *testing.T) { testEveryType(t, s, literal) })
	}
}

func testEveryType(t *testing.T, s *Schemas, literal bool) {
	stack := map[string]any{
		"terraform": map[string]any{"required_providers": map[string]any{
			"kubernetes": map[string]any{"source": "hashicorp/kubernetes", "version": "2.38.0"},
			"helm":       map[string]any{"source": "hashicorp/helm", "version": "3.1.1"},
		}},
		"variable": map[string]any{"any": map[string]any{}},
		"provider": map[string]any{},
	}
	sections := map[string]map[string]any{"resource": {}, "data": {}, "ephemeral": {}}
	count := 0
	for local, src := range map[string]string{"kubernetes": "hashicorp/kubernetes", "helm": "hashicorp/helm"} {
		ps, _ := s.provider(src)
		stack["provider"].(map[string]any)[local] = []any{fullBody(ps.ConfigSchema.Block, 0, literal)}
		for kind, schemas := range map[string]map[string]*tfjson.Schema{
			"resource": ps.ResourceSchemas, "data": ps.DataSourceSchemas, "ephemeral": ps.EphemeralResourceSchemas,
		} {
			for typ, schema := range schemas {
				sections[kind][typ] = map[string]any{"all": fullBody(schema.Block, 0, literal)}
				count++
			}
		}
	}
	for kind, types := range sections {
		stack[kind] = types
	}
	data, err := json.Marshal(stack)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d types, %d bytes of JSON", count, len(data))
	if errs := s.Validate("every-type", data); len(errs) != 0 {
		t.Fatalf("%d errors:\n%s", len(errs), formatErrors(errs))
	}
}

// fullBody sets every settable attribute of blk to "${var.any}" or to a
// literal of its type, and writes every block (as many times as min_items
// requires).
func fullBody(blk *tfjson.SchemaBlock, depth int, literal bool) map[string]any {
	body := map[string]any{}
	for name, attr := range blk.Attributes {
		if !attr.Optional && !attr.Required {
			continue
		}
		switch {
		case !literal:
			body[name] = "${var.any}"
		case attr.AttributeNestedType != nil:
			body[name] = nestedLiteral(attr.AttributeNestedType)
		default:
			body[name] = literalOf(attr.AttributeType)
		}
	}
	if depth > 12 {
		return body
	}
	for name, bt := range blk.NestedBlocks {
		inner := fullBody(bt.Block, depth+1, literal)
		switch bt.NestingMode {
		case tfjson.SchemaNestingModeMap:
			body[name] = map[string]any{"label": inner}
		case tfjson.SchemaNestingModeList, tfjson.SchemaNestingModeSet:
			items := []any{inner}
			for uint64(len(items)) < bt.MinItems {
				items = append(items, inner)
			}
			body[name] = items
		default:
			body[name] = inner
		}
	}
	return body
}

// nestedLiteral is a JSON value for a nested attribute type.
func nestedLiteral(nt *tfjson.SchemaNestedAttributeType) any {
	obj := map[string]any{}
	for name, a := range nt.Attributes {
		if !a.Optional && !a.Required {
			continue
		}
		if a.AttributeNestedType != nil {
			obj[name] = nestedLiteral(a.AttributeNestedType)
		} else {
			obj[name] = literalOf(a.AttributeType)
		}
	}
	switch nt.NestingMode {
	case tfjson.SchemaNestingModeList, tfjson.SchemaNestingModeSet:
		return []any{obj}
	case tfjson.SchemaNestingModeMap:
		return map[string]any{"k": obj}
	default:
		return obj
	}
}

// literalOf is a JSON value of type ty.
func literalOf(ty cty.Type) any {
	switch {
	case ty == cty.String || ty == cty.DynamicPseudoType:
		return "x"
	case ty == cty.Number:
		return 1
	case ty == cty.Bool:
		return true
	case ty.IsListType() || ty.IsSetType():
		return []any{literalOf(ty.ElementType())}
	case ty.IsMapType():
		return map[string]any{"k": literalOf(ty.ElementType())}
	case ty.IsObjectType():
		obj := map[string]any{}
		for name, aty := range ty.AttributeTypes() {
			obj[name] = literalOf(aty)
		}
		return obj
	case ty.IsTupleType():
		var out []any
		for _, ety := range ty.TupleElementTypes() {
			out = append(out, literalOf(ety))
		}
		return out
	}
	return nil
}
