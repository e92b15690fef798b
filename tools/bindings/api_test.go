package bindings

// Checks of the trimmed provider bindings in .gen/ (written by
// tools/bindings/generate.mjs):
//
//   - .gen/ was generated for the provider packages the repository's Go code
//     imports now;
//   - for every imported package, the exported API of the trimmed generation
//     equals that of the full (untrimmed) generation, recorded as goldens in
//     testdata/api/<provider>/<package>.txt by generate.mjs --api-golden;
//   - the npm tarball embedded in each module holds, for every kept submodule,
//     the npm package's JavaScript byte for byte and its jsii types unchanged,
//     and nothing of the submodules left out.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The tests run in tools/bindings.
var repoRoot = filepath.Join("..", "..")

const regenerate = "run node tools/bindings/generate.mjs"

type genInfo struct {
	Npm        string   `json:"npm"`
	Version    string   `json:"version"`
	Module     string   `json:"module"`
	Dir        string   `json:"dir"`
	Packages   []string `json:"packages"`
	Submodules []string `json:"submodules"`
	Constructs string   `json:"constructs"`
	Tarball    string   `json:"tarball"`
}

type stampFile struct {
	Inputs struct {
		Lock    map[string]json.RawMessage `json:"lock"`
		Imports map[string][]string        `json:"imports"`
	} `json:"inputs"`
	Generated map[string]genInfo `json:"generated"`
}

func loadStamp(t *testing.T) stampFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".gen", "stamp.json"))
	if err != nil {
		t.Fatalf("no generated bindings (%v): %s", err, regenerate)
	}
	var s stampFile
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf(".gen/stamp.json: %v: %s", err, regenerate)
	}
	if len(s.Generated) == 0 {
		t.Fatalf(".gen/stamp.json lists no generated provider: %s", regenerate)
	}
	return s
}

