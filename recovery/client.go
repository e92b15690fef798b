package recovery

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// RequestTimeout bounds each Kubernetes API request a Client makes, so
// that a cluster that stopped answering fails a read instead of hanging it.
const RequestTimeout = 15 * time.Second

// DefaultGrace is how long a remedy may run past its release's timeout
// before it is abandoned.
const DefaultGrace = 2 * time.Minute

// ConfigFunc gives the Helm configuration (release storage and Kubernetes
// client) of one namespace.
type ConfigFunc func(namespace string) (*action.Configuration, error)

// Client reads Helm's records of releases and applies remedies to them.
type Client struct {
	// Config gives each namespace's Helm configuration; tests give one on
	// storage.Init(driver.NewMemory()) with a fake KubeClient.
	Config ConfigFunc
	// Grace is how long a remedy may run past the release's timeout
	// before Apply gives up on it (DefaultGrace when zero).
	Grace time.Duration
}

// New is a Client for a real cluster: Helm's storage driver of c (the
// Secrets driver, as the helm provider uses by default) and Kubernetes
// client, through c's kubeconfig and context.
func New(c Cluster) *Client {
	return &Client{Config: func(namespace string) (*action.Configuration, error) {
		cfg := new(action.Configuration)
		if err := cfg.Init(c.flags(namespace), namespace, c.Driver, func(string, ...any) {}); err != nil {
			return nil, fmt.Errorf("helm configuration for namespace %s: %w", namespace, err)
		}
		return cfg, nil
	}}
}

func (c Cluster) flags(namespace string) *genericclioptions.ConfigFlags {
	flags := genericclioptions.NewConfigFlags(true)
	kubeconfig, context, timeout := c.Kubeconfig, c.Context, RequestTimeout.String()
	if kubeconfig != "" {
		flags.KubeConfig = &kubeconfig
	}
	flags.Context, flags.Namespace, flags.Timeout = &context, &namespace, &timeout
	return flags
}

// RESTConfig is a client configuration for the cluster, each request
// bounded by timeout.
func (c Cluster) RESTConfig(timeout time.Duration) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = c.Kubeconfig
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: c.Context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig: %w", err)
	}
	config.Timeout = timeout
	return config, nil
}

// Ping asks the cluster for its version, one API call bounded by timeout,
// and returns it (e.g. v1.31.0).
func Ping(c Cluster, timeout time.Duration) (string, error) {
	config, err := c.RESTConfig(timeout)
	if err != nil {
		return "", err
	}
	client, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return "", fmt.Errorf("creating a client: %w", err)
	}
	var version string
	err = bounded(timeout+time.Second, "asking the cluster for its version", func() error {
		v, err := client.ServerVersion()
		if err == nil {
			version = v.GitVersion
		}
		return err
	})
	return version, err
}

// Inspect reads each release's history from Helm's records and decides on
// it. It changes nothing.
func (c *Client) Inspect(releases []Release) ([]Finding, error) {
	out := make([]Finding, 0, len(releases))
	for _, r := range releases {
		_, history, err := c.history(r)
		if err != nil {
			return nil, err
		}
		out = append(out, Finding{Release: r, Decision: Decide(history)})
	}
	return out, nil
}

// Deployed returns the manifest of the release's last deployed revision as
// Helm recorded it, its objects then the hooks that run on install and
// upgrade (as render.Rendered.Manifest has them); "" when Helm has no
// deployed revision of it.
func (c *Client) Deployed(r Release) (string, error) {
	_, history, err := c.history(r)
	if err != nil {
		return "", err
	}
	last := lastDeployed(sortedRevisions(history))
	if last == nil {
		return "", nil
	}
	manifest := last.Manifest
	for _, h := range last.Hooks {
		if !slices.Contains(h.Events, release.HookTest) {
			manifest += "\n---\n# Source: " + h.Path + "\n" + h.Manifest
		}
	}
	return manifest, nil
}

// history is the release's configuration and revisions; none when Helm
// has no record of it.
func (c *Client) history(r Release) (*action.Configuration, []*release.Release, error) {
	cfg, err := c.Config(r.Namespace)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", r, err)
	}
	history, err := cfg.Releases.History(r.Name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return cfg, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", r, err)
	}
	return cfg, history, nil
}

// Outcome is what a remedy did.
type Outcome struct {
	// Done says what changed, e.g. "rolled back to revision 2".
	Done string
	// Kept lists the data-holding objects left in place, e.g.
	// "PersistentVolumeClaim ollama/ollama".
	Kept []string
}

// ErrChanged is returned by Apply when the release's record no longer
// calls for the finding's remedy (someone else acted in between).
var ErrChanged = errors.New("the release's record changed since it was read; run recover again")

