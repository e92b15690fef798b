// Package recovery reads Helm's own records of the releases of an apps
// stack, finds the ones an interrupted or failed apply left stuck
// (pending-install, pending-upgrade, pending-rollback or failed), and puts
// them back where Terraform can take over again: a release that was never
// deployed is uninstalled, any other is rolled back to its last deployed
// revision. It never uninstalls a release that was ever deployed and never
// deletes a PersistentVolumeClaim.
//
// Decide is a pure function over a release's history; Client applies its
// verdict through Helm's Go SDK (action.Configuration), so tests can run it
// on Helm's in-memory storage and a fake Kubernetes client.
package recovery

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/llm-platform/cdktf-llm/render"
)

// Cluster is how a stack reaches Kubernetes: the kubeconfig file and its
// context, as the stack's helm provider gets them.
type Cluster struct {
	// Kubeconfig is the kubeconfig file, with a leading ~/ expanded; empty
	// uses client-go's default rules (KUBECONFIG, then ~/.kube/config).
	Kubeconfig string
	// Context is the kubeconfig context; empty uses its current context.
	Context string
	// Driver is Helm's storage driver (HELM_DRIVER; empty is "secret"), as
	// the helm provider reads it.
	Driver string
}

// String names the kubeconfig and context, for messages.
func (c Cluster) String() string {
	config := c.Kubeconfig
	if config == "" {
		config = "(client-go default)"
	}
	context := fmt.Sprintf("context %q", c.Context)
	if c.Context == "" {
		context = "its current context"
	}
	return fmt.Sprintf("kubeconfig %s, %s", config, context)
}

// Release is one helm_release of an apps stack, with the settings a remedy
// reuses.
type Release struct {
	// Address is the Terraform address, e.g. helm_release.ollama.
	Address   string
	Name      string
	Namespace string
	// Timeout bounds every Helm wait of a remedy (the release's timeout).
	Timeout time.Duration
	// MaxHistory is the number of revisions Helm keeps (0: unlimited).
	MaxHistory int
	// WaitForJobs makes a rollback wait for the chart's Jobs too.
	WaitForJobs bool
}

// String is namespace/name.
func (r Release) String() string { return r.Namespace + "/" + r.Name }

// ImportID is the helm provider's import ID of the release: namespace/name
// (terraform-provider-helm v3, parseImportIdentifier).
// The same as String, today; kept apart so that neither changes the other.
func (r Release) ImportID() string { return r.String() }

// Stack is what recovery needs of a synthesized apps stack.
type Stack struct {
	// Name is the stack's folder name, e.g. apps-dev.
	Name     string
	Cluster  Cluster
	Releases []Release
	// DependsOn lists, by release address, the addresses it depends on.
	DependsOn map[string][]string
}

// LookupEnv reads an environment variable; os.LookupEnv in production.
type LookupEnv func(key string) (string, bool)

type stackJSON struct {
	Variable map[string]struct {
		Default any `json:"default"`
	} `json:"variable"`
	Resource struct {
		HelmRelease map[string]struct {
			DependsOn []string `json:"depends_on"`
		} `json:"helm_release"`
	} `json:"resource"`
}

// LoadStack reads the releases and the cluster of the synthesized stack in
// dir (its cdk.tf.json). The cluster is the kubeconfig_path and
// kube_context variables' defaults, overridden by TF_VAR_kubeconfig_path
// and TF_VAR_kube_context exactly as Terraform overrides them.
func LoadStack(dir string, env LookupEnv) (Stack, error) {
	file := filepath.Join(dir, "cdk.tf.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return Stack{}, fmt.Errorf("reading the stack: %w", err)
	}
	var doc stackJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return Stack{}, fmt.Errorf("reading %s: %w", file, err)
	}
	cluster, err := doc.cluster(env)
	if err != nil {
		return Stack{}, fmt.Errorf("%s: %w", file, err)
	}
	rs, err := render.Releases(dir)
	if err != nil {
		return Stack{}, err
	}
	st := Stack{Name: filepath.Base(dir), Cluster: cluster}
	for _, r := range rs {
		st.Releases = append(st.Releases, Release{Address: r.Address, Name: r.Name, Namespace: r.Namespace,
			Timeout: r.Timeout, MaxHistory: r.MaxHistory, WaitForJobs: r.WaitForJobs})
		if deps := doc.Resource.HelmRelease[r.ID].DependsOn; len(deps) > 0 {
			if st.DependsOn == nil {
				st.DependsOn = map[string][]string{}
			}
			st.DependsOn[r.Address] = deps
		}
	}
	return st, nil
}

// ApplyMargin is what an apply of a stack may take besides its releases'
// waits: init, refresh, the providers, the other resources.
const ApplyMargin = 10 * time.Minute

// LongestApply bounds how long an apply of the stack can hold its state
// lock: the longest chain of releases along depends_on, each counted twice
// (an atomic release waits out its timeout installing or upgrading, then
// again rolling back), plus ApplyMargin.
func (s Stack) LongestApply() time.Duration {
	byAddress := map[string]Release{}
	for _, r := range s.Releases {
		byAddress[r.Address] = r
	}
	memo := map[string]time.Duration{}
	var chain func(r Release, seen map[string]bool) time.Duration
	chain = func(r Release, seen map[string]bool) time.Duration {
		if d, ok := memo[r.Address]; ok {
			return d
		}
		seen[r.Address] = true
		var longest time.Duration
		for _, dep := range s.DependsOn[r.Address] {
			if d, ok := byAddress[dep]; ok && !seen[dep] {
				longest = max(longest, chain(d, seen))
			}
		}
		delete(seen, r.Address)
		memo[r.Address] = longest + 2*r.Timeout
		return memo[r.Address]
	}
	var longest time.Duration
	for _, r := range s.Releases {
		longest = max(longest, chain(r, map[string]bool{}))
	}
	return longest + ApplyMargin
}

func (d stackJSON) cluster(env LookupEnv) (Cluster, error) {
	config := d.variable(env, "kubeconfig_path")
	path, err := ExpandHome(config)
	if err != nil {
		return Cluster{}, err
	}
	driver, _ := env("HELM_DRIVER")
	return Cluster{Kubeconfig: path, Context: d.variable(env, "kube_context"), Driver: driver}, nil
}

// variable is TF_VAR_<name> when set (even empty, as for Terraform), else
// the variable's default.
func (d stackJSON) variable(env LookupEnv, name string) string {
	if v, ok := env("TF_VAR_" + name); ok {
		return v
	}
	if s, ok := d.Variable[name].Default.(string); ok {
		return s
	}
	return ""
}

// ExpandHome expands a leading ~/ (or a lone ~) as the helm provider (and
// the kubernetes backend) does.
func ExpandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expanding %s: %w", path, err)
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~")), nil
}