func (s stampFile) providers() []string {
	var names []string
	for name := range s.Generated {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (s stampFile) pacmakVersion(t *testing.T) string {
	var v string
	if err := json.Unmarshal(s.Inputs.Lock["jsii-pacmak"], &v); err != nil {
		t.Fatalf(".gen/stamp.json has no jsii-pacmak version: %s", regenerate)
	}
	return v
}

// scanImports returns, per provider, the packages of its module that the Go
// files of the repository import: the same walk as generate.mjs (skipping
// node_modules, .gen, cdktf.out, testdata and dot- and underscore-folders).
func scanImports(t *testing.T, s stampFile) map[string][]string {
	t.Helper()
	found := map[string]map[string]bool{}
	for _, name := range s.providers() {
		found[name] = map[string]bool{}
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != repoRoot && (n == "node_modules" || n == ".gen" || n == "cdktf.out" || n == "testdata" ||
				strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || !d.Type().IsRegular() {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			for name, g := range s.Generated {
				rest, ok := strings.CutPrefix(ip, g.Module+"/")
				if !ok {
					continue
				}
				if pkg, _, _ := strings.Cut(rest, "/"); pkg != "" && pkg != "jsii" {
					found[name][pkg] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scanning Go files: %v", err)
	}
	out := map[string][]string{}
	for name, set := range found {
		out[name] = []string{}
		for pkg := range set {
			out[name] = append(out[name], pkg)
		}
		sort.Strings(out[name])
	}
	return out
}

// withProvider adds the always-generated provider package.
func withProvider(pkgs []string) []string {
	out := append([]string{}, pkgs...)
	for _, p := range out {
		if p == "provider" {
			return out
		}
	}
	out = append(out, "provider")
	sort.Strings(out)
	return out
}

func TestBindingsMatchImports(t *testing.T) {
	s := loadStamp(t)
	imports := scanImports(t, s)
	for _, name := range s.providers() {
		g := s.Generated[name]
		if got, want := imports[name], s.Inputs.Imports[name]; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s: the Go code imports %v, but .gen was generated for %v: %s", name, got, want, regenerate)
		}
		for _, pkg := range withProvider(imports[name]) {
			if _, err := os.Stat(filepath.Join(repoRoot, g.Dir, pkg)); err != nil {
				t.Errorf("%s/%s is imported but not generated (%v): %s", g.Module, pkg, err, regenerate)
			}
		}
	}
}

func TestImportedAPIMatchesFullGeneration(t *testing.T) {
	s := loadStamp(t)
	imports := scanImports(t, s)
	pacmak := s.pacmakVersion(t)
	for _, name := range s.providers() {
		g := s.Generated[name]
		want := fmt.Sprintf("source: %s@%s jsii-pacmak@%s constructs@%s (full generation)", g.Npm, g.Version, pacmak, g.Constructs)
		for _, pkg := range withProvider(imports[name]) {
			t.Run(name+"/"+pkg, func(t *testing.T) {
				golden := filepath.Join("testdata", "api", name, pkg+".txt")
				data, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("no API golden for %s/%s (%v): run node tools/bindings/generate.mjs --api-golden", g.Module, pkg, err)
				}
				source, wantAPI := ParseGolden(string(data))
				if source != want {
					t.Fatalf("%s was made from %q, but .gen/%s from %q: run node tools/bindings/generate.mjs --api-golden",
						golden, source, name, want)
				}
				gotAPI, err := ListAPI(filepath.Join(repoRoot, g.Dir, pkg))
				if err != nil {
					t.Fatalf("listing the API of .gen/%s/%s: %v", name, pkg, err)
				}
				if gotAPI != wantAPI {
					t.Errorf("the exported API of the trimmed %s/%s differs from the full generation (%s)\n--- full generation (golden)\n+++ trimmed (.gen)\n%s",
						g.Module, pkg, golden, lineDiff(wantAPI, gotAPI))
				}
			})
		}
	}
}

// readTarball returns the files of a gzipped npm tarball, without "package/".
func readTarball(t *testing.T, file string) map[string][]byte {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v: %s", err, regenerate)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, ok := strings.CutPrefix(h.Name, "package/")
		if !ok {
			t.Fatalf("%s: entry %s is not under package/", file, h.Name)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		files[name] = data
	}
	return files
}

type assembly struct {
	Name       string                     `json:"name"`
	Version    string                     `json:"version"`
	Submodules map[string]json.RawMessage `json:"submodules"`
	Types      map[string]json.RawMessage `json:"types"`
}

// owner is the submodule (or the assembly itself) a type fqn belongs to.
func (a *assembly) owner(fqn string) string {
	for s := fqn; strings.Contains(s, "."); {
		s = s[:strings.LastIndex(s, ".")]
		if _, ok := a.Submodules[s]; ok || s == a.Name {
			return s
		}
	}
	return a.Name
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

var requireLine = regexp.MustCompile(`(?m)^exports\.([A-Za-z0-9_$]+) = require\("\./([^"]+)"\);$`)

func TestEmbeddedTarballMatchesNpm(t *testing.T) {
	s := loadStamp(t)
	for _, name := range s.providers() {
		t.Run(name, func(t *testing.T) {
			g := s.Generated[name]
			npmDir := filepath.Join(repoRoot, "node_modules", filepath.FromSlash(g.Npm))
			if _, err := os.Stat(filepath.Join(npmDir, "package.json")); err != nil {
				t.Fatalf("%s is not installed (%v): run npm ci", g.Npm, err)
			}
			files := readTarball(t, filepath.Join(repoRoot, g.Dir, "jsii", g.Tarball))

			npmPkg, err := os.ReadFile(filepath.Join(npmDir, "package.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(files["package.json"], npmPkg) {
				t.Errorf("package.json in the tarball differs from %s/package.json", g.Npm)
			}

			// The assembly: exactly the kept submodules, each with all of its
			// types as published; everything else as published.
			var trimmed, full assembly
			var trimmedAll, fullAll map[string]json.RawMessage
			fullData, err := os.ReadFile(filepath.Join(npmDir, ".jsii"))
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []struct {
				data []byte
				v    any
			}{{files[".jsii"], &trimmed}, {files[".jsii"], &trimmedAll}, {fullData, &full}, {fullData, &fullAll}} {
				if err := json.Unmarshal(u.data, u.v); err != nil {
					t.Fatalf("parsing an assembly: %v", err)
				}
			}
			var kept []string
			for fqn := range trimmed.Submodules {
				kept = append(kept, fqn)
			}
			sort.Strings(kept)
			if !reflect.DeepEqual(kept, g.Submodules) {
				t.Errorf("the tarball's .jsii has submodules %v, .gen/stamp.json says %v", kept, g.Submodules)
			}
			for k, v := range fullAll {
				switch k {
				case "submodules", "types", "fingerprint":
					continue
				}
				if !sameJSON(v, trimmedAll[k]) {
					t.Errorf(".jsii: %q differs from the published assembly", k)
				}
			}
			for _, fqn := range kept {
				if !sameJSON(trimmed.Submodules[fqn], full.Submodules[fqn]) {
					t.Errorf(".jsii: submodule %s differs from the published assembly", fqn)
				}
			}
			keptSet := map[string]bool{full.Name: true}
			for _, fqn := range kept {
				keptSet[fqn] = true
			}
			nTypes := 0
			for fqn, def := range full.Types {
				if !keptSet[full.owner(fqn)] {
					if _, ok := trimmed.Types[fqn]; ok {
						t.Errorf(".jsii: has type %s of a submodule left out", fqn)
					}
					continue
				}
				nTypes++
				if got, ok := trimmed.Types[fqn]; !ok {
					t.Errorf(".jsii: type %s is missing", fqn)
				} else if !sameJSON(got, def) {
					t.Errorf(".jsii: type %s differs from the published assembly", fqn)
				}
			}
			if len(trimmed.Types) != nTypes {
				t.Errorf(".jsii: %d types, want %d", len(trimmed.Types), nTypes)
			}

			// lib/: index.js loads exactly the kept submodules, whose
			// directories hold the npm package's JavaScript, byte for byte.
			npmIndex, err := os.ReadFile(filepath.Join(npmDir, "lib", "index.js"))
			if err != nil {
				t.Fatal(err)
			}
			dirOf := map[string]string{}
			for _, m := range requireLine.FindAllStringSubmatch(string(npmIndex), -1) {
				dirOf[full.Name+"."+m[1]] = m[2]
			}
			var gotReq, wantReq []string
			for _, m := range requireLine.FindAllStringSubmatch(string(files["lib/index.js"]), -1) {
				gotReq = append(gotReq, full.Name+"."+m[1]+" "+m[2])
			}
			keptDirs := map[string]bool{}
			for _, fqn := range kept {
				dir, ok := dirOf[fqn]
				if !ok {
					t.Fatalf("%s/lib/index.js does not load submodule %s", g.Npm, fqn)
				}
				keptDirs[dir] = true
				wantReq = append(wantReq, fqn+" "+dir)
			}
			sort.Strings(gotReq)
			if !reflect.DeepEqual(gotReq, wantReq) {
				t.Errorf("the tarball's lib/index.js loads %v, want %v", gotReq, wantReq)
			}
			compared := 0
			for dir := range keptDirs {
				want := map[string]bool{}
				root := filepath.Join(npmDir, "lib", filepath.FromSlash(dir))
				err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
						return err
					}
					rel, _ := filepath.Rel(filepath.Join(npmDir), p)
					rel = filepath.ToSlash(rel)
					want[rel] = true
					data, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					got, ok := files[rel]
					switch {
					case !ok:
						t.Errorf("the tarball lacks %s", rel)
					case !bytes.Equal(got, data):
						t.Errorf("%s in the tarball differs from %s/%s", rel, g.Npm, rel)
					default:
						compared++
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for rel := range files {
					if strings.HasPrefix(rel, "lib/"+dir+"/") && strings.HasSuffix(rel, ".js") && !want[rel] {
						t.Errorf("the tarball has %s, which %s does not", rel, g.Npm)
					}
				}
			}
			for rel := range files {
				if rest, ok := strings.CutPrefix(rel, "lib/"); ok && rest != "index.js" {
					if top, _, _ := strings.Cut(rest, "/"); !keptDirs[top] {
						t.Errorf("the tarball has %s, which belongs to no kept submodule", rel)
					}
				}
			}
			if compared == 0 {
				t.Errorf("no JavaScript compared")
			}
			t.Logf("%s: %d submodules, %d types, %d JS files identical to %s@%s", g.Dir, len(kept), nTypes, compared, g.Npm, full.Version)
		})
	}
}

// lineDiff shows how b differs from a, line by line: the common prefix and
// suffix are cut, and the middle is aligned by longest common subsequence
// when it is small enough (else shown whole).
func lineDiff(a, b string) string {
	x := strings.SplitAfter(a, "\n")
	y := strings.SplitAfter(b, "\n")
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	x, y = x[pre:len(x)-suf], y[pre:len(y)-suf]
	var out strings.Builder
	fmt.Fprintf(&out, "@@ after line %d @@\n", pre)
	line := func(sign, s string) {
		out.WriteString(sign + strings.TrimSuffix(s, "\n") + "\n")
	}
	const maxCells = 4 << 20
	if len(x)*len(y) > maxCells {
		for _, s := range x {
			line("-", s)
		}
		for _, s := range y {
			line("+", s)
		}
		return capLines(out.String())
	}
	// lcs[i][j] = length of the LCS of x[i:] and y[j:]
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			line(" ", x[i])
			i++
			j++
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			line("-", x[i])
			i++
		default:
			line("+", y[j])
			j++
		}
	}
	return capLines(out.String())
}

func capLines(s string) string {
	const max = 200
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= max {
		return s
	}
	return strings.Join(lines[:max], "") + fmt.Sprintf("... (%d more lines)\n", len(lines)-max)
}

// A change in a package's API must fail the comparison with a readable diff.
func TestLineDiff(t *testing.T) {
	got := lineDiff("package p\nfunc A()\nfunc B()\ntype C int\n", "package p\nfunc A()\nfunc B2()\ntype C int\n")
	want := "@@ after line 2 @@\n-func B()\n+func B2()\n"
	if got != want {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
}

// ListAPI must see the differences the golden comparison relies on.
func TestListAPI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", `package p

import "fmt"

// Doc comments do not count.
type I interface {
	M(x int) string
}

type S struct {
	A int `+"`json:\"a\"`"+`
	b string
}

type hidden struct{}

func (h *hidden) Exported() {}
func (h *hidden) unexported() {}

const C = 1

var V = fmt.Sprint

func F(s *S) I { return nil }
func f() {}
`)
	write("a_test.go", "package p\n\nfunc TestX() {}\n")
	write("internal_x.go", "package p\n\nvar W, w int\n")
	if err := os.Mkdir(filepath.Join(dir, "internal"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "internal", "types.go"), []byte("package internal\n\ntype Alias = int\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ListAPI(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := `package p
import "fmt"
const C = 1
var V = fmt.Sprint
var W, w int
type I interface {
	M(x int) string
}
type S struct {
	A int ` + "`json:\"a\"`" + `
	b string
}
func F(s *S) I
func (h *hidden) Exported()
package internal
type Alias = int
`
	if got != want {
		t.Errorf("ListAPI:\n%s\nwant:\n%s\ndiff:\n%s", got, want, lineDiff(want, got))
	}
	src, api := ParseGolden(GoldenHeader("source: x") + got)
	if src != "source: x" || api != got {
		t.Errorf("ParseGolden(GoldenHeader(...)) = %q, %q", src, api)
	}
}
