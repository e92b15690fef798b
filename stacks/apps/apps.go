// Package apps is the stack of the applications, managed as Helm releases:
// Ollama, LibreChat and the add-ons the cluster lacks.
package apps

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-helm-go/helm/v12/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"k8s.io/pod-security-admission/api"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/credentials"
	"github.com/llm-platform/cdktf-llm/constructs/deviceplugin"
	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/constructs/ingressnginx"
	"github.com/llm-platform/cdktf-llm/constructs/librechat"
	"github.com/llm-platform/cdktf-llm/constructs/ollama"
	"github.com/llm-platform/cdktf-llm/constructs/placement"
	"github.com/llm-platform/cdktf-llm/stacks/base"
	platformstack "github.com/llm-platform/cdktf-llm/stacks/stack"
)

// Name is the apps stack's name in an environment.
func Name(env string) string { return "apps-" + env }

// Output is what the stack exposes.
type Output struct {
	OllamaURL, LibreChatURL string
}

// NewStack adds apps-<env> to app. It depends on the base stack, which
// creates the namespaces and the credentials the releases use; both stacks
// read the same config, so no remote state is needed.
func NewStack(app constructs.Construct, env config.Environment, b base.Output) (Output, error) {
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
		r, err := ingressnginx.New(stack.TF, "ingress_nginx", ingressnginx.Config{
			Release:     release(ingressnginx.ReleaseName, env.Ingress.Namespace, env.Ingress.ChartVersion, addonTimeout),
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
		r, err := deviceplugin.New(stack.TF, "nvidia_device_plugin", deviceplugin.Config{
			Release:   release("nvidia-device-plugin", d.Namespace, d.ChartVersion, addonTimeout),
			Placement: gpuNodes,
		})
		if err != nil {
			return Output{}, err
		}
		releases = append(releases, r)
		ollamaDeps = append(ollamaDeps, r.Resource)
	}

	ollamaRelease := release(o.Release.Name, o.Namespace, o.Release.ChartVersion, o.Release.TimeoutSeconds())
	ollamaRelease.DependsOn = append(ollamaDeps, ingressOnly(o.Ingress.Enabled, ingressDeps)...)
	ol, err := ollama.New(stack.TF, "ollama", ollama.Config{
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
	libreRelease := release(l.Release.Name, l.Namespace, l.Release.ChartVersion, l.Release.TimeoutSeconds())
	libreRelease.DependsOn = ingressOnly(l.Ingress.Enabled, ingressDeps)
	lc, err := librechat.New(stack.TF, "librechat", librechat.Config{
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
	stack.Output("releases", "Helm releases: name, namespace, chart, pinned version and deployed revision.", releaseSummary(releases))
	return Output{OllamaURL: ol.URL, LibreChatURL: lc.URL}, nil
}

// addonTimeout bounds the add-ons' installs, in seconds.
const addonTimeout = 600

// release is the common part of a release's config.
func release(name, namespace, version string, timeoutSeconds int) helmrelease.Config {
	return helmrelease.Config{Name: name, Namespace: namespace, Chart: helmrelease.Chart{Version: version}, TimeoutSeconds: timeoutSeconds}
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
		out[r.Name] = map[string]any{"namespace": r.Namespace, "chart": r.Chart, "version": r.Version, "revision": r.Revision}
	}
	return out
}
