// Package render renders the helm_release resources of a synthesized stack
// with their real charts, in-process and offline, the way the helm provider
// would install them: the release's name, namespace, chart version and
// values, for a target Kubernetes version.
package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/chartlock"
)

// Release is one helm_release of a synthesized stack.
type Release struct {
	// Stack is the stack's name, e.g. apps-dev.
	Stack string
	// Address is the resource's address, e.g. helm_release.librechat.
	Address string
	// ID is the address's name part, e.g. librechat.
	ID string
	// Name and Namespace are the release's.
	Name, Namespace string
	// Chart and Version say which chart: its name and exact version.
	Chart, Version string
	// Archive is the chart archive the release installs: the stack's
	// ./charts/<chart>-<version>.tgz (its chart attribute, which the
	// provider resolves against the stack's folder), joined to dir.
	Archive string
	// Values are the release's values as the provider merges them: the
	// documents of its values list, later ones winning, deep.
	Values map[string]any
	// Timeout, MaxHistory and WaitForJobs are how the provider installs it;
	// unset, the provider's defaults: 300 s, 0 (unlimited), false.
	Timeout     time.Duration
	MaxHistory  int
	WaitForJobs bool
}

// Releases reads the helm_release resources of the stack in dir (a folder
// holding cdk.tf.json), sorted by address.
func Releases(dir string) ([]Release, error) {
	file := filepath.Join(dir, "cdk.tf.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	var doc struct {
		Resource struct {
			HelmRelease map[string]struct {
				Name        string   `json:"name"`
				Namespace   string   `json:"namespace"`
				Repository  string   `json:"repository"`
				Chart       string   `json:"chart"`
				Version     string   `json:"version"`
				Values      []string `json:"values"`
				Set         []any    `json:"set"`
				Timeout     float64  `json:"timeout"`
				MaxHistory  float64  `json:"max_history"`
				WaitForJobs bool     `json:"wait_for_jobs"`
			} `json:"helm_release"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("render: %s: %w", file, err)
	}
	stack := filepath.Base(dir)
	var out []Release
	for id, r := range doc.Resource.HelmRelease {
		addr := "helm_release." + id
		fail := func(format string, a ...any) error {
			return fmt.Errorf("render: %s: %s: %s", stack, addr, fmt.Sprintf(format, a...))
		}
		if len(r.Set) > 0 {
			return nil, fail("set is not supported here; put the value in values")
		}
		for _, f := range [][2]string{{"name", r.Name}, {"namespace", r.Namespace}, {"chart", r.Chart}, {"version", r.Version}} {
			if strings.Contains(f[1], "${") || f[1] == "" {
				return nil, fail("%s is %q; it must be a literal value", f[0], f[1])
			}
		}
		if r.Repository != "" {
			return nil, fail("repository is %q: a release installs its locked archive from the stack's folder (chart %q), never from a repository", r.Repository, chartlock.StackPath("<name>", r.Version))
		}
		chartName, ok := strings.CutPrefix(r.Chart, "./"+chartlock.StackDir+"/")
		if ok {
			chartName, ok = strings.CutSuffix(chartName, "-"+r.Version+".tgz")
		}
		if !ok || chartName == "" || strings.Contains(chartName, "/") {
			return nil, fail("chart is %q; it must be the locked archive in the stack's folder, %q", r.Chart, chartlock.StackPath("<name>", r.Version))
		}
		values := map[string]any{}
		for i, doc := range r.Values {
			if strings.Contains(doc, "${") {
				return nil, fail("values[%d] holds a Terraform reference; rendering needs literal values", i)
			}
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				return nil, fail("values[%d]: %v", i, err)
			}
			merge(values, m)
		}
		timeout := defaultTimeout
		if r.Timeout > 0 {
			timeout = time.Duration(r.Timeout) * time.Second
		}
		out = append(out, Release{
			Stack: stack, Address: addr, ID: id,
			Name: r.Name, Namespace: r.Namespace,
			Chart: chartName, Version: r.Version, Archive: filepath.Join(dir, filepath.FromSlash(r.Chart)),
			Values:  values,
			Timeout: timeout, MaxHistory: int(r.MaxHistory), WaitForJobs: r.WaitForJobs,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// defaultTimeout is the helm provider's default release timeout.
const defaultTimeout = 300 * time.Second

// merge merges src into dst, deep, src winning: the helm provider's merge of
// its values documents.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
