package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/llm-platform/cdktf-llm/config"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestReadmeCommands: the README opens with the synth command, then the
// test command, which is what CI runs.
func TestReadmeCommands(t *testing.T) {
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readFile(t, "README.md"), 2)
	if len(blocks) < 2 || strings.TrimSpace(blocks[0][1]) != "make synth" || strings.TrimSpace(blocks[1][1]) != "make test" {
		t.Fatalf("the README's first two commands are %q; want make synth, then make test", blocks)
	}
	if !strings.Contains(readFile(t, ".ci/run"), "\nmake test\n") {
		t.Errorf(".ci/run does not run the README's test command")
	}
}

// TestCommandsAreListedEverywhere: each documented Makefile target is in
// the README and in ./help.
func TestCommandsAreListedEverywhere(t *testing.T) {
	targets := regexp.MustCompile(`(?m)^([a-z-]+):.*## `).FindAllStringSubmatch(readFile(t, "Makefile"), -1)
	if len(targets) < 8 {
		t.Fatalf("found %d documented targets in the Makefile", len(targets))
	}
	cmd := exec.Command("./help")
	cmd.Dir = root
	help, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	readme := readFile(t, "README.md")
	for _, m := range targets {
		if !strings.Contains(readme, "make "+m[1]) {
			t.Errorf("the README does not mention make %s", m[1])
		}
		if !strings.Contains(string(help), "make "+m[1]) {
			t.Errorf("./help does not list make %s", m[1])
		}
	}
	for _, want := range []string{"synth", "test", "validate", "bench", "deploy", "drift", "destroy", "clean", "status", "rollback"} {
		if !strings.Contains(string(help), "make "+want+" ") {
			t.Errorf("./help lacks make %s", want)
		}
	}
}

// TestMakefileRunsWhatExists: every command the documented targets run
// (make -n) that is a file of the project is there, and executable when it
// is the command itself. Built files (.bin/) are made by the build target,
// and cdktf.out/ by synth.
func TestMakefileRunsWhatExists(t *testing.T) {
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z-]+):.*## `).FindAllStringSubmatch(readFile(t, "Makefile"), -1) {
		targets = append(targets, m[1])
	}
	cmd := exec.Command("make", append([]string{"-n", "--no-print-directory"}, targets...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=") // also under make test
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make -n: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		for _, command := range strings.Split(line, "&&") {
			for i, word := range strings.Fields(command) {
				path := strings.TrimPrefix(word, "./")
				if !strings.Contains(word, "/") || strings.Contains(word, "...") || strings.HasPrefix(path, ".bin/") || strings.HasPrefix(path, "cdktf.out/") {
					continue
				}
				info, err := os.Stat(filepath.Join(root, path))
				switch {
				case err != nil:
					t.Errorf("%q runs %s, which does not exist", line, word)
				case i == 0 && (info.IsDir() || info.Mode()&0o111 == 0):
					t.Errorf("%q runs %s, which is not an executable file", line, word)
				}
			}
		}
	}
}

// TestConfigReference: every config field is in the README's reference.
func TestConfigReference(t *testing.T) {
	readme := readFile(t, "README.md")
	ref := readme[strings.Index(readme, "## Config reference"):]
	paths := fieldPaths(reflect.TypeOf(config.Environment{}), "")
	if len(paths) < 60 {
		t.Fatalf("only %d config fields found", len(paths))
	}
	for _, path := range paths {
		if !strings.Contains(ref, "`"+path+"`") {
			t.Errorf("the config reference lacks %s", path)
		}
	}
}

// fieldPaths lists the YAML paths of a config type; a cpu/memory pair and a
// list of structs are one entry.
func fieldPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && opts == "inline" {
			out = append(out, fieldPaths(f.Type, prefix)...)
			continue
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(config.CPUMemory{}) {
			out = append(out, fieldPaths(f.Type, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}
