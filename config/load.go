package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Dir is where environment files live, relative to the project root.
const Dir = "envs"

// maxFileSize bounds an environment file (the shipped ones are ~2 KB).
const maxFileSize = 1 << 20

// Load reads and checks one environment file; the environment is named after
// the file (envs/prod.yaml is prod). The error, if any, is Errors: every
// problem in the file, each with its line and field path.
func Load(path string) (Environment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Environment{}, Errors{{File: path, Problem: fmt.Sprintf("cannot read the environment file: %v", errors.Unwrap(err))}}
	}
	if len(data) > maxFileSize {
		return Environment{}, Errors{{File: path, Problem: fmt.Sprintf("is %d bytes; an environment file is at most %d", len(data), maxFileSize)}}
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return Parse(path, name, data)
}

// LoadAll loads envs/<name>.yaml below root for each name, reporting the
// problems of all files together.
func LoadAll(root string, names []string) ([]Environment, error) {
	var (
		envs []Environment
		all  Errors
	)
	for _, n := range names {
		e, err := Load(filepath.Join(root, Dir, n+".yaml"))
		var errs Errors
		if errors.As(err, &errs) {
			all = append(all, errs...)
		}
		envs = append(envs, e)
	}
	if len(all) > 0 {
		return nil, all
	}
	return envs, nil
}

// Names lists the environments that have a file below root, sorted.
func Names(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, Dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), ".yaml")
	}
	return names, nil
}

// Parse decodes and checks an environment from YAML; file names it in messages.
func Parse(file, name string, data []byte) (Environment, error) {
	env := Default(name)
	env.File = file
	d := decoder{file: file, lines: map[string]int{}}

	root, err := document(data)
	if err != nil {
		return Environment{}, Errors{{File: file, Line: yamlErrorLine(err), Problem: "is not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if root != nil {
		d.decode(root, reflect.ValueOf(&env).Elem(), "")
	}
	// Fields that failed to decode kept their defaults, so the checks below
	// still see a whole environment; their own findings are not repeated.
	c := checker{file: file, lines: d.lines}
	c.validate(&env)
	errs := d.errs
	failed := map[string]bool{}
	for _, e := range d.errs {
		failed[e.Path] = true
	}
	for _, e := range c.errs {
		if !failed[e.Path] {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return Environment{}, errs.sorted()
	}
	return env, nil
}

// document returns the root node of the single YAML document in data, or nil
// for an empty file.
func document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		line := extra.Line
		if err != nil {
			line = yamlErrorLine(err)
		}
		return nil, fmt.Errorf("yaml: line %d: a second document; keep one environment per file", line)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
