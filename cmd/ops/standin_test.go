package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/llm-platform/cdktf-llm/statelock/statelocktest"
)

// The test binary doubles as a stand-in terraform: started under that name
// (a symlink on PATH, see standIn), it records the call and answers as
// Terraform would, without a cluster or providers. It holds each call to
// Terraform's rules on input: a command that evaluates the configuration
// (plan, apply, destroy, refresh, import, console) needs a value for every
// root variable without a default, from TF_VAR_<name>, -var or -var-file;
// a missing one is an error when input is off (-input=false, TF_INPUT=0)
// and a prompt that waits otherwise, recorded as prompted. state list
// prints $STANDIN_STATE (comma-separated) when set, else every resource;
// import exits $STANDIN_IMPORT_EXIT when set; force-unlock fails on local
// state, as Terraform's does.
func TestMain(m *testing.M) {
	statelocktest.Serve() // a holder of a state file's lock, for locks_test.go
	if filepath.Base(os.Args[0]) == "terraform" {
		os.Exit(terraformStandIn(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// call is one recorded terraform call.
type call struct {
	Dir      string            `json:"dir"`
	Args     []string          `json:"args"`
	NoInput  bool              `json:"no_input"`
	Vars     map[string]string `json:"vars"` // values given, by variable
	Missing  []string          `json:"missing,omitempty"`
	Prompted bool              `json:"prompted,omitempty"`
	// Charts are the chart attributes of the helm_release resources of a
	// command that evaluates the configuration; Unresolved, those that are
	// not a relative path to an archive in Dir (which the helm provider
	// would have to fetch from a repository).
	Charts     []string `json:"charts,omitempty"`
	Unresolved []string `json:"unresolved,omitempty"`
	Exit       int      `json:"exit"`
	Start      int64    `json:"start"`
	End        int64    `json:"end"`
}

func (c call) String() string { return filepath.Base(c.Dir) + " " + strings.Join(c.Args, " ") }

// evaluates are the commands that read the configuration's variables.
var evaluates = map[string]bool{"plan": true, "apply": true, "destroy": true, "refresh": true, "import": true, "console": true}

func terraformStandIn(args []string) int {
	dir, _ := os.Getwd()
	c := call{Dir: dir, Args: args, Start: time.Now().UnixNano(), Vars: map[string]string{}}
	defer func() {
		c.End = time.Now().UnixNano()
		line, _ := json.Marshal(c)
		f, err := os.OpenFile(os.Getenv("STANDIN_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(line, '\n'))
			f.Close()
		}
	}()
	input := os.Getenv("TF_INPUT")
	c.NoInput = input == "0" || input == "false"
	for _, e := range os.Environ() {
		if name, v, ok := strings.Cut(strings.TrimPrefix(e, "TF_VAR_"), "="); ok && strings.HasPrefix(e, "TF_VAR_") {
			c.Vars[name] = v
		}
	}
	cmd := ""
	for _, a := range args {
		switch {
		case a == "-input=false":
			c.NoInput = true
		case strings.HasPrefix(a, "-var="):
			name, v, _ := strings.Cut(strings.TrimPrefix(a, "-var="), "=")
			c.Vars[name] = v
		case strings.HasPrefix(a, "-var-file="):
			for name, v := range varFile(filepath.Join(dir, strings.TrimPrefix(a, "-var-file="))) {
				c.Vars[name] = v
			}
		case cmd == "" && !strings.HasPrefix(a, "-"):
			cmd = a
		}
	}
	if cmd == "" && len(args) > 0 {
		cmd = args[0]
	}
	if evaluates[cmd] {
		c.Charts, c.Unresolved = releaseCharts(dir)
		for _, v := range requiredVariables(dir) {
			if _, ok := c.Vars[v]; !ok {
				c.Missing = append(c.Missing, v)
			}
		}
		if len(c.Missing) > 0 {
			if c.NoInput {
				fmt.Fprintf(os.Stderr, "Error: No value for required variable\n\nThe root module input variable %q is not set, and has no default value.\n", c.Missing[0])
			} else {
				c.Prompted = true // Terraform would wait here for the value
				fmt.Printf("var.%s\n  Enter a value: ", c.Missing[0])
			}
			c.Exit = 1
			return c.Exit
		}
	}
	switch cmd {
	case "version", "-v", "-version":
		if strings.Contains(strings.Join(args, " "), "-json") {
			fmt.Println(`{"terraform_version":"1.14.0","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}`)
		} else {
			fmt.Println("Terraform v1.14.0\non linux_amd64")
		}
	case "providers": // no public registry here: only init, through the mirror, installs providers
		fmt.Fprintln(os.Stderr, "Error: Failed to query available provider packages: could not connect to registry.terraform.io")
		c.Exit = 1
	case "init":
		fmt.Println("Terraform has been successfully initialized!")
	case "apply", "destroy":
		if !contains(args, "-auto-approve") {
			c.Prompted = true
			fmt.Println("Do you want to perform these actions?\n  Enter a value: ")
			c.Exit = 1
			break
		}
		time.Sleep(50 * time.Millisecond) // long enough to see two stacks overlap
		fmt.Printf("%s complete! Resources: 0 added, 0 changed, 0 destroyed.\n", strings.ToUpper(cmd[:1])+cmd[1:])
	case "plan":
		if v := os.Getenv("STANDIN_PLAN_EXIT"); v != "" && contains(args, "-detailed-exitcode") {
			fmt.Sscan(v, &c.Exit)
		}
	case "output":
		if v := os.Getenv("STANDIN_OUTPUT"); v != "" {
			fmt.Print(v)
		} else {
			fmt.Print("{}")
		}
	case "show":
		// STANDIN_SHOW_<stack> is the plan of that stack folder.
		if v := os.Getenv("STANDIN_SHOW_" + strings.ReplaceAll(filepath.Base(dir), "-", "_")); v != "" {
			fmt.Print(v)
		} else {
			fmt.Print(`{"resource_changes":[]}`)
		}
	case "state":
		if list, ok := os.LookupEnv("STANDIN_STATE"); ok { // what the state holds, when not every resource
			fmt.Print(strings.ReplaceAll(list, ",", "\n"))
			break
		}
		for _, r := range resources(dir) {
			fmt.Println(r)
		}
	case "import":
		if v := os.Getenv("STANDIN_IMPORT_EXIT"); v != "" {
			fmt.Sscan(v, &c.Exit)
			fmt.Fprintln(os.Stderr, "Error: Cannot import non-existent remote object")
			break
		}
		fmt.Println("Import successful!")
	case "force-unlock":
		if _, local := readStack(dir).Terraform.Backend["local"]; local || len(readStack(dir).Terraform.Backend) == 0 {
			fmt.Fprintln(os.Stderr, "Failed to unlock state: LocalState not locked") // as Terraform 1.14 answers -force on local state
			c.Exit = 1
			break
		}
		fmt.Println("Terraform state has been successfully unlocked!")
	}
	return c.Exit
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stackDoc is what the stand-in reads of a stack's cdk.tf.json.
type stackDoc struct {
	Variable  map[string]map[string]json.RawMessage `json:"variable"`
	Resource  map[string]map[string]json.RawMessage `json:"resource"`
	Terraform struct {
		Backend map[string]json.RawMessage `json:"backend"`
	} `json:"terraform"`
}

func readStack(dir string) stackDoc {
	var doc stackDoc
	data, _ := os.ReadFile(filepath.Join(dir, "cdk.tf.json"))
	_ = json.Unmarshal(data, &doc)
	return doc
}

func requiredVariables(dir string) []string {
	var out []string
	for name, v := range readStack(dir).Variable {
		if _, ok := v["default"]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func resources(dir string) []string {
	var out []string
	for typ, names := range readStack(dir).Resource {
		for name := range names {
			out = append(out, typ+"."+name)
		}
	}
	sort.Strings(out)
	return out
}

// releaseCharts returns the chart attribute of every helm_release in dir's stack,
// and those that are not a relative path to a file below dir.
func releaseCharts(dir string) (all, unresolved []string) {
	for _, raw := range readStack(dir).Resource["helm_release"] {
		var r struct {
			Chart      string `json:"chart"`
			Repository string `json:"repository"`
		}
		_ = json.Unmarshal(raw, &r)
		all = append(all, r.Chart)
		local := filepath.Join(dir, r.Chart)
		if _, err := os.Stat(local); err != nil || r.Repository != "" || filepath.IsAbs(r.Chart) || !strings.HasPrefix(local, dir+string(filepath.Separator)) {
			unresolved = append(unresolved, r.Chart)
		}
	}
	sort.Strings(all)
	sort.Strings(unresolved)
	return all, unresolved
}

func varFile(path string) map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	f, diags := hclparse.NewParser().ParseHCL(data, path)
	if diags.HasErrors() {
		return out
	}
	attrs, _ := f.Body.JustAttributes()
	for name, a := range attrs {
		v, _ := a.Expr.Value(nil)
		out[name] = v.GoString()
	}
	return out
}

// standIn puts the stand-in first on PATH, as terraform, and returns a
// function that reads the calls recorded so far, in the order they began.
func standIn(t *testing.T) func() []call {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	t.Setenv("STANDIN_LOG", log)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() []call {
		f, err := os.Open(log)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var calls []call
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var c call
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("stand-in log: %v", err)
			}
			calls = append(calls, c)
		}
		sort.SliceStable(calls, func(i, j int) bool { return calls[i].Start < calls[j].Start })
		return calls
	}
}
