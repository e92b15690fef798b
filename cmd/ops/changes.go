package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	storagev1 "k8s.io/client-go/kubernetes/typed/storage/v1"

	"github.com/llm-platform/cdktf-llm/change"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/recovery"
	"github.com/llm-platform/cdktf-llm/render"
)

// recordDir is where a successful make deploy of env keeps the render it
// deployed, below the project root: the manifests of cdktf.out/manifests/
// <env>/, as the chart check wrote them. They hold no secret (the
// credentials are the base stack's write-only Secrets, never rendered).
// The change check reads them when the cluster does not answer.
func recordDir(root, env string) string { return filepath.Join(root, ".deployed", env) }

// changes is what the change check found for one environment, and what a
// deploy must do first.
type changes struct {
	report change.Report
	// plans are the stacks' planned changes, as summarize lists them.
	plans map[string][]string
	// unplanned is why the stacks were not planned: the cluster did not
	// answer; nil when they were.
	unplanned error
	// removeFirst are the apps stack's releases the change deletes (gone
	// from the code: a release turned off): deploy uninstalls them before
	// the base stack removes their namespaces. A release the change
	// replaces is not among them: uninstalling it alone is a destroy, which
	// Terraform extends to everything that depends on it.
	removeFirst []string
}

// checkChanges plans both stacks of env (with fill for missing secrets)
// and compares what the apps stack will deploy with what is deployed:
// Helm's records when the cluster answers, else the render of the last
// make deploy.
func (o ops) checkChanges(env string, fill []string) (changes, error) {
	out := changes{plans: map[string][]string{}}
	e, err := config.Load(filepath.Join(o.root, config.Dir, env+".yaml"))
	if err != nil {
		return out, err
	}
	st, err := o.appsStack(env)
	if err != nil {
		return out, err
	}
	// Terraform plans (and the helm provider's) ask the cluster; without
	// one, the check compares with the render of the last deploy alone.
	_, unreachable := o.pingCluster(st.Cluster)
	out.unplanned = unreachable
	planned := map[string][]resourceChange{}
	for _, stack := range stacks(env) {
		if unreachable != nil {
			break
		}
		rcs, err := o.plan(env, stack, fill)
		if err != nil {
			return out, err
		}
		planned[stack] = rcs
		out.plans[stack] = summarize(rcs, "")
	}
	in := change.Input{Stack: "apps-" + env}
	for _, rc := range planned["base-"+env] {
		if rc.Type == "kubernetes_namespace_v1" && slices.Contains(rc.Change.Actions, "delete") {
			if name := namespaceName(rc.Change.Before); name != "" {
				in.RemovedNamespaces = append(in.RemovedNamespaces, name)
			}
		}
	}
	next, err := render.Releases(o.stackDir("apps-" + env))
	if err != nil {
		return out, err
	}
	rendered, err := contract.ReadManifests(contract.ManifestsDir(filepath.Join(o.root, "cdktf.out"), env))
	if err != nil {
		return out, err
	}
	in.Next = releasesOf(rendered)
	// What may be deployed: every release of the code and of the state
	// that the plan deletes or replaces (a release turned off, renamed).
	candidates := next
	for _, rc := range planned["apps-"+env] {
		if rc.Type != "helm_release" || !slices.Contains(rc.Change.Actions, "delete") {
			continue
		}
		if len(rc.Change.Actions) == 1 {
			out.removeFirst = append(out.removeFirst, rc.Address)
		}
		name, _ := rc.Change.Before["name"].(string)
		ns, _ := rc.Change.Before["namespace"].(string)
		if name != "" && !slices.ContainsFunc(candidates, func(r render.Release) bool { return r.Name == name && r.Namespace == ns }) {
			candidates = append(candidates, render.Release{Stack: "apps-" + env, Address: rc.Address, Name: name, Namespace: ns})
		}
	}
	if unreachable == nil {
		in.DeployedFrom = "Helm's records (" + st.Cluster.String() + ")"
		helm := o.helmFor(st.Cluster)
		for _, r := range candidates {
			manifest, err := helm.Deployed(recovery.Release{Address: r.Address, Name: r.Name, Namespace: r.Namespace})
			if err != nil {
				return out, fmt.Errorf("apps-%s: reading Helm's record of %s/%s: %w", env, r.Namespace, r.Name, err)
			}
			if manifest == "" {
				continue
			}
			d, err := render.Decode(r, manifest)
			if err != nil {
				return out, err
			}
			in.Deployed = append(in.Deployed, change.Release{Address: r.Address, Name: r.Name, Namespace: r.Namespace, Objects: d.Objects})
		}
		if in.StorageClasses, err = o.storageClasses(st.Cluster); err != nil {
			return out, err
		}
		in.StorageClassesFrom = "the cluster"
	} else {
		dir := recordDir(o.root, env)
		in.DeployedFrom = "the render of the last make deploy (" + relPath(o.root, dir) + "; the cluster does not answer: " + unreachable.Error() + ")"
		recorded, err := contract.ReadManifests(dir)
		if err != nil {
			return out, err
		}
		in.Deployed = releasesOf(recorded)
		for _, sc := range e.Cluster.StorageClasses {
			in.StorageClasses = append(in.StorageClasses, change.StorageClass{Name: sc.Name, Default: sc.Default, AllowVolumeExpansion: &sc.AllowVolumeExpansion})
		}
		if len(e.Cluster.StorageClasses) > 0 {
			in.StorageClassesFrom = "cluster.storageClasses in " + relPath(o.root, e.File)
		}
	}
	for _, a := range e.Changes.Accept {
		in.Accept = append(in.Accept, change.Accepted{Object: a.Object, Rule: a.Rule, Reason: a.Reason})
	}
	out.report = change.Check(in)
	return out, nil
}

