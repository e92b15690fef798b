// Package synthstamp tells which environments a synth must make again: it
// keeps, beside an output folder (cdktf.out), a stamp of what the last synth
// into it was made from and what it wrote, and compares it with the inputs
// and the folder as they are now.
//
// What is fingerprinted (sha256 of the bytes unless said otherwise):
//
//   - for every environment: its config file (envs/<name>.yaml);
//   - for all of them: the synthesizing programs, the app and the kernel
//     program (each one's Go build ID, which changes with any change to its
//     code, the bindings or the modules it is built from; the file's bytes
//     when it has none), the locks
//     (package-lock.json, go.mod, go.sum and the chart lock envs/charts.lock
//     below Root, which decides every chart archive's bytes; a missing one
//     counts as missing), the provider schema file, whether HCL is written, and
//     every CDKTF_* variable of the environment but CDKTF_OUTDIR (the cdktf
//     context among them);
//   - the environment list, in order;
//   - the output: every file the synth wrote, the chart archives each apps
//     stack carries among them.
//
// An environment is reused when its inputs and the global ones are those
// of the stamp and its files in the output folder are exactly the ones the
// stamp lists, byte for byte; the folder is up to date, and nothing is to
// be written, when every environment is reused, the list is the same,
// manifest.json is the one written, and the folder holds nothing else (but
// stack folders of other stacks, when old stacks are kept, as the cdktf CLI
// wants). Anything missing, unreadable or unknown makes an environment
// stale; a stale result is never kept.
//
// Inputs are read before the synth starts (Check) and recorded as read
// then (Plan.Record): a file that changes during a synth makes the next
// synth redo it.
package synthstamp

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
)

// format changes whenever what a stamp holds, or what a synth writes for the
// same inputs, changes in a way the fingerprints do not show.
const format = "synthstamp/2"

// Locks are the files below Root that pin versions; each is an input.
var Locks = []string{"package-lock.json", "go.mod", "go.sum", chartlock.File}

// ManifestFile is cdktf's list of stacks in an output folder.
const ManifestFile = "manifest.json"

// Config names the inputs and the output folder of one synth.
type Config struct {
	// Root is the project root: envs/ and the locks.
	Root string
	// Outdir is the output folder; the stamp is File(Outdir).
	Outdir string
	// Environments are the environments of the synth, in order.
	Environments []string
	// ConfigFile returns an environment's config file. Default
	// <Root>/envs/<name>.yaml (config.Dir).
	ConfigFile func(name string) string
	// Executable is the program that synthesizes (the coordinator).
	Executable string
	// Kernel is the program that builds the stacks through jsii
	// (cmd/synth-kernel), when it is another one: a change to the stacks
	// changes only it. Empty: none.
	Kernel string
	// Schemas is the provider schema file.
	Schemas string
	// HCL is set when the stacks are written as HCL.
	HCL bool
	// KeepOldStacks is set when stack folders of other stacks stay in Outdir.
	KeepOldStacks bool
	// Environ is the environment the synth runs in. Default os.Environ().
	Environ []string
}

// File is where the stamp of outdir is kept: beside it, as
// .<name>.stamp.json, so that the folder holds exactly what a synth writes.
func File(outdir string) string {
	outdir = filepath.Clean(outdir)
	return filepath.Join(filepath.Dir(outdir), "."+filepath.Base(outdir)+".stamp.json")
}

// Plan is what a synth must do, as Check found it.
type Plan struct {
	// Stale are the environments to synthesize, in order.
	Stale []string
	// Reuse are the environments whose output in Outdir is current, in order.
	Reuse []string
	// UpToDate is set when Outdir is what the synth would write: nothing
	// is to be written.
	UpToDate bool
	// Why says, for each stale environment, and "" for the folder as a
	// whole when it is not up to date, what differs.
	Why map[string]string

	config Config
	global string
	inputs map[string]string // environment → digest of its config file
	old    *stamp
}

type stamp struct {
	Format       string              `json:"format"`
	Global       string              `json:"global"`
	Environments []string            `json:"environments"`
	Manifest     string              `json:"manifest"`
	Envs         map[string]envStamp `json:"envs"`
}

type envStamp struct {
	// Inputs is the digest of the environment's config file.
	Inputs string `json:"inputs"`
	// Files are the files it wrote, by slash path below the output folder.
	Files map[string]string `json:"files"`
}

// Check fingerprints the inputs and compares them, and the output folder,
// with the stamp. It fails only when an input cannot be read; a missing or
// unreadable stamp makes every environment stale.
func Check(c Config) (*Plan, error) {
	if c.ConfigFile == nil {
		c.ConfigFile = func(name string) string { return filepath.Join(c.Root, config.Dir, name+".yaml") }
	}
	if c.Environ == nil {
		c.Environ = os.Environ()
	}
	p := &Plan{config: c, Why: map[string]string{}, inputs: map[string]string{}}
	var err error
	if p.global, err = globalDigest(c); err != nil {
		return nil, err
	}
	files := make([]string, len(c.Environments))
	for i, name := range c.Environments {
		files[i] = c.ConfigFile(name)
	}
	sums, err := fileDigests(files)
	if err != nil {
		return nil, fmt.Errorf("synthstamp: %w", err)
	}
	for i, name := range c.Environments {
		p.inputs[name] = sums[i]
	}
	p.old = readStamp(File(c.Outdir))
	p.compare()
	return p, nil
}

