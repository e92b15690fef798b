// Package apps is the stack of the applications, managed as Helm releases:
// Ollama, LibreChat and the add-ons the cluster lacks.
package apps

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v12/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"k8s.io/pod-security-admission/api"

	"github.com/llm-platform/cdktf-llm/chartlock"
	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/credentials"
	"github.com/llm-platform/cdktf-llm/constructs/deviceplugin"
	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/constructs/ingressnginx"
	"github.com/llm-platform/cdktf-llm/constructs/librechat"
	"github.com/llm-platform/cdktf-llm/constructs/ollama"
	"github.com/llm-platform/cdktf-llm/placement"
	"github.com/llm-platform/cdktf-llm/stacks/base"
	platformstack "github.com/llm-platform/cdktf-llm/stacks/stack"
)

// Name is the apps stack's name in an environment.
func Name(env string) string { return "apps-" + env }

// Output is what the stack exposes.
type Output struct {
	OllamaURL, LibreChatURL string
}

// Release ids: each release is helm_release.<id>.
const (
	IngressNginx       = "ingress_nginx"
	NvidiaDevicePlugin = "nvidia_device_plugin"
	Ollama             = "ollama"
	LibreChat          = "librechat"
)

// Charts are the charts env's apps stack installs, by release id, with their
// versions but without digests: what the chart lock must hold for env.
func Charts(env config.Environment) map[string]helmrelease.Chart {
	at := func(c helmrelease.Chart, version string) helmrelease.Chart {
		c.Version = version
		return c
	}
	out := map[string]helmrelease.Chart{
		Ollama:    at(ollama.Chart, env.Ollama.Release.ChartVersion),
		LibreChat: at(librechat.Chart, env.LibreChat.Release.ChartVersion),
	}
	if env.Ingress.Install {
		out[IngressNginx] = at(ingressnginx.Chart, env.Ingress.ChartVersion)
	}
	if env.NvidiaDevicePlugin.Install {
		out[NvidiaDevicePlugin] = at(deviceplugin.Chart, env.NvidiaDevicePlugin.ChartVersion)
	}
	return out
}

// lockedCharts are Charts with the lock's digests; every chart the lock
// lacks is reported, together.
func lockedCharts(env config.Environment, lock *chartlock.Lock) (map[string]helmrelease.Chart, error) {
	out := Charts(env)
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(out)) {
		c := out[id]
		e, err := lock.Entry(c.Repository, c.Name, c.Version)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: helm_release.%s: %w", Name(env.Name), id, err))
			continue
		}
		c.Digest = e.Digest
		out[id] = c
	}
	return out, errors.Join(errs...)
}

