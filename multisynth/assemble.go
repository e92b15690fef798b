package multisynth

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/llm-platform/cdktf-llm/synthstamp"
)

// assemble makes dir the output folder of the environments names: each
// one's stacks and manifests come from the folder from[name], and
// manifest.json is made of their entries. A worker's folder must list
// exactly its environments' stacks; its files are moved. The current
// output folder (current), whose unchanged environments are reused, is
// linked from and stays as it is until it is replaced.
func assemble(dir string, names []string, from map[string]string, current string) error {
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	stacksOf := map[string]int{}
	for _, n := range names {
		stacksOf[from[n]] += 2
	}
	manifests := map[string]manifest{}
	parts := make([]manifest, 0, len(names))
	for _, n := range names {
		src := from[n]
		m, ok := manifests[src]
		if !ok {
			file := filepath.Join(src, synthstamp.ManifestFile)
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			if m, err = parseManifest(data); err != nil {
				return fmt.Errorf("synth: %s: %w", file, err)
			}
			if src != current && len(m.entries) != stacksOf[src] {
				return fmt.Errorf("synth: %s lists %d stacks, not the %d of its environments", file, len(m.entries), stacksOf[src])
			}
			manifests[src] = m
		}
		part, err := m.only([]string{"base-" + n, "apps-" + n})
		if err != nil {
			return err
		}
		parts = append(parts, part)
		for _, rel := range synthstamp.StackDirs(n) {
			if err := place(filepath.Join(src, rel), filepath.Join(dir, rel), src != current); err != nil {
				return err
			}
		}
	}
	data, err := joinManifests(parts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, synthstamp.ManifestFile), data, 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// place puts the folder src at dst: moved, or linked file by file (copied
// where links are refused). A stack folder must be there; a manifests
// folder may be missing (an environment without releases).
func place(src, dst string, move bool) error {
	if _, err := os.Stat(src); err != nil {
		if errors.Is(err, os.ErrNotExist) && filepath.Base(filepath.Dir(src)) == "manifests" {
			return nil
		}
		return fmt.Errorf("synth: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if move {
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		return nil
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if os.Link(p, target) == nil {
			return nil
		}
		return copyFile(p, target)
	})
	if err != nil {
		return fmt.Errorf("synth: reusing %s: %w", src, err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}
