package hclexport

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// demo is a provider for the tests: a configuration with a plain and a
// nested attribute, and demo_thing with every shape hclexport meets in the
// real stacks: maps, lists, a write-only map, a nested attribute (helm 3's
// set), and single, list and empty nested blocks.
type demo struct{}

func (demo) Block(source, kind, typ string) (*tfjson.SchemaBlock, bool) {
	if source != "demo" && source != "acme/demo" {
		return nil, false
	}
	str := &tfjson.SchemaAttribute{AttributeType: cty.String, Optional: true}
	switch {
	case kind == "provider":
		return &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{
			"config_path": str,
			"kubernetes":  {Optional: true, AttributeNestedType: &tfjson.SchemaNestedAttributeType{NestingMode: tfjson.SchemaNestingModeSingle, Attributes: map[string]*tfjson.SchemaAttribute{"config_path": str}}},
		}}, true
	case typ == "demo_thing" || typ == "demo_other":
		selector := &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"match_labels": {AttributeType: cty.Map(cty.String), Optional: true}}}
		return &tfjson.SchemaBlock{
			Attributes: map[string]*tfjson.SchemaAttribute{
				"name":     str,
				"timeout":  {AttributeType: cty.Number, Optional: true},
				"enabled":  {AttributeType: cty.Bool, Optional: true},
				"labels":   {AttributeType: cty.Map(cty.String), Optional: true},
				"values":   {AttributeType: cty.List(cty.String), Optional: true},
				"data_wo":  {AttributeType: cty.Map(cty.String), Optional: true, WriteOnly: true},
				"text":     str,
				"set":      {Optional: true, AttributeNestedType: &tfjson.SchemaNestedAttributeType{NestingMode: tfjson.SchemaNestingModeList, Attributes: map[string]*tfjson.SchemaAttribute{"name": str, "value": str}}},
				"id":       {AttributeType: cty.String, Computed: true},
				"revision": {AttributeType: cty.Number, Computed: true},
			},
			NestedBlocks: map[string]*tfjson.SchemaBlockType{
				"metadata": {NestingMode: tfjson.SchemaNestingModeList, MaxItems: 1, Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"name": str, "namespace": str}}},
				"rule":     {NestingMode: tfjson.SchemaNestingModeList, Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"verbs": {AttributeType: cty.List(cty.String), Optional: true}}}},
				"selector": {NestingMode: tfjson.SchemaNestingModeList, MaxItems: 1, Block: selector},
			},
		}, true
	}
	return nil, false
}

// stackJSON wraps resource bodies in a stack with the demo provider.
func stackJSON(resources string) string {
	return `{"//": {"metadata": {"stackName": "s"}},
"terraform": {"required_providers": {"demo": {"source": "acme/demo", "version": "1.0.0"}}, "required_version": ">= 1.11.0",
  "backend": {"local": {"path": "../s.tfstate"}}},
"provider": {"demo": [{"config_path": "${var.path}"}]},
"variable": {"path": {"type": "string", "default": "~/.kube/config", "description": "Where."}},
"resource": {"demo_thing": {` + resources + `}}}`
}

func export(t *testing.T, src string) Module {
	t.Helper()
	m, err := Export(Config{Stack: "s", JSON: []byte(src), Schemas: demo{}})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return m
}

