package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/llm-platform/cdktf-llm/config"
)

// Terraform needs a value for every root variable without a default in
// every plan, a destroy's too (hashicorp/terraform#23552, open since 2019),
// and with -input=false a missing one is an error. The base stack's secrets
// have no default: they are write-only, read only by the Secrets' data_wo,
// which Terraform sends to the provider when it creates or updates a
// Secret, and never stores. A destroy deletes the Secrets and writes
// nothing; a drift plan is never applied (and deleted). So drift and
// destroy fill each secret that is not given (TF_VAR_<name> or
// secrets/<env>.tfvars) with a placeholder that passes the variable's
// validation: they need no secret and never ask for one. deploy, which
// writes them, never gets placeholders and refuses to start without the
// real values.

// required lists env's root variables without a default, by stack.
func (o ops) required(env string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, stack := range stacks(env) {
		file := filepath.Join(o.stackDir(stack), "cdk.tf.json")
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", stack, err)
		}
		var doc struct {
			Variable map[string]map[string]json.RawMessage `json:"variable"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		for name, v := range doc.Variable {
			if _, ok := v["default"]; !ok {
				out[stack] = append(out[stack], name)
			}
		}
		sort.Strings(out[stack])
	}
	return out, nil
}

// given reports whether a variable has a value: TF_VAR_<name> is set, or
// secrets/<env>.tfvars assigns it.
func (o ops) given(env string) (func(name string) bool, error) {
	inFile := map[string]bool{}
	path := filepath.Join(o.root, "secrets", env+".tfvars")
	if data, err := os.ReadFile(path); err == nil {
		f, diags := hclparse.NewParser().ParseHCL(data, path)
		if diags.HasErrors() {
			return nil, fmt.Errorf("reading %s: %s", path, diags.Error())
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			return nil, fmt.Errorf("reading %s: %s", path, diags.Error())
		}
		for name := range attrs {
			inFile[name] = true
		}
	}
	lookup := o.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return func(name string) bool {
		v, ok := lookup("TF_VAR_" + name)
		return (ok && v != "") || inFile[name]
	}, nil
}

// missing lists env's variables without a default and without a value.
func (o ops) missing(env string) ([]string, error) {
	req, err := o.required(env)
	if err != nil {
		return nil, err
	}
	given, err := o.given(env)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, stack := range stacks(env) {
		for _, name := range req[stack] {
			if !given(name) && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// placeholders are TF_VAR_<name>=<placeholder> for env's secrets that have
// no value, for the Terraform calls that write none (drift, destroy). A
// variable without a default that is not a secret cannot be filled in.
func (o ops) placeholders(env string) ([]string, error) {
	missing, err := o.missing(env)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range missing {
		s, ok := secret(name)
		if !ok {
			return nil, fmt.Errorf("variable %s of the %s stacks has no default and no value; export TF_VAR_%s or set it in secrets/%s.tfvars", name, env, name, env)
		}
		v, err := placeholder(s.Pattern)
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", name, err)
		}
		out = append(out, "TF_VAR_"+name+"="+v)
	}
	return out, nil
}

// needSecrets refuses a deploy that lacks one of env's secrets, before
// Terraform would stop for it, naming each with the command that makes one.
func (o ops) needSecrets(env string) error {
	missing, err := o.missing(env)
	if err != nil || len(missing) == 0 {
		return err
	}
	var lines []string
	for _, name := range missing {
		if s, ok := secret(name); ok {
			lines = append(lines, fmt.Sprintf("  export TF_VAR_%s=$(%s)", name, s.Make))
		} else {
			lines = append(lines, fmt.Sprintf("  export TF_VAR_%s=…", name))
		}
	}
	return fmt.Errorf("not deploying %s: no value for %s (neither TF_VAR_… nor secrets/%s.tfvars); set them, e.g.\n%s\nor copy examples/secrets.tfvars.example to secrets/%s.tfvars",
		env, strings.Join(missing, ", "), env, strings.Join(lines, "\n"), env)
}

func secret(name string) (config.Secret, bool) {
	for _, s := range config.AllSecrets() {
		if s.Variable == name {
			return s, true
		}
	}
	return config.Secret{}, false
}

// placeholder is the shortest plain value a secret's pattern accepts:
// ^[0-9a-fA-F]{32}$ gives 32 zeros, ^.{16,}$ 16 x's.
func placeholder(pattern string) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("pattern %q: %w", pattern, err)
	}
	var b strings.Builder
	var gen func(re *syntax.Regexp)
	gen = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			if len(re.Rune) > 0 {
				b.WriteRune(re.Rune[0])
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('x')
		case syntax.OpCapture, syntax.OpPlus:
			gen(re.Sub[0])
		case syntax.OpRepeat:
			for i := 0; i < re.Min; i++ {
				gen(re.Sub[0])
			}
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				gen(sub)
			}
		case syntax.OpAlternate:
			gen(re.Sub[0])
		}
	}
	gen(re.Simplify())
	v := b.String()
	if ok, _ := regexp.MatchString(pattern, v); !ok {
		return "", fmt.Errorf("no placeholder found for pattern %q", pattern)
	}
	return v, nil
}
