// Command lock writes the chart lock, envs/charts.lock (package chartlock),
// from the environments in envs/, as `terraform providers lock` writes
// .terraform.lock.hcl:
//
//	go run ./cmd/lock [-check]
//
// Every chart some environment's apps stack installs (its repository, name
// and version) gets an entry with the sha256 of its archive, taken from the
// chart cache .charts/, $CHARTS_DIR, ../shared/charts or a pull, in that
// order (package charts); a chart from an OCI registry that is pulled also
// gets its manifest digest. An entry still in use is kept as it is, after
// its bytes, where they can be had, are compared with it: an archive with
// other bytes for a locked version is refused, never re-locked silently
// (delete the entry to lock the new bytes on purpose). Entries no
// environment uses are dropped. It prints what changed and writes the file
// only when something did.
//
// With -check it fetches nothing and writes nothing: it exits 1, listing
// the differences, when the lock's charts are not exactly the ones the
// environments use (what CI runs).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/charts"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/stacks/apps"
)

func main() {
	check := flag.Bool("check", false, "fetch and write nothing; exit 1 when the lock does not match the environments")
	flag.Parse()
	if err := run(context.Background(), ".", *check, charts.Default("."), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lock:", err)
		os.Exit(1)
	}
}

// wanted returns the charts the environments below root use, sorted by
// name and version; one version from two repositories is an error.
func wanted(root string) ([]helmrelease.Chart, error) {
	names, err := config.Names(root)
	if err != nil {
		return nil, err
	}
	envs, err := config.LoadAll(root, names)
	if err != nil {
		return nil, err
	}
	byKey := map[string]helmrelease.Chart{}
	users := map[string]string{}
	for _, env := range envs {
		for _, c := range apps.Charts(env) {
			key := c.Name + " " + c.Version
			if was, ok := byKey[key]; ok && was.Repository != c.Repository {
				return nil, fmt.Errorf("chart %s comes from %s in environment %s but from %s in %s; one version has one source", key, c.Repository, env.Name, was.Repository, users[key])
			}
			byKey[key], users[key] = c, env.Name
		}
	}
	out := make([]helmrelease.Chart, 0, len(byKey))
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, byKey[k])
	}
	return out, nil
}

func run(ctx context.Context, root string, check bool, cache charts.Cache, out io.Writer) error {
	want, err := wanted(root)
	if err != nil {
		return err
	}
	path := chartlock.Path(root)
	old, err := chartlock.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		old, err = &chartlock.Lock{}, nil
	}
	if err != nil {
		return err
	}
	next := &chartlock.Lock{}
	var changes []string
	for _, c := range want {
		e, ok := old.Find(c.Name, c.Version)
		if ok && e.Repository != c.Repository {
			changes = append(changes, fmt.Sprintf("- %s %s from %s (now from %s)", e.Name, e.Version, e.Repository, c.Repository))
			ok = false
		}
		if check {
			if !ok {
				changes = append(changes, fmt.Sprintf("+ %s %s from %s", c.Name, c.Version, c.Repository))
			}
			continue
		}
		a, err := cache.Get(ctx, charts.Ref{Repository: c.Repository, Name: c.Name, Version: c.Version})
		var missing *charts.MissingError
		switch {
		case ok && errors.As(err, &missing):
			fmt.Fprintf(out, "  %s %s %s: kept (no archive here to compare it with)\n", e.Name, e.Version, e.Digest)
			next.Charts = append(next.Charts, e)
			continue
		case err != nil:
			return err
		case ok:
			if a.Digest != e.Digest {
				return fmt.Errorf("not written: %w", &chartlock.MismatchError{Entry: e, Digest: a.Digest, Origin: a.Origin})
			}
			if e.ManifestDigest == "" && a.ManifestDigest != "" {
				e.ManifestDigest = a.ManifestDigest
				changes = append(changes, fmt.Sprintf("~ %s %s: manifest digest %s recorded (pulled from %s)", e.Name, e.Version, a.ManifestDigest, a.Origin))
			}
			next.Charts = append(next.Charts, e)
			continue
		}
		n := chartlock.Entry{Name: c.Name, Version: c.Version, Repository: c.Repository, Digest: a.Digest, ManifestDigest: a.ManifestDigest}
		changes = append(changes, fmt.Sprintf("+ %s %s from %s: %s (bytes from %s)", n.Name, n.Version, n.Repository, n.Digest, a.Origin))
		next.Charts = append(next.Charts, n)
	}
	for _, e := range old.Charts {
		if !slices.ContainsFunc(want, func(c helmrelease.Chart) bool { return c.Name == e.Name && c.Version == e.Version }) {
			changes = append(changes, fmt.Sprintf("- %s %s from %s: no environment uses it", e.Name, e.Version, e.Repository))
		}
	}
	for _, c := range changes {
		fmt.Fprintln(out, c)
	}
	switch {
	case len(changes) == 0:
		fmt.Fprintf(out, "%s: up to date, %d chart(s)\n", chartlock.File, len(want))
		return nil
	case check:
		return fmt.Errorf("%s does not match the environments (%d difference(s)); run `%s`, review and commit it", chartlock.File, len(changes), chartlock.Command)
	}
	if err := next.Write(path); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: written, %d chart(s); review the change and commit it\n", chartlock.File, len(next.Charts))
	return nil
}
