// Package chartlock is the chart lock: the Helm charts the environments
// deploy, each pinned by the sha256 of its archive, as Terraform's
// .terraform.lock.hcl pins providers and Helm's Chart.lock pins a chart's
// dependencies. It lives beside the environment configs, in
// envs/charts.lock, and is committed with them.
//
// `make lock` writes it (cmd/lock). Every synth reads it: a chart the lock
// lacks is an error that says to run `make lock`, and every archive a synth
// uses, wherever its bytes came from (the cache, $CHARTS_DIR,
// ../shared/charts, a pull), must have the lock's digest, else nothing is
// written. Each apps stack then carries the locked archives it uses in its
// charts/ folder (StackDir), and its helm_release resources install them from
// there, so Terraform installs exactly the bytes that were checked.
//
// The package reads and writes the file and compares digests; getting the
// archives is package charts'.
package chartlock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// File is the lock's path below the project root.
const File = "envs/charts.lock"

// StackDir is the folder of an apps stack that holds the archives its
// releases install, and that their chart attribute names (./charts/…).
const StackDir = "charts"

// Command is what writes and updates the lock.
const Command = "make lock"

// Entry is one locked chart.
type Entry struct {
	// Name is the chart's name, as in its Chart.yaml.
	Name string `json:"name"`
	// Version is its exact version.
	Version string `json:"version"`
	// Repository is where it is published: an https chart repository or an
	// oci:// registry path.
	Repository string `json:"repository"`
	// Digest is the sha256 of the archive: sha256:<64 hex digits>.
	Digest string `json:"digest"`
	// ManifestDigest is, for a chart from an OCI registry, the digest of
	// its OCI manifest, recorded when the lock was written from a pull;
	// empty when the archive came from a local copy (nothing to compare it
	// with there). Default: empty.
	ManifestDigest string `json:"manifestDigest,omitempty"`
}

// String is the chart as name version.
func (e Entry) String() string { return e.Name + " " + e.Version }

// FileName is the name of a chart's archive, <name>-<version>.tgz, in the
// cache, in every source directory and in a stack's charts/ folder.
func FileName(name, version string) string { return name + "-" + version + ".tgz" }

// StackPath is the chart attribute of a helm_release that installs the
// archive from its stack's folder: ./charts/<name>-<version>.tgz. The
// provider resolves it against Terraform's working directory, the stack's
// folder, for cdktf and for terraform -chdir alike.
func StackPath(name, version string) string {
	return "./" + StackDir + "/" + FileName(name, version)
}

// Lock is the lock file's content: its charts, sorted by name and version.
type Lock struct {
	Charts []Entry `json:"charts"`
}

// Digest returns the digest of an archive's bytes, as Entry.Digest has it.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Path returns the lock's path below root.
func Path(root string) string { return filepath.Join(root, filepath.FromSlash(File)) }

