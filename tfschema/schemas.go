package tfschema

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// defaultRegistry is the host Terraform assumes for a source address that
// names no host, as in "hashicorp/kubernetes".
const defaultRegistry = "registry.terraform.io"

// Schemas holds real provider schemas, as written by
// `terraform providers schema -json`. They are stored by fully qualified
// source address; a stack's terraform.required_providers maps its provider
// local names ("kubernetes", "helm") to those addresses.
type Schemas struct {
	providers map[string]*tfjson.ProviderSchema
}

// ReadFile returns the JSON of a `terraform providers schema -json` file,
// decompressed when the name ends in .gz.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load provider schemas: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("load provider schemas from %s: %w", path, err)
		}
		r = gz
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("load provider schemas from %s: %w", path, err)
	}
	return data, nil
}

// Load reads the output of `terraform providers schema -json` from path,
// gzip-compressed when the name ends in .gz.
func Load(path string) (*Schemas, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ps tfjson.ProviderSchemas
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("load provider schemas from %s: %w", path, err)
	}
	s := &Schemas{providers: make(map[string]*tfjson.ProviderSchema, len(ps.Schemas))}
	for source, schema := range ps.Schemas {
		addr, err := normalizeSource(source)
		if err != nil {
			return nil, fmt.Errorf("load provider schemas from %s: %w", path, err)
		}
		if schema == nil || schema.ConfigSchema == nil || schema.ConfigSchema.Block == nil {
			return nil, fmt.Errorf("load provider schemas from %s: provider %s has no configuration schema", path, source)
		}
		s.providers[addr] = schema
	}
	return s, nil
}

// provider returns the schema for a source address in any of the forms
// Terraform accepts ("kubernetes", "hashicorp/kubernetes",
// "registry.terraform.io/hashicorp/kubernetes").
func (s *Schemas) provider(source string) (*tfjson.ProviderSchema, bool) {
	addr, err := normalizeSource(source)
	if err != nil {
		return nil, false
	}
	p, ok := s.providers[addr]
	return p, ok
}

// normalizeSource turns a provider source address into its fully qualified,
// lower-case "host/namespace/type" form.
func normalizeSource(source string) (string, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(source)), "/")
	for _, p := range parts {
		if p == "" {
			return "", fmt.Errorf("invalid provider source address %q", source)
		}
	}
	switch len(parts) {
	case 1:
		return defaultRegistry + "/hashicorp/" + parts[0], nil
	case 2:
		return defaultRegistry + "/" + parts[0] + "/" + parts[1], nil
	case 3:
		return strings.Join(parts, "/"), nil
	default:
		return "", fmt.Errorf("invalid provider source address %q: want [HOST/]NAMESPACE/TYPE", source)
	}
}

// Block returns the schema of a provider's configuration (kind "provider";
// typ is ignored) or of one of its resource types (kind "resource", "data"
// or "ephemeral"), for a source address in any form Terraform accepts; the
// source of the built-in "terraform" provider is terraform.io/builtin/terraform.
func (s *Schemas) Block(source, kind, typ string) (*tfjson.SchemaBlock, bool) {
	ps, ok := s.provider(source)
	if addr, _ := normalizeSource(source); addr == builtinProviderSource {
		ps, ok = builtinProvider, true
	}
	if !ok {
		return nil, false
	}
	if kind == "provider" {
		return ps.ConfigSchema.Block, true // Load refuses a provider without one
	}
	sc, ok := typeSchemas(ps, kind)[typ]
	if !ok || sc.Block == nil {
		return nil, false
	}
	return sc.Block, true
}