// compare fills Stale, Reuse, UpToDate and Why.
func (p *Plan) compare() {
	c, old := p.config, p.old
	stale := func(name, why string) {
		p.Stale = append(p.Stale, name)
		p.Why[name] = why
	}
	switch {
	case old == nil:
		p.Why[""] = "no stamp of the last synth"
	case old.Format != format:
		p.Why[""] = "the stamp is of another format"
	case old.Global != p.global:
		p.Why[""] = "the program, a lock, the schemas, HCL or the cdktf context changed"
	}
	if p.Why[""] != "" {
		for _, name := range c.Environments {
			stale(name, p.Why[""])
		}
		return
	}
	current, foreign, err := p.outputs()
	switch {
	case err != nil:
		p.Why[""] = fmt.Sprintf("the output folder cannot be read: %v", err)
	case current.manifest == "" || current.manifest != old.Manifest:
		p.Why[""] = ManifestFile + " is missing or not the one written"
	}
	if p.Why[""] != "" { // the old manifest's entries cannot be reused
		for _, name := range c.Environments {
			stale(name, p.Why[""])
		}
		return
	}
	for _, name := range c.Environments {
		was, ok := old.Envs[name]
		switch {
		case !ok:
			stale(name, "not in the last synth")
		case was.Inputs != p.inputs[name]:
			stale(name, "its config file changed")
		case !maps(was.Files, current.envs[name]):
			stale(name, "its files in the output folder are not the ones written")
		default:
			p.Reuse = append(p.Reuse, name)
		}
	}
	switch {
	case len(p.Stale) > 0:
		p.Why[""] = "environments changed"
	case !slices.Equal(old.Environments, c.Environments):
		p.Why[""] = "the environment list changed"
	case len(foreign) > 0:
		p.Why[""] = "the output folder holds files no environment wrote: " + strings.Join(foreign, ", ")
	default:
		p.UpToDate = true
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

type outputs struct {
	manifest string                       // digest of manifest.json, "" when missing
	envs     map[string]map[string]string // environment → its files' digests
}

// outputs reads the output folder: the digest of every file that belongs to
// one of the environments, and the files that belong to none (which a synth
// would not leave there). A missing folder has no files.
func (p *Plan) outputs() (outputs, []string, error) {
	out := outputs{envs: map[string]map[string]string{}}
	ours := map[string]bool{}
	for _, name := range p.config.Environments {
		ours[name] = true
		out.envs[name] = map[string]string{}
	}
	var paths, owners, foreign []string
	err := filepath.WalkDir(p.config.Outdir, func(file string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) && file == p.config.Outdir {
			return filepath.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(p.config.Outdir, file)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch env, kept := Owner(rel); {
		case rel == ManifestFile || ours[env]:
			paths, owners = append(paths, file), append(owners, env)
		case kept && p.config.KeepOldStacks:
		default:
			foreign = append(foreign, rel)
		}
		return nil
	})
	if err != nil {
		return outputs{}, nil, err
	}
	sums, err := fileDigests(paths)
	if err != nil {
		return outputs{}, nil, err
	}
	for i, file := range paths {
		rel, _ := filepath.Rel(p.config.Outdir, file)
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			out.manifest = sums[i]
			continue
		}
		out.envs[owners[i]][rel] = sums[i]
	}
	sort.Strings(foreign)
	return out, foreign, nil
}

// Owner returns the environment a file of an output folder belongs to, by
// its slash path: stacks/base-<env>/…, stacks/apps-<env>/… and
// manifests/<env>/…; "" for any other. kept says the file is in another
// stack's folder, which a synth that keeps old stacks leaves in place.
func Owner(rel string) (env string, kept bool) {
	parts := strings.SplitN(rel, "/", 3)
	if len(parts) < 3 {
		return "", false
	}
	switch parts[0] {
	case "stacks":
		for _, prefix := range []string{"base-", "apps-"} {
			if name, ok := strings.CutPrefix(parts[1], prefix); ok && name != "" {
				return name, true
			}
		}
		return "", true
	case "manifests":
		return parts[1], false
	}
	return "", false
}

// StackDirs are the folders of an environment's output, as slash paths
// below the output folder; Owner maps their files back to it.
func StackDirs(env string) []string {
	return []string{path.Join("stacks", "base-"+env), path.Join("stacks", "apps-"+env), path.Join("manifests", env)}
}

// Record writes the stamp of a successful synth, once its output is in
// place in Outdir: the inputs as Check read them and every file of the
// output folder.
func (p *Plan) Record() error {
	current, _, err := p.outputs()
	if err != nil {
		return fmt.Errorf("synthstamp: reading %s: %w", p.config.Outdir, err)
	}
	if current.manifest == "" {
		return fmt.Errorf("synthstamp: %s has no %s", p.config.Outdir, ManifestFile)
	}
	s := stamp{Format: format, Global: p.global, Environments: p.config.Environments, Manifest: current.manifest, Envs: map[string]envStamp{}}
	for _, name := range p.config.Environments {
		s.Envs[name] = envStamp{Inputs: p.inputs[name], Files: current.envs[name]}
	}
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return fmt.Errorf("synthstamp: %w", err)
	}
	return writeAtomic(File(p.config.Outdir), append(data, '\n'))
}

// Forget removes the stamp of outdir, before a synth replaces the folder:
// a synth cut short after that leaves no stamp, and the next one redoes
// every environment.
func Forget(outdir string) error {
	if err := os.Remove(File(outdir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("synthstamp: %w", err)
	}
	return nil
}

func readStamp(file string) *stamp {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var s stamp
	if json.Unmarshal(data, &s) != nil {
		return nil
	}
	return &s
}

func writeAtomic(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".tmp-*")
	if err != nil {
		return fmt.Errorf("synthstamp: %w", err)
	}
	_, werr := tmp.Write(data)
	perr := tmp.Chmod(0o644)
	cerr := tmp.Close()
	if err := errors.Join(werr, perr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("synthstamp: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("synthstamp: %w", err)
	}
	return nil
}