func TestExport(t *testing.T) {
	tests := []struct {
		name, resources string
		want            []string // lines (or line sequences) of main.tf
	}{
		{"interpolation only is the expression",
			`"a": {"name": "${var.path}"}`, []string{`  name = var.path`}},
		{"a template stays a template",
			`"a": {"name": "mongodb://u:${var.path}@h:27017/db"}`, []string{`  name = "mongodb://u:${var.path}@h:27017/db"`}},
		{"quotes and backslashes inside interpolations",
			`"a": {"name": "x-${replace(var.path, \"\\\\\", \"/\")}-\"q\""}`, []string{`  name = "x-${replace(var.path, "\\", "/")}-\"q\""`}},
		{"an escaped interpolation stays text",
			`"a": {"name": "literal $${not.a.ref}"}`, []string{`  name = "literal $${not.a.ref}"`}},
		{"numbers, bools, null",
			`"a": {"timeout": 600, "enabled": true, "text": null}`, []string{`  enabled = true`, `  text    = null`, `  timeout = 600`}},
		{"several lines are an indented heredoc; blank lines stay blank",
			`"a": {"values": ["a:\n  b: ${var.path}\n\nc: 1\n"]}`,
			[]string{"  values = [\n    <<-EOT\n    a:\n      b: ${var.path}\n\n    c: 1\n    EOT\n  ]"}},
		{"a heredoc as an argument's value",
			`"a": {"text": "one\ntwo\n"}`, []string{"  text = <<-EOT\n    one\n    two\n  EOT"}},
		{"text whose every line is indented stays quoted (a heredoc would strip it)",
			`"a": {"text": "  one\n  two\n"}`, []string{`  text = "  one\n  two\n"`}},
		{"text without a final newline stays quoted",
			`"a": {"text": "one\ntwo"}`, []string{`  text = "one\ntwo"`}},
		{"a line equal to the marker gets another marker",
			`"a": {"text": "x\nEOT\n"}`, []string{"  text = <<-EOT_\n    x\n    EOT\n  EOT_"}},
		{"map keys: names bare, others quoted",
			`"a": {"labels": {"app.kubernetes.io/name": "x", "plain": "y", "true": "z"}}`,
			[]string{`    "app.kubernetes.io/name" = "x"`, `    plain                    = "y"`, `    "true"                   = "z"`}},
		{"nested attribute list (helm 3's set) is an argument",
			`"a": {"set": [{"name": "k", "value": "v"}]}`, []string{"  set = [\n    {\n      name  = \"k\"\n      value = \"v\"\n    }\n  ]"}},
		{"blocks: single, list, empty",
			`"a": {"metadata": {"name": "n"}, "rule": [{"verbs": ["get"]}, {"verbs": ["list"]}], "selector": {}}`,
			[]string{"  metadata {\n    name = \"n\"\n  }", "  rule {\n    verbs = [\"get\"]\n  }\n\n  rule {\n    verbs = [\"list\"]\n  }", "  selector {}"}},
		{"meta-arguments first, depends_on and lifecycle last",
			`"a": {"name": "a"}, "b": {"timeout": 1, "name": "b", "count": 2, "depends_on": ["demo_thing.a"], "lifecycle": {"ignore_changes": ["labels"], "prevent_destroy": true}}`,
			[]string{"resource \"demo_thing\" \"b\" {\n  count   = 2\n  name    = \"b\"\n  timeout = 1\n\n  depends_on = [demo_thing.a]\n\n  lifecycle {\n    ignore_changes  = [labels]\n    prevent_destroy = true\n  }\n}"}},
		{"what a resource refers to comes first",
			`"a": {"name": "${demo_thing.z.id}"}, "z": {"name": "z"}`,
			[]string{"resource \"demo_thing\" \"z\" {\n  name = \"z\"\n}\n\nresource \"demo_thing\" \"a\" {"}},
		{"write-only map",
			`"a": {"data_wo": {"KEY": "${var.path}"}}`, []string{"  data_wo = {\n    KEY = var.path\n  }"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := export(t, stackJSON(tc.resources))
			main := string(m[MainFile])
			for _, w := range tc.want {
				if !strings.Contains(main, w) {
					t.Errorf("main.tf lacks\n%s\nin\n%s", w, main)
				}
			}
			for name, data := range m {
				if f := hclwrite.Format(data); string(f) != string(data) {
					t.Errorf("%s is not as terraform fmt writes it:\n%s", name, data)
				}
			}
		})
	}
}

func TestExportFiles(t *testing.T) {
	m := export(t, stackJSON(`"a": {"name": "a"}`))
	if got := strings.Join(m.names(), " "); got != "versions.tf providers.tf variables.tf main.tf" {
		t.Errorf("files %s; want versions.tf providers.tf variables.tf main.tf (no outputs.tf: nothing to hold)", got)
	}
	for file, want := range map[string]string{
		VersionsFile:  "terraform {\n  required_version = \">= 1.11.0\"\n\n  required_providers {\n    demo = {\n      source  = \"acme/demo\"\n      version = \"1.0.0\"\n    }\n  }\n\n  backend \"local\" {\n    path = \"../s.tfstate\"\n  }\n}\n",
		ProvidersFile: "provider \"demo\" {\n  config_path = var.path\n}\n",
		VariablesFile: "variable \"path\" {\n  type        = string\n  description = \"Where.\"\n  default     = \"~/.kube/config\"\n}\n",
	} {
		if !strings.HasSuffix(string(m[file]), want) {
			t.Errorf("%s:\n%s\nwant it to end with\n%s", file, m[file], want)
		}
		if !strings.HasPrefix(string(m[file]), "# s: written by hclexport") {
			t.Errorf("%s has no header", file)
		}
	}
}