// NewStack adds apps-<env> to app. It depends on the base stack, which
// creates the namespaces and the credentials the releases use; both stacks
// read the same config, so no remote state is needed. Every chart comes
// from lock, with its digest; the synth puts the locked archives into the
// stack's folder, where the releases install them from.
func NewStack(app constructs.Construct, env config.Environment, b base.Output, lock *chartlock.Lock) (Output, error) {
	charts, err := lockedCharts(env, lock)
	if err != nil {
		return Output{}, err
	}
	stack := platformstack.New(app, Name(env.Name), env)
	stack.TF.AddDependency(b.Stack)
	provider.NewHelmProvider(stack.TF, jsii.String("helm"), &provider.HelmProviderConfig{
		Kubernetes: &provider.HelmProviderKubernetes{
			ConfigPath:    stack.Cluster.ConfigPath,
			ConfigContext: stack.Cluster.ConfigContext,
		},
	})

	var releases []helmrelease.Output
	var ingressDeps, ollamaDeps []cdktf.ITerraformDependable
	if env.Ingress.Install {
		r, err := ingressnginx.New(stack.TF, IngressNginx, ingressnginx.Config{
			Release:     release(ingressnginx.ReleaseName, env.Ingress.Namespace, charts[IngressNginx], addonTimeout),
			ClassName:   env.Ingress.ClassName,
			ServiceType: env.Ingress.ServiceType,
			Metrics:     len(env.Ingress.MetricsFrom) > 0,
		})
		if err != nil {
			return Output{}, err
		}
		releases = append(releases, r)
		ingressDeps = append(ingressDeps, r.Resource)
	}
	// The base stack gives both app namespaces this level.
	podSecurity := api.Level(env.Security.PodSecurity)
	o := env.Ollama
	gpuNodes := placement.Placement{NodeSelector: o.NodeSelector, Tolerations: o.Tolerations}
	if env.NvidiaDevicePlugin.Install {
		d := env.NvidiaDevicePlugin
		r, err := deviceplugin.New(stack.TF, NvidiaDevicePlugin, deviceplugin.Config{
			Release:   release("nvidia-device-plugin", d.Namespace, charts[NvidiaDevicePlugin], addonTimeout),
			Placement: gpuNodes,
		})
		if err != nil {
			return Output{}, err
		}
		releases = append(releases, r)
		ollamaDeps = append(ollamaDeps, r.Resource)
	}

	ollamaRelease := release(o.Release.Name, o.Namespace, charts[Ollama], o.Release.TimeoutSeconds())
	ollamaRelease.PreventDestroy = env.PreventsDestroy() // the models' volume
	ollamaRelease.DependsOn = append(ollamaDeps, ingressOnly(o.Ingress.Enabled, ingressDeps)...)
	ol, err := ollama.New(stack.TF, Ollama, ollama.Config{
		Release:     ollamaRelease,
		Models:      o.Models,
		GPU:         ollama.GPU{Enabled: o.GPU.Enabled, Type: o.GPU.Type, Count: o.GPU.Count, ResourceName: o.GPU.ResourceName},
		Volume:      o.Persistence,
		Resources:   o.Resources,
		Placement:   gpuNodes,
		Ingress:     appIngress(env.Ingress, "ollama", o.Ingress),
		PodSecurity: podSecurity,
	})
	if err != nil {
		return Output{}, err
	}
	releases = append(releases, ol.Release)

	l := env.LibreChat
	libreRelease := release(l.Release.Name, l.Namespace, charts[LibreChat], l.Release.TimeoutSeconds())
	libreRelease.PreventDestroy = env.PreventsDestroy() // MongoDB, Meilisearch, the uploaded images
	libreRelease.DependsOn = ingressOnly(l.Ingress.Enabled, ingressDeps)
	lc, err := librechat.New(stack.TF, LibreChat, librechat.Config{
		Release:           libreRelease,
		CredentialsSecret: credentials.SecretName,
		MeilisearchSecret: credentials.MeilisearchSecretName,
		MongoDBSecret:     credentials.MongoDBSecretName,
		OllamaURL:         ol.URL,
		Models:            o.Models,
		Resources:         l.Resources,
		MongoDB:           store(l.MongoDB),
		Meilisearch:       store(l.Meilisearch),
		Images:            l.Images,
		Ingress:           appIngress(env.Ingress, "librechat", l.Ingress),
		SignUp:            l.SignUp(),
		AllowedDomains:    l.Registration.AllowedDomains,
		PodSecurity:       podSecurity,
	})
	if err != nil {
		return Output{}, err
	}
	releases = append(releases, lc.Release)

	stack.Output("ollama_url", "Ollama's API inside the cluster.", ol.URL)
	stack.Output("librechat_url", "Where people reach LibreChat.", lc.URL)
	stack.Output("releases", "Helm releases: name, namespace, chart, pinned version, where the chart is published, the sha256 of its locked archive (installed from the stack's charts/ folder) and the deployed revision.", releaseSummary(releases))
	return Output{OllamaURL: ol.URL, LibreChatURL: lc.URL}, nil
}

// addonTimeout bounds the add-ons' installs, in seconds.
const addonTimeout = 600

// release is the common part of a release's config.
func release(name, namespace string, chart helmrelease.Chart, timeoutSeconds int) helmrelease.Config {
	return helmrelease.Config{Name: name, Namespace: namespace, Chart: chart, TimeoutSeconds: timeoutSeconds}
}

// ingressOnly returns deps when the app has an Ingress: the controller's
// admission webhook must be up before an Ingress can be created.
func ingressOnly(enabled bool, deps []cdktf.ITerraformDependable) []cdktf.ITerraformDependable {
	if !enabled {
		return nil
	}
	return deps
}

// appIngress is app's Ingress; basic auth reads the Secret the base stack
// writes for app (ingress.BasicAuthSecret).
func appIngress(cluster config.Ingress, app string, in config.AppIngress) *ingress.Config {
	if !in.Enabled {
		return nil
	}
	c := &ingress.Config{ClassName: cluster.ClassName, Host: in.Host, TLSSecretName: in.TLSSecretName, Annotations: in.Annotations}
	switch in.Auth.Type {
	case config.AuthBasic:
		c.Auth = ingress.Auth{BasicSecret: ingress.BasicAuthSecret(app), Realm: in.Auth.Realm}
	case config.AuthExternal:
		c.Auth = ingress.Auth{URL: in.Auth.URL, SignIn: in.Auth.SignIn}
	}
	return c
}

func store(d config.DataStore) librechat.Store {
	return librechat.Store{Volume: d.Persistence, Resources: d.Resources}
}

func releaseSummary(rs []helmrelease.Output) map[string]any {
	out := map[string]any{}
	for _, r := range rs {
		out[r.Name] = map[string]any{
			"namespace": r.Namespace, "chart": r.Chart.Name, "version": r.Chart.Version,
			"repository": r.Chart.Repository, "digest": r.Chart.Digest, "revision": r.Revision,
		}
	}
	return out
}
