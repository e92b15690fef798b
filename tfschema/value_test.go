package tfschema

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestCheckValue pins the conversion rules documented in doc.go.
func TestCheckValue(t *testing.T) {
	objTy := cty.ObjectWithOptionalAttrs(map[string]cty.Type{
		"name": cty.String,
		"port": cty.Number,
	}, []string{"port"})
	tests := []struct {
		name string
		ty   cty.Type
		json string
		want string // substring of the only error, "" for none
	}{
		{"null", cty.String, `null`, ""},
		{"string", cty.String, `"x"`, ""},
		{"bool to string", cty.String, `false`, ""},
		{"integer to string", cty.String, `8080`, ""},
		{"negative decimal to string", cty.String, `-0.5`, ""},
		{"lossy decimal to string", cty.String, `1.50`, `would be converted to string "1.5"`},
		{"exponent to string", cty.String, `1e3`, `would be converted to string "1000"`},
		{"array to string", cty.String, `["x"]`, "string required, got array"},
		{"number", cty.Number, `1.5`, ""},
		{"numeric string", cty.Number, `"-12.5e2"`, ""},
		{"non-numeric string", cty.Number, `"12px"`, `number required, got string "12px"`},
		{"bool to number", cty.Number, `true`, "number required, got bool true"},
		{"bool", cty.Bool, `true`, ""},
		{"bool strings", cty.Bool, `"0"`, ""},
		{"capitalised bool string", cty.Bool, `"True"`, `bool required, got string "True"`},
		{"number to bool", cty.Bool, `0`, "bool required, got number 0"},
		{"wrap for bool", cty.Bool, `"${var.x > 1}"`, ""},
		{"mixed template for bool", cty.Bool, `"${var.x}${var.x}"`, ""},
		{"directive for number", cty.Number, `"%{ if var.x > 1 }1%{ else }2%{ endif }"`, ""},
		{"escaped interpolation for number", cty.Number, `"$${x}"`, `number required, got string "${x}"`},
		{"list", cty.List(cty.Number), `[1, "2", null]`, ""},
		{"list element", cty.List(cty.Number), `[1, "two"]`, `[1]: number required`},
		{"set from object", cty.Set(cty.String), `{"a": "b"}`, "set of string required, got object"},
		{"map", cty.Map(cty.Bool), `{"a": true, "${var.k}": "false"}`, ""},
		{"map from array", cty.Map(cty.String), `["a"]`, "map of string required"},
		{"tuple", cty.Tuple([]cty.Type{cty.String, cty.Number}), `["a", 1]`, ""},
		{"tuple length", cty.Tuple([]cty.Type{cty.String}), `["a", 1]`, "tuple of 1 elements required, got 2"},
		{"object with optional attribute", objTy, `{"name": "x"}`, ""},
		{"object missing attribute", objTy, `{"port": 1}`, `attribute "name" is required`},
		{"object extra attribute", objTy, `{"name": "x", "host": "y"}`, `unsupported attribute "host"`},
		{"mixed template for list", cty.List(cty.String), `"a-${var.x}"`, "always produces a string"},
		{"wrap for object", objTy, `"${var.obj}"`, ""},
		{"dynamic", cty.DynamicPseudoType, `{"a": [1, {"b": "${var.x}"}]}`, ""},
		{"dynamic with bad reference", cty.DynamicPseudoType, `{"a": ["${var.y}"]}`, `undeclared input variable "y"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestValidator()
			val, err := decodeJSON([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			v.checkValue(scope{addr: "test"}, "attr", val, tt.ty)
			switch {
			case tt.want == "" && len(v.errs) != 0:
				t.Fatalf("want no error, got %v", v.errs)
			case tt.want != "" && (len(v.errs) != 1 || !strings.Contains(v.errs[0].Error(), tt.want)):
				t.Fatalf("want one error containing %q, got %v", tt.want, v.errs)
			}
		})
	}
}

// newTestValidator returns a validator that knows var.x, var.k and var.obj.
func newTestValidator() *validator {
	v := newValidator(&Schemas{}, "test")
	for _, name := range []string{"x", "k", "obj"} {
		v.variables[name] = variableInfo{}
	}
	return v
}