// Apply carries out a finding's remedy. It reads the record again first
// and refuses when the decision changed, so it never uninstalls a release
// that has been deployed in the meantime. Each remedy is bounded by the
// release's timeout plus Grace.
func (c *Client) Apply(f Finding) (Outcome, error) {
	cfg, history, err := c.history(f.Release)
	if err != nil {
		return Outcome{}, err
	}
	now := Decide(history)
	if now.Remedy != f.Remedy || now.Target != f.Target || now.Revision != f.Revision || now.Status != f.Status {
		return Outcome{}, fmt.Errorf("recover %s: %w", f.Release, ErrChanged)
	}
	var out Outcome
	switch now.Remedy {
	case Uninstall:
		out, err = c.uninstall(cfg, f.Release, history)
	case Rollback:
		out, err = c.rollback(cfg, f.Release, history, now.Target)
	default:
		return Outcome{}, nil
	}
	if err != nil {
		return out, fmt.Errorf("recover %s/%s: %w", f.Release.Namespace, f.Release.Name, err)
	}
	return out, nil
}

// uninstall removes a release that was never deployed, with its records,
// so that Terraform can install it again. Every revision's stored manifest
// first marks its data-holding objects helm.sh/resource-policy: keep, so
// Helm's uninstall leaves them; hooks do not run.
func (c *Client) uninstall(cfg *action.Configuration, r Release, history []*release.Release) (Outcome, error) {
	if everDeployed(history) {
		return Outcome{}, errors.New("refusing to uninstall a release that was deployed")
	}
	kept, err := markKept(cfg, history)
	if err != nil {
		return Outcome{}, err
	}
	u := action.NewUninstall(cfg)
	u.DisableHooks, u.Wait, u.Timeout = true, true, r.Timeout
	u.Description = "Uninstalled by recover: never deployed"
	err = bounded(r.Timeout+c.grace(), "uninstall", func() error {
		_, err := u.Run(r.Name)
		return err
	})
	out := Outcome{Done: "uninstalled (it was never deployed)", Kept: kept}
	if err != nil {
		return out, fmt.Errorf("uninstall: %w", err)
	}
	return out, nil
}

// markKept rewrites each revision's stored manifest with keepData and
// returns the objects marked (of the latest revision, which uninstall uses).
func markKept(cfg *action.Configuration, history []*release.Release) ([]string, error) {
	var kept []string
	for _, rel := range sortedRevisions(history) {
		manifest, marked, err := keepData(rel.Manifest)
		if err != nil {
			return nil, fmt.Errorf("revision %d: %w", rel.Version, err)
		}
		kept = marked
		if len(marked) == 0 {
			continue
		}
		rel.Manifest = manifest
		if err := cfg.Releases.Update(rel); err != nil {
			return nil, fmt.Errorf("storing revision %d with its claims kept: %w", rel.Version, err)
		}
	}
	return kept, nil
}

// rollback goes back to the target revision, waiting (for Jobs too when the
// release does) at most the release's timeout. Data-holding objects of the
// stuck revision that target lacks are first dropped from its stored
// manifest, so the rollback leaves them in place; nothing is force-replaced
// and nothing created is cleaned up on failure.
func (c *Client) rollback(cfg *action.Configuration, r Release, history []*release.Release, target int) (Outcome, error) {
	revs := sortedRevisions(history)
	current := revs[len(revs)-1]
	left, err := spareData(cfg, current, revs, target)
	if err != nil {
		return Outcome{}, err
	}
	rb := action.NewRollback(cfg)
	rb.Version, rb.Timeout, rb.Wait, rb.WaitForJobs = target, r.Timeout, true, r.WaitForJobs
	rb.MaxHistory, rb.CleanupOnFail, rb.Force, rb.Recreate = r.MaxHistory, false, false, false
	err = bounded(r.Timeout+c.grace(), "rollback", func() error { return rb.Run(r.Name) })
	out := Outcome{Done: fmt.Sprintf("rolled back to revision %d", target), Kept: left}
	if err != nil {
		return out, fmt.Errorf("rollback to revision %d: %w", target, err)
	}
	return out, nil
}

// spareData drops from the current revision's stored manifest the
// data-holding objects the target revision lacks.
func spareData(cfg *action.Configuration, current *release.Release, revs []*release.Release, target int) ([]string, error) {
	var targetRel *release.Release
	for _, rel := range revs {
		if rel.Version == target {
			targetRel = rel
		}
	}
	if targetRel == nil {
		return nil, fmt.Errorf("revision %d is not in the history", target)
	}
	manifest, left, err := dropDataNotIn(current.Manifest, targetRel.Manifest)
	if err != nil || len(left) == 0 {
		return nil, err
	}
	current.Manifest = manifest
	if err := cfg.Releases.Update(current); err != nil {
		return nil, fmt.Errorf("storing revision %d without its claims: %w", current.Version, err)
	}
	return left, nil
}

func (c *Client) grace() time.Duration {
	if c.Grace > 0 {
		return c.Grace
	}
	return DefaultGrace
}

// bounded runs fn and gives up waiting for it after d.
func bounded(d time.Duration, what string, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("%s did not finish within %s; Helm may still be at work: check `helm history` and run recover again", what, d)
	}
}