// relPath is p relative to root when it is below it, else p.
func relPath(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// releasesOf are rendered releases as the change check takes them.
func releasesOf(rendered []*render.Rendered) []change.Release {
	out := make([]change.Release, len(rendered))
	for i, r := range rendered {
		out[i] = change.Release{Address: r.Release.Address, Name: r.Release.Name, Namespace: r.Release.Namespace, Objects: r.Objects}
	}
	return out
}

// record keeps the render env was just deployed with (recordDir),
// replacing the last one.
func (o ops) record(env string) error {
	src := filepath.Join(o.root, "cdktf.out", "manifests", env)
	dst := recordDir(o.root, env)
	tmp := dst + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("recording the deployed render of %s: %w", env, err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// storageClasses are the cluster's StorageClasses.
func (o ops) storageClasses(c recovery.Cluster) ([]change.StorageClass, error) {
	var client storagev1.StorageClassesGetter
	var err error
	if o.storage != nil {
		client, err = o.storage(c)
	} else {
		client, err = storageClient(c)
	}
	if err != nil {
		return nil, err
	}
	list, err := client.StorageClasses().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the cluster's StorageClasses (%s): %w", c, err)
	}
	var out []change.StorageClass
	for _, sc := range list.Items {
		// Unset is false: the API server allows no expansion then.
		expand := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
		out = append(out, change.StorageClass{
			Name:                 sc.Name,
			Default:              sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true",
			AllowVolumeExpansion: &expand,
		})
	}
	return out, nil
}

func storageClient(c recovery.Cluster) (storagev1.StorageClassesGetter, error) {
	config, err := c.RESTConfig(pingTimeout)
	if err != nil {
		return nil, err
	}
	return storagev1.NewForConfig(config)
}

// plan plans a stack (init first) and returns its resource changes.
func (o ops) plan(env, stack string, fill []string) ([]resourceChange, error) {
	if code, err := o.init(stack); err != nil || code != exitOK {
		return nil, failed(stack+": terraform init", code, err)
	}
	file := "change.tfplan"
	defer os.Remove(filepath.Join(o.stackDir(stack), file))
	args := append([]string{"plan", "-input=false", "-no-color", "-lock-timeout=60s", "-out=" + file}, o.varFile(env)...)
	if code, err := o.terraform(stack, io.Discard, fill, args...); err != nil || code != exitOK {
		return nil, failed(stack+": terraform plan", code, err)
	}
	var buf bytes.Buffer
	if code, err := o.terraform(stack, &buf, nil, "show", "-json", file); err != nil || code != exitOK {
		return nil, failed(stack+": terraform show", code, err)
	}
	p, err := decodePlan(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stack, err)
	}
	return p.ResourceChanges, nil
}

// namespaceName is metadata[0].name of a kubernetes_namespace_v1.
func namespaceName(before map[string]any) string {
	md, _ := before["metadata"].([]any)
	if len(md) == 0 {
		return ""
	}
	m, _ := md[0].(map[string]any)
	name, _ := m["name"].(string)
	return name
}

// write prints the plans, then the change check's report.
func (c changes) write(w io.Writer, env string) {
	for _, stack := range stacks(env) {
		if c.unplanned != nil {
			fmt.Fprintf(w, "%s: not planned: the cluster does not answer (%v)\n", stack, c.unplanned)
			continue
		}
		if len(c.plans[stack]) == 0 {
			fmt.Fprintf(w, "%s: no changes\n", stack)
			continue
		}
		fmt.Fprintf(w, "%s: %d change(s):\n", stack, len(c.plans[stack]))
		for _, l := range c.plans[stack] {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	c.report.Write(w)
}

// diff shows, per environment, what a deploy would change and what the
// change check finds; exit 1 when it finds what make deploy would refuse.
func (o ops) diff(envs []string) (int, error) {
	worst := exitOK
	for _, env := range envs {
		fill, err := o.placeholders(env)
		if err != nil {
			return exitError, err
		}
		c, err := o.checkChanges(env, fill)
		if err != nil {
			return exitError, err
		}
		c.write(o.out, env)
		if err := c.report.Err(); err != nil {
			fmt.Fprintf(o.out, "%s: make deploy would stop here: %v\n", env, err)
			worst = exitError
		}
	}
	return worst, nil
}