// Read reads and checks the lock at path. A missing file is an error that
// says how to write one, and matches os.ErrNotExist.
func Read(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("chart lock %s does not exist; run `%s` to write it (it records the sha256 of every chart the environments use), then review and commit it: %w", path, Command, os.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("chart lock: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and checks a lock; file names it in messages.
func Parse(file string, data []byte) (*Lock, error) {
	var l Lock
	if err := yaml.UnmarshalStrict(data, &l); err != nil {
		return nil, fmt.Errorf("chart lock %s: %v; write it again with `%s`", file, err, Command)
	}
	var problems []string
	seen := map[string]bool{}
	for i, e := range l.Charts {
		at := fmt.Sprintf("charts[%d]", i)
		switch {
		case e.Name == "" || e.Version == "":
			problems = append(problems, fmt.Sprintf("%s: name and version are both required (name %q, version %q)", at, e.Name, e.Version))
		case seen[e.String()]:
			problems = append(problems, fmt.Sprintf("%s: chart %s is locked twice; keep one entry", at, e))
		}
		seen[e.String()] = true
		if e.Repository == "" {
			problems = append(problems, fmt.Sprintf("%s.repository: chart %s has none; give its https chart repository or oci:// registry path", at, e))
		}
		if !digestRE.MatchString(e.Digest) {
			problems = append(problems, fmt.Sprintf("%s.digest: %q is not a digest; it must be sha256: and 64 lower-case hex digits", at, e.Digest))
		}
		if e.ManifestDigest != "" && !digestRE.MatchString(e.ManifestDigest) {
			problems = append(problems, fmt.Sprintf("%s.manifestDigest: %q is not a digest; it must be sha256: and 64 lower-case hex digits, or left out", at, e.ManifestDigest))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("chart lock %s:\n  %s", file, strings.Join(problems, "\n  "))
	}
	l.sort()
	return &l, nil
}

func (l *Lock) sort() {
	slices.SortFunc(l.Charts, func(a, b Entry) int {
		return strings.Compare(a.Name+"\x00"+a.Version, b.Name+"\x00"+b.Version)
	})
}

// header opens the file that Write writes.
const header = `# The Helm charts the environments deploy, each pinned by the sha256 of its
# archive (and, for a chart pulled from an OCI registry, its manifest digest).
# Every synth refuses an archive with another digest, wherever it came from,
# and each apps stack installs the locked archives from its charts/ folder.
# Written by ` + "`" + Command + "`" + `; review the change and commit it (README: "The chart lock").
`

// Marshal returns the lock as Write writes it: the header, then the charts
// sorted by name and version.
func (l *Lock) Marshal() ([]byte, error) {
	c := Lock{Charts: slices.Clone(l.Charts)}
	c.sort()
	if c.Charts == nil {
		c.Charts = []Entry{}
	}
	body, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("chart lock: %w", err)
	}
	return append([]byte(header), body...), nil
}

// Write writes the lock to path atomically (a temporary file, then a rename).
func (l *Lock) Write(path string) error {
	data, err := l.Marshal()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("chart lock: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("chart lock: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("chart lock: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chart lock: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("chart lock: %w", err)
	}
	return nil
}

// Find returns the entry of a chart version, by name and version.
func (l *Lock) Find(name, version string) (Entry, bool) {
	for _, e := range l.Charts {
		if e.Name == name && e.Version == version {
			return e, true
		}
	}
	return Entry{}, false
}

// Entry returns the locked entry of the chart name version from repository:
// an error that says to run `make lock` when the lock lacks it, or locks it
// from another repository.
func (l *Lock) Entry(repository, name, version string) (Entry, error) {
	e, ok := l.Find(name, version)
	if !ok {
		return Entry{}, fmt.Errorf("chart %s %s (%s) is not in the chart lock %s; run `%s` to add it (it fetches the archive and records its sha256), then review and commit %s",
			name, version, repository, File, Command, File)
	}
	if e.Repository != repository {
		return Entry{}, fmt.Errorf("chart %s %s comes from %s, but the chart lock %s has it from %s; run `%s` to lock it from where it comes from now, then review and commit %s",
			name, version, repository, File, e.Repository, Command, File)
	}
	return e, nil
}

// MismatchError is an archive whose bytes are not the locked ones.
type MismatchError struct {
	// Entry is the locked chart.
	Entry Entry
	// Digest is the digest of the bytes found.
	Digest string
	// Origin is where they came from: a file or a URL.
	Origin string
}

// Error names the chart, both digests, where the bytes came from and what
// to do.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("chart %s: the archive from %s has digest %s, but the chart lock %s has %s: "+
		"these are not the bytes that were locked and checked, so they are not used; "+
		"if the chart was changed on purpose (republished, repackaged), review it, delete its entry from %s and run `%s` to lock the new bytes",
		e.Entry, e.Origin, e.Digest, File, e.Entry.Digest, File, Command)
}

// Verify checks that data, which came from origin, are the bytes e locks:
// a *MismatchError when they are not.
func (e Entry) Verify(data []byte, origin string) error {
	if d := Digest(data); d != e.Digest {
		return &MismatchError{Entry: e, Digest: d, Origin: origin}
	}
	return nil
}
