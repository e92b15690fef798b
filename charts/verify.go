package charts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/llm-platform/cdktf-llm/chartlock"
)

// maxChartfile bounds the Chart.yaml read by the cheap check of a cached archive.
const maxChartfile = 1 << 20

// verifyArchive loads the archive data, which came from origin, in full and
// checks that it is the chart r.
func verifyArchive(data []byte, r Ref, origin string) (*chart.Chart, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("archive %s for chart %s is not a loadable chart: %w", origin, r, err)
	}
	if err := match(ch.Metadata, r, origin); err != nil {
		return nil, err
	}
	return ch, nil
}

// verifyCached checks the cached archive at path, returning its digest: in
// full, returning the loaded chart, when full is set; else only its
// Chart.yaml name and version. With locked set, its bytes must be the locked
// ones (a *chartlock.MismatchError otherwise). A missing archive is an error
// that matches os.ErrNotExist.
func verifyCached(path string, r Ref, full bool, locked *chartlock.Entry) (string, *chart.Chart, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	if locked != nil {
		if err := locked.Verify(data, path); err != nil {
			return "", nil, err
		}
	}
	digest := chartlock.Digest(data)
	if full {
		ch, err := loader.LoadArchive(bytes.NewReader(data))
		if err != nil {
			return "", nil, fmt.Errorf("cached archive %s for chart %s is not a loadable chart: %w", path, r, err)
		}
		return digest, ch, match(ch.Metadata, r, path)
	}
	md, err := readChartfile(bytes.NewReader(data))
	if err != nil {
		return "", nil, fmt.Errorf("cached archive %s for chart %s: %w", path, r, err)
	}
	return digest, nil, match(md, r, path)
}

// match checks that md, read from origin, is the chart r.
func match(md *chart.Metadata, r Ref, origin string) error {
	if md == nil {
		return fmt.Errorf("archive %s for chart %s has no Chart.yaml", origin, r)
	}
	if md.Name != r.Name || md.Version != r.Version {
		return fmt.Errorf("archive %s holds chart %s version %s, not the wanted chart %s version %s",
			origin, md.Name, md.Version, r.Name, r.Version)
	}
	return nil
}

// readChartfile reads the top-level Chart.yaml of a chart archive, without
// unpacking the rest of it (helm package writes it first).
func readChartfile(archive io.Reader) (*chart.Metadata, error) {
	zr, err := gzip.NewReader(archive)
	if err != nil {
		return nil, fmt.Errorf("not a gzipped archive: %w", err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no Chart.yaml in the archive")
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %w", err)
		}
		parts := strings.Split(strings.TrimPrefix(h.Name, "./"), "/")
		if h.Typeflag != tar.TypeReg || len(parts) != 2 || parts[1] != "Chart.yaml" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxChartfile))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", h.Name, err)
		}
		ch, err := loader.LoadFiles([]*loader.BufferedFile{{Name: "Chart.yaml", Data: data}})
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", h.Name, err)
		}
		return ch.Metadata, nil
	}
}
