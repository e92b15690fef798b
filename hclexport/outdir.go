package hclexport

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// MetadataFile is what the cdktf CLI reads, in an HCL stack folder, instead
// of the stack's JSON: the JSON's "//" (cdktf's metadata and the outputs'
// construct IDs) and terraform block (required_providers, backend), as
// cdktf's own HCL synth writes it.
const MetadataFile = "metadata.json"

// ConvertOutdir replaces every stack of a cdktf output folder (manifest.json
// and stacks/<stack>/cdk.tf.json) by its module: the .tf files and
// MetadataFile, without cdk.tf.json, which Terraform would load beside them.
// The manifest's synthesizedStackPath then names the stack's main.tf, so
// that `cdktf deploy --skip-synth`, `cdktf diff` and `cdktf destroy` find
// the stacks as after cdktf's own `synth --hcl` (a path not ending in
// .tf.json makes the CLI read stackMetadataPath). Nothing is changed unless
// every stack exported and verified.
func ConvertOutdir(outdir string, schemas Schemas) error {
	manifestPath := filepath.Join(outdir, "manifest.json")
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		return fmt.Errorf("hclexport: %w", err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(data, &manifest); err != nil {
		return fmt.Errorf("hclexport: reading %s: %w", manifestPath, err)
	}
	stacks, _ := manifest["stacks"].(map[string]any)
	if len(stacks) == 0 {
		return fmt.Errorf("hclexport: %s lists no stacks", manifestPath)
	}
	type converted struct {
		entry    map[string]any
		dir      string
		module   Module
		metadata []byte
	}
	var todo []converted
	for _, name := range slices.Sorted(maps.Keys(stacks)) {
		entry, _ := stacks[name].(map[string]any)
		workdir, _ := entry["workingDirectory"].(string)
		synthesized, _ := entry["synthesizedStackPath"].(string)
		if workdir == "" || filepath.Base(synthesized) != "cdk.tf.json" {
			return fmt.Errorf("hclexport: %s: stack %s is not a JSON stack (synthesizedStackPath %q); synthesize JSON first", manifestPath, name, synthesized)
		}
		stackJSON, err := os.ReadFile(filepath.Join(outdir, synthesized))
		if err != nil {
			return fmt.Errorf("hclexport: stack %s: %w", name, err)
		}
		m, err := Export(Config{Stack: name, JSON: stackJSON, Schemas: schemas})
		if err != nil {
			return err
		}
		meta, err := metadata(stackJSON)
		if err != nil {
			return fmt.Errorf("hclexport: stack %s: %w", name, err)
		}
		todo = append(todo, converted{entry: entry, dir: filepath.Join(outdir, workdir), module: m, metadata: meta})
		entry["synthesizedStackPath"] = filepath.ToSlash(filepath.Join(workdir, MainFile))
	}
	for _, c := range todo {
		for name, content := range c.module {
			if err := os.WriteFile(filepath.Join(c.dir, name), content, 0o644); err != nil {
				return fmt.Errorf("hclexport: %w", err)
			}
		}
		if err := os.WriteFile(filepath.Join(c.dir, MetadataFile), c.metadata, 0o644); err != nil {
			return fmt.Errorf("hclexport: %w", err)
		}
		if err := os.Remove(filepath.Join(c.dir, "cdk.tf.json")); err != nil {
			return fmt.Errorf("hclexport: %w", err)
		}
	}
	out, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("hclexport: %w", err)
	}
	return os.WriteFile(manifestPath, append(out, '\n'), 0o644)
}

// metadata is MetadataFile's content for a stack's JSON.
func metadata(stackJSON []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(stackJSON, &doc); err != nil {
		return nil, err
	}
	meta := map[string]json.RawMessage{}
	for _, key := range []string{"//", "terraform"} {
		if v, ok := doc[key]; ok {
			meta[key] = v
		}
	}
	out, err := json.MarshalIndent(meta, "", "  ")
	return append(out, '\n'), err
}