func TestExportRefuses(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"a block hclexport does not write", `{"module": {"m": {"source": "./m"}}}`, "module.m: hclexport does not export this kind of block"},
		{"a resource type without a schema", stackJSON(`"a": {}`)[:0] + `{"resource": {"demo_nope": {"a": {}}}}`, "resource demo_nope.a: demo does not provide this type"},
		{"an argument the schema lacks", stackJSON(`"a": {"colour": "red"}`), `No argument or block type is named "colour"`},
		{"a templated object key", stackJSON(`"a": {"labels": {"${var.path}": "x"}}`), "is a template"},
		{"no schemas", "{}", "Schemas is nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Stack: "s", JSON: []byte(tc.json), Schemas: demo{}}
			if tc.name == "no schemas" {
				c.Schemas = nil
			}
			_, err := Export(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v; want an error with %q", err, tc.want)
			}
		})
	}
}

// TestVerifyFindsEveryDifference changes an exported module in each way a
// value can be lost and checks that Verify names it.
func TestVerifyFindsEveryDifference(t *testing.T) {
	src := stackJSON(`"a": {"name": "n", "timeout": 600, "labels": {"k": "v"}, "values": ["a:\n  b: ${var.path}\n"],
"metadata": {"name": "m"}, "rule": [{"verbs": ["get"]}, {"verbs": ["list"]}], "depends_on": ["demo_thing.b"]}, "b": {"name": "${var.path}"}`)
	m := export(t, src)
	if err := Verify(Config{Stack: "s", JSON: []byte(src), Schemas: demo{}}, m); err != nil {
		t.Fatalf("the export does not verify: %v", err)
	}
	tests := []struct{ name, file, old, new, want string }{
		{"a value changed", MainFile, "timeout = 600", "timeout = 601", `resource.demo_thing.a.timeout: the JSON has number 600, the HCL number 601`},
		{"a type changed", MainFile, "timeout = 600", `timeout = "600"`, `resource.demo_thing.a.timeout: the JSON has number 600, the HCL string "600"`},
		{"an argument dropped", MainFile, "  timeout = 600\n", "", "resource.demo_thing.a.timeout: missing from the HCL"},
		{"an argument added", MainFile, "  timeout = 600\n", "  timeout = 600\n  text = \"x\"\n", "resource.demo_thing.a.text: in the HCL, not in the JSON"},
		{"a heredoc line changed", MainFile, "  b: ${var.path}", "  b: ${var.other}", `resource.demo_thing.a.values`},
		{"a reference changed", MainFile, `name = var.path`, `name = var.other`, `resource.demo_thing.b.name: the JSON has ref(var.path), the HCL ref(var.other)`},
		{"a reference became text", MainFile, `name = var.path`, `name = "var.path"`, `resource.demo_thing.b.name`},
		{"a map entry changed", MainFile, `k = "v"`, `k = "w"`, `resource.demo_thing.a.labels`},
		{"a depends_on dropped", MainFile, "[demo_thing.b]", "[]", "resource.demo_thing.a.depends_on: the JSON has refs(demo_thing.b), the HCL refs()"},
		{"a nested block dropped", MainFile, "  rule {\n    verbs = [\"list\"]\n  }\n", "", "resource.demo_thing.a.rule[1]: block missing from the HCL"},
		{"nested blocks swapped", MainFile, `verbs = ["get"]`, `verbs = ["list", "get"]`, "resource.demo_thing.a.rule[0].verbs"},
		{"a variable's default changed", VariablesFile, `"~/.kube/config"`, `"~/.kube/other"`, "variable.path.default: the JSON has string \"~/.kube/config\", the HCL string \"~/.kube/other\""},
		{"the backend changed", VersionsFile, `"../s.tfstate"`, `"s.tfstate"`, "terraform.backend.local[0].path"},
		{"a provider dropped", ProvidersFile, "provider \"demo\" {\n  config_path = var.path\n}\n", "", "provider.demo: block missing from the HCL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			changed := Module{}
			for k, v := range m {
				changed[k] = v
			}
			if !strings.Contains(string(m[tc.file]), tc.old) {
				t.Fatalf("%s lacks %q:\n%s", tc.file, tc.old, m[tc.file])
			}
			changed[tc.file] = []byte(strings.Replace(string(m[tc.file]), tc.old, tc.new, 1))
			err := Verify(Config{Stack: "s", JSON: []byte(src), Schemas: demo{}}, changed)
			var mm *Mismatch
			if !errors.As(err, &mm) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify: %v\nwant a Mismatch naming %q", err, tc.want)
			}
		})
	}
}

