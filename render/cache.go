package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"helm.sh/helm/v3/pkg/chart/loader"
)

// format changes whenever what Render writes into a Rendered changes, so
// that no cached render of older code is used.
const format = "render/2"

// Cache renders releases from chart archives and keeps each result in Dir,
// named by a hash of everything that decides it: the archive's bytes, the
// release's name, namespace and values, the Kubernetes version and this
// package's format. Helm's rendering is a function of those, so a result
// found there is the one Render would return.
type Cache struct {
	// Dir holds the results; "" keeps none. It is created when first used.
	Dir string
}

type cached struct {
	Manifest string `json:"manifest"`
	// Objects are the manifest's objects as JSON (Rendered.objectJSON).
	Objects  []json.RawMessage `json:"objects"`
	Warnings []string          `json:"warnings,omitempty"`
}

// Render renders r with the chart archive at archive (loaded in any case:
// the check reads the chart's values and templates) for kubeVersion.
//
// On a hit, Rendered.Chart is the archive's chart as loaded, shared by
// every hit of the same archive in this process (see sharedChart): read it,
// never change it. A render loads a chart of its own, which Helm changes.
func (c Cache) Render(ctx context.Context, r Release, archive, kubeVersion string) (*Rendered, error) {
	data, err := os.ReadFile(archive)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", r.Address, err)
	}
	if kubeVersion == "" {
		kubeVersion = DefaultKubeVersion
	}
	key, err := c.key(r, data, kubeVersion)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(c.Dir, key+".json")
	if c.Dir != "" {
		if raw, err := os.ReadFile(file); err == nil {
			var hit cached
			if json.Unmarshal(raw, &hit) == nil {
				out, err := decodeManifest(r, hit.Manifest, hit.Objects)
				if err == nil {
					ch, err := sharedChart(data)
					if err != nil {
						return nil, fmt.Errorf("render %s: chart %s: %w", r.Address, archive, err)
					}
					out.Chart, out.Warnings = ch, hit.Warnings
					return out, nil
				}
			}
		}
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("render %s: chart %s: %w", r.Address, archive, err)
	}
	out, err := Render(ctx, r, ch, kubeVersion)
	if err == nil && c.Dir != "" {
		c.store(file, cached{Manifest: out.Manifest, Objects: out.objectJSON, Warnings: out.Warnings})
	}
	return out, err
}

func (c Cache) key(r Release, archive []byte, kubeVersion string) (string, error) {
	values, err := json.Marshal(r.Values)
	if err != nil {
		return "", fmt.Errorf("render %s: values: %w", r.Address, err)
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(format), archive, []byte(r.Name), []byte(r.Namespace), []byte(kubeVersion), values} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// store writes the result atomically. A cache that cannot be written only
// costs the next run a render, so its errors are dropped.
func (c Cache) store(file string, v cached) {
	raw, err := json.Marshal(v)
	if err != nil || os.MkdirAll(c.Dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(raw)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}
