// Package bindings checks the provider bindings that generate.mjs writes to
// .gen/: see api_test.go. This file lists the exported API of a generated Go
// package; cmd/apilist writes such listings as goldens.
package bindings

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ListAPI returns a deterministic listing of the exported API of the Go
// package in dir, followed by that of dir/internal if it exists (jsii-pacmak
// puts the aliases of embedded foreign types there): its imports, and every
// exported const, var, type (with its full definition: struct fields,
// interface method sets), func and method (on any receiver), one entry per
// declaration, sorted. Comments are left out. All .go files count, whatever
// their build constraints, except _test.go files.
func ListAPI(dir string) (string, error) {
	var out strings.Builder
	for _, d := range []string{dir, filepath.Join(dir, "internal")} {
		if d != dir {
			if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
				continue
			}
		}
		s, err := listPackage(d)
		if err != nil {
			return "", err
		}
		out.WriteString(s)
	}
	return out.String(), nil
}

type entry struct{ key, text string }

func listPackage(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	var pkgName string
	imports := map[string]bool{}
	var entries []entry
	files := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return "", err
		}
		files++
		if pkgName == "" {
			pkgName = f.Name.Name
		} else if pkgName != f.Name.Name {
			return "", fmt.Errorf("%s: package %s and %s in one directory", dir, pkgName, f.Name.Name)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if imp.Name != nil {
				p = imp.Name.Name + " " + strconv.Quote(p)
			} else {
				p = strconv.Quote(p)
			}
			imports[p] = true
		}
		for _, decl := range f.Decls {
			es, err := declEntries(fset, decl)
			if err != nil {
				return "", fmt.Errorf("%s: %v", name, err)
			}
			entries = append(entries, es...)
		}
	}
	if files == 0 {
		return "", fmt.Errorf("%s: no Go files", dir)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].key != entries[j].key {
			return entries[i].key < entries[j].key
		}
		return entries[i].text < entries[j].text
	})
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n", pkgName)
	var imps []string
	for p := range imports {
		imps = append(imps, p)
	}
	sort.Strings(imps)
	for _, p := range imps {
		fmt.Fprintf(&b, "import %s\n", p)
	}
	for _, e := range entries {
		b.WriteString(e.text)
		b.WriteString("\n")
	}
	return b.String(), nil
}

func declEntries(fset *token.FileSet, decl ast.Decl) ([]entry, error) {
	var out []entry
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return nil, nil
		}
		fn := &ast.FuncDecl{Recv: d.Recv, Name: d.Name, Type: d.Type}
		text, err := render(fset, fn)
		if err != nil {
			return nil, err
		}
		key := "5 func " + d.Name.Name
		if d.Recv != nil && len(d.Recv.List) > 0 {
			key = "6 method " + recvTypeName(d.Recv.List[0].Type) + "." + d.Name.Name
		}
		out = append(out, entry{key, text})
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				if !s.Name.IsExported() {
					continue
				}
				text, err := render(fset, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{s}})
				if err != nil {
					return nil, err
				}
				out = append(out, entry{"4 type " + s.Name.Name, text})
			case *ast.ValueSpec:
				exported := false
				for _, n := range s.Names {
					exported = exported || n.IsExported()
				}
				if !exported {
					continue
				}
				kind := "2 const "
				if d.Tok == token.VAR {
					kind = "3 var "
				}
				text, err := render(fset, &ast.GenDecl{Tok: d.Tok, Specs: []ast.Spec{s}})
				if err != nil {
					return nil, err
				}
				out = append(out, entry{kind + s.Names[0].Name, text})
			}
		}
	}
	return out, nil
}

func recvTypeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvTypeName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvTypeName(t.X)
	case *ast.IndexListExpr:
		return recvTypeName(t.X)
	}
	return fmt.Sprintf("%T", e)
}

func render(fset *token.FileSet, node ast.Node) (string, error) {
	var buf bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&buf, fset, node); err != nil {
		return "", err
	}
	// Blank lines left where comments were are layout, not API.
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), nil
}

// goldenIntro is the first line of every golden.
const goldenIntro = "# Exported API of a package generated by jsii-pacmak; written by node tools/bindings/generate.mjs --api-golden. Do not edit."

// GoldenHeader returns the comment lines above a listing in a golden file.
func GoldenHeader(source string) string {
	h := goldenIntro + "\n"
	if source != "" {
		h += "# " + source + "\n"
	}
	return h
}

// ParseGolden splits a golden file into its source line (the header line after
// the intro, without "# ") and the listing.
func ParseGolden(text string) (source, api string) {
	lines := strings.SplitAfter(text, "\n")
	i := 0
	for ; i < len(lines) && strings.HasPrefix(lines[i], "# "); i++ {
		if i > 0 && source == "" {
			source = strings.TrimSpace(strings.TrimPrefix(lines[i], "# "))
		}
	}
	return source, strings.Join(lines[i:], "")
}