func TestConstructs(t *testing.T) {
	src := stackJSON(`"a": {"name": "${trimspace(var.path)}", "data_wo": {"K": "${var.path}"}, "depends_on": ["demo_thing.b"], "lifecycle": {"ignore_changes": ["labels"]}}, "b": {"name": "${terraform.workspace}"}`)
	m := export(t, src)
	got, err := Constructs(Config{Stack: "s", JSON: []byte(src), Schemas: demo{}}, m)
	if err != nil {
		t.Fatal(err)
	}
	want := "function trimspace provider resource resource.depends_on resource.lifecycle resource.lifecycle.ignore_changes " +
		"terraform terraform.backend.local terraform.required_providers terraform.required_version terraform.workspace " +
		"variable variable.default variable.description variable.type write-only argument"
	if strings.Join(got, " ") != want {
		t.Errorf("constructs\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if np := NotPortable(append(got, "terraform.applying", "function ephemeralasnull")); strings.Join(np, " ") != "function ephemeralasnull terraform.applying" {
		t.Errorf("NotPortable = %v; want the two Terraform-only constructs", np)
	}
}

func TestConvertOutdir(t *testing.T) {
	setup := func(t *testing.T, stacks map[string]string) string {
		t.Helper()
		dir := t.TempDir()
		var entries []string
		for name, src := range stacks {
			if err := os.MkdirAll(filepath.Join(dir, "stacks", name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "stacks", name, "cdk.tf.json"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			entries = append(entries, fmt.Sprintf(`%q: {"name": %q, "dependencies": [], "workingDirectory": "stacks/%s",
"synthesizedStackPath": "stacks/%s/cdk.tf.json", "stackMetadataPath": "stacks/%s/metadata.json"}`, name, name, name, name, name))
		}
		manifest := `{"version": "0.21.0", "stacks": {` + strings.Join(entries, ",") + `}}`
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("every stack becomes a module", func(t *testing.T) {
		dir := setup(t, map[string]string{"s": stackJSON(`"a": {"name": "a"}`)})
		if err := ConvertOutdir(dir, demo{}); err != nil {
			t.Fatal(err)
		}
		files, _ := os.ReadDir(filepath.Join(dir, "stacks", "s"))
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		if got := strings.Join(names, " "); got != "main.tf metadata.json providers.tf variables.tf versions.tf" {
			t.Errorf("stacks/s holds %s; want the .tf files and metadata.json, no cdk.tf.json", got)
		}
		var meta map[string]any
		data, _ := os.ReadFile(filepath.Join(dir, "stacks", "s", MetadataFile))
		if err := json.Unmarshal(data, &meta); err != nil || meta["//"] == nil || meta["terraform"] == nil || len(meta) != 2 {
			t.Errorf("metadata.json = %s (%v); want the JSON's // and terraform", data, err)
		}
		manifest, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if !strings.Contains(string(manifest), `"synthesizedStackPath": "stacks/s/main.tf"`) {
			t.Errorf("manifest.json does not point the CLI at main.tf:\n%s", manifest)
		}
	})
	t.Run("a stack that fails leaves every stack as it was", func(t *testing.T) {
		dir := setup(t, map[string]string{"good": stackJSON(`"a": {"name": "a"}`), "z-bad": stackJSON(`"a": {"colour": "red"}`)})
		err := ConvertOutdir(dir, demo{})
		if err == nil || !strings.Contains(err.Error(), "z-bad") {
			t.Fatalf("got %v; want the bad stack named", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "stacks", "good", "cdk.tf.json")); err != nil {
			t.Errorf("the good stack was converted although another failed: %v", err)
		}
	})
}
