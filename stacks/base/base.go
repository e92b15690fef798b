// Package base is the stack of what rarely changes, managed through the
// kubernetes provider: namespaces, quotas, network isolation, RBAC and
// LibreChat's credentials.
package base

import (
	"net/url"
	"regexp"
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/credentials"
	"github.com/llm-platform/cdktf-llm/constructs/ingressnginx"
	"github.com/llm-platform/cdktf-llm/constructs/librechat"
	"github.com/llm-platform/cdktf-llm/constructs/namespace"
	"github.com/llm-platform/cdktf-llm/constructs/networkpolicy"
	"github.com/llm-platform/cdktf-llm/constructs/ollama"
	"github.com/llm-platform/cdktf-llm/constructs/quota"
	"github.com/llm-platform/cdktf-llm/constructs/rbac"
	platformstack "github.com/llm-platform/cdktf-llm/stacks/stack"
)

// Name is the base stack's name in an environment.
func Name(env string) string { return "base-" + env }

// Output is what the apps stack builds on.
type Output struct {
	Stack cdktf.TerraformStack
}

// NewStack adds base-<env> to app.
func NewStack(app constructs.Construct, env config.Environment) Output {
	stack := platformstack.New(app, Name(env.Name), env)
	provider.NewKubernetesProvider(stack.TF, jsii.String("kubernetes"), &provider.KubernetesProviderConfig{
		ConfigPath:    stack.Cluster.ConfigPath,
		ConfigContext: stack.Cluster.ConfigContext,
	})

	o, l := env.Ollama, env.LibreChat
	// The apps' namespaces hold their data (models, MongoDB, Meilisearch).
	protect := env.PreventsDestroy()
	ollamaNS := namespace.New(stack.TF, "ollama", namespace.Config{Name: o.Namespace, App: "ollama", Env: env.Name, PodSecurity: env.Security.PodSecurity, PreventDestroy: protect})
	libreNS := namespace.New(stack.TF, "librechat", namespace.Config{Name: l.Namespace, App: "librechat", Env: env.Name, PodSecurity: env.Security.PodSecurity, PreventDestroy: protect})
	namespaces := map[string]string{"ollama": o.Namespace, "librechat": l.Namespace}
	if env.Ingress.Install {
		ns := namespace.New(stack.TF, "ingress_nginx", namespace.Config{Name: env.Ingress.Namespace, App: "ingress-nginx", Env: env.Name, PodSecurity: "baseline"})
		namespaces["ingress_nginx"] = env.Ingress.Namespace
		networkpolicy.New(stack.TF, "ingress_nginx", networkpolicy.Config{Namespace: ns.Name, Labels: ns.Labels, Allow: ingressNginxFlows(env)})
	}
	if env.NvidiaDevicePlugin.Install {
		// The plugin mounts the kubelet's device-plugin directory from the host.
		ns := namespace.New(stack.TF, "nvidia_device_plugin", namespace.Config{Name: env.NvidiaDevicePlugin.Namespace, App: "nvidia-device-plugin", Env: env.Name, PodSecurity: "privileged"})
		namespaces["nvidia_device_plugin"] = env.NvidiaDevicePlugin.Namespace
		// The plugin talks to the kubelet over a socket on the host: it
		// needs no network at all, so nothing is allowed.
		networkpolicy.New(stack.TF, "nvidia_device_plugin", networkpolicy.Config{Namespace: ns.Name, Labels: ns.Labels})
	}

	ollamaHard := hard(o.Quota.Quota)
	ollamaHard["requests."+o.GPU.ResourceName] = strconv.Itoa(o.Quota.GPUs)
	quota.New(stack.TF, "ollama", quota.Config{Namespace: ollamaNS.Name, Labels: ollamaNS.Labels, Hard: ollamaHard,
		DefaultRequest: cpuMemory(o.LimitRange.DefaultRequest), Default: cpuMemory(o.LimitRange.Default)})
	quota.New(stack.TF, "librechat", quota.Config{Namespace: libreNS.Name, Labels: libreNS.Labels, Hard: hard(l.Quota),
		DefaultRequest: cpuMemory(l.LimitRange.DefaultRequest), Default: cpuMemory(l.LimitRange.Default)})

	networkpolicy.New(stack.TF, "ollama", networkpolicy.Config{Namespace: ollamaNS.Name, Labels: ollamaNS.Labels, Allow: ollamaFlows(env)})
	networkpolicy.New(stack.TF, "librechat", networkpolicy.Config{Namespace: libreNS.Name, Labels: libreNS.Labels, Allow: libreChatFlows(env)})

	rbac.New(stack.TF, "platform", rbac.Config{
		Env:             env.Name,
		Namespaces:      map[string]*string{"ollama": ollamaNS.Name, "librechat": libreNS.Name},
		DeveloperGroups: env.Access.DeveloperGroups,
		ViewerGroups:    env.Access.ViewerGroups,
		Labels:          namespace.Labels("llm-platform", env.Name),
	})
	var basicAuth []credentials.BasicAuth
	if o.Ingress.Enabled && o.Ingress.Auth.Type == config.AuthBasic {
		basicAuth = append(basicAuth, credentials.BasicAuth{App: "ollama", Namespace: ollamaNS.Name, Labels: ollamaNS.Labels})
	}
	if l.Ingress.Enabled && l.Ingress.Auth.Type == config.AuthBasic {
		basicAuth = append(basicAuth, credentials.BasicAuth{App: "librechat", Namespace: libreNS.Name, Labels: libreNS.Labels})
	}
	creds := credentials.New(stack.TF, "librechat_credentials", credentials.Config{
		BasicAuth: basicAuth,
		Namespace: libreNS.Name,
		Labels:    libreNS.Labels,
		MongoDB: credentials.MongoDB{
			Host:     librechat.MongoDBHost(l.Release.Name, l.Namespace),
			Port:     librechat.MongoDBPort,
			User:     librechat.MongoDBUser,
			Database: librechat.MongoDBDatabase,
		},
	})

	stack.Output("namespaces", "Namespaces of the platform, by app.", namespaces)
	stack.Output("librechat_credentials_secret", "Secret holding LibreChat's credentials (its values are write-only).", creds.LibreChat)
	stack.Output("meilisearch_credentials_secret", "Secret holding Meilisearch's master key (write-only).", creds.Meilisearch)
	stack.Output("mongodb_credentials_secret", "Secret holding MongoDB's passwords (write-only).", creds.MongoDB)
	return Output{Stack: stack.TF}
}

// internet is where model pulls and LibreChat's outbound calls go, on 443.
var internet = networkpolicy.Peer{CIDRs: []string{"0.0.0.0/0"}}

// ports is one TCP port.
func ports(n int) []networkpolicy.Port { return []networkpolicy.Port{{Number: n}} }

// The apps' pods, selected by the labels their charts give them for the
// configured release names.
func ollamaPods(env config.Environment) map[string]string {
	return ollama.PodLabels(env.Ollama.Release.Name)
}

func libreChatPods(env config.Environment) map[string]string {
	return librechat.PodLabels(env.LibreChat.Release.Name)
}

func ollamaFlows(env config.Environment) []networkpolicy.Flow {
	pods := ollamaPods(env)
	flows := []networkpolicy.Flow{
		networkpolicy.DNS,
		{Name: "from-librechat", Ingress: true, Pods: pods, Peer: networkpolicy.Peer{Namespace: env.LibreChat.Namespace, Pods: libreChatPods(env)}, Ports: ports(ollama.Port)},
		{Name: "model-pulls", Pods: pods, Peer: internet, Ports: ports(443)},
	}
	if env.Ollama.Ingress.Enabled {
		flows = append(flows, networkpolicy.Flow{Name: "from-ingress", Ingress: true, Pods: pods, Peer: networkpolicy.Peer{Namespace: env.Ingress.Namespace}, Ports: ports(ollama.Port)})
	}
	return flows
}

func libreChatFlows(env config.Environment) []networkpolicy.Flow {
	release := env.LibreChat.Release.Name
	pods := libreChatPods(env)
	mongodb, meilisearch := librechat.MongoDBPodLabels(release), librechat.MeilisearchPodLabels(release)
	return []networkpolicy.Flow{
		networkpolicy.DNS,
		{Name: "from-ingress", Ingress: true, Pods: pods, Peer: networkpolicy.Peer{Namespace: env.Ingress.Namespace}, Ports: ports(librechat.Port)},
		// LibreChat's own stores, each reached by LibreChat alone; a flow
		// inside the namespace needs both ends' policies.
		{Name: "to-mongodb", Pods: pods, Peer: networkpolicy.Peer{Pods: mongodb}, Ports: ports(librechat.MongoDBPort)},
		{Name: "mongodb-from-librechat", Ingress: true, Pods: mongodb, Peer: networkpolicy.Peer{Pods: pods}, Ports: ports(librechat.MongoDBPort)},
		{Name: "to-meilisearch", Pods: pods, Peer: networkpolicy.Peer{Pods: meilisearch}, Ports: ports(librechat.MeilisearchPort)},
		{Name: "meilisearch-from-librechat", Ingress: true, Pods: meilisearch, Peer: networkpolicy.Peer{Pods: pods}, Ports: ports(librechat.MeilisearchPort)},
		{Name: "to-ollama", Pods: pods, Peer: networkpolicy.Peer{Namespace: env.Ollama.Namespace, Pods: ollamaPods(env)}, Ports: ports(ollama.Port)},
		{Name: "https-out", Pods: pods, Peer: internet, Ports: ports(443)},
	}
}

// ingressNginxFlows isolate the controller: it takes HTTP and HTTPS from
// anywhere, its admission webhook from the API server, its metrics from
// ingress.metricsFrom; it reaches the API server (as do the chart's hook
// Jobs, which write the webhook's certificate) and the apps it publishes.
//
// The API server is not a pod: NetworkPolicy can name it only by address
// (cluster.apiServerCIDRs). Whether a CNI applies such an ipBlock to the
// API server's calls depends on where it runs: on a control-plane node of
// the cluster its traffic comes from a host address (Calico and Cilium
// match it by the node's address, Cilium also as the remote-node entity),
// on a managed control plane from the provider's network.
func ingressNginxFlows(env config.Environment) []networkpolicy.Flow {
	controller := ingressnginx.ControllerPodLabels(ingressnginx.ReleaseName)
	apiServer := networkpolicy.Peer{CIDRs: env.Cluster.APIServerCIDRs}
	var apiPorts []networkpolicy.Port
	for _, p := range config.APIServerPorts {
		apiPorts = append(apiPorts, networkpolicy.Port{Number: p})
	}
	flows := []networkpolicy.Flow{
		networkpolicy.DNS,
		{Name: "http-https", Ingress: true, Pods: controller, Ports: []networkpolicy.Port{{Number: ingressnginx.HTTPPort}, {Number: ingressnginx.HTTPSPort}}},
		{Name: "webhook-from-api-server", Ingress: true, Pods: controller, Peer: apiServer, Ports: ports(ingressnginx.WebhookPort)},
		{Name: "to-api-server", Peer: apiServer, Ports: apiPorts},
	}
	if env.LibreChat.Ingress.Enabled {
		flows = append(flows, networkpolicy.Flow{Name: "to-librechat", Pods: controller, Peer: networkpolicy.Peer{Namespace: env.LibreChat.Namespace, Pods: libreChatPods(env)}, Ports: ports(librechat.Port)})
	}
	if env.Ollama.Ingress.Enabled {
		flows = append(flows, networkpolicy.Flow{Name: "to-ollama", Pods: controller, Peer: networkpolicy.Peer{Namespace: env.Ollama.Namespace, Pods: ollamaPods(env)}, Ports: ports(ollama.Port)})
	}
	for _, a := range []struct {
		app string
		in  config.AppIngress
	}{{"ollama", env.Ollama.Ingress}, {"librechat", env.LibreChat.Ingress}} {
		if a.in.Enabled && a.in.Auth.Type == config.AuthExternal {
			flows = append(flows, externalAuth(a.app, a.in.Auth.URL, controller))
		}
	}
	for _, ns := range env.Ingress.MetricsFrom {
		flows = append(flows, networkpolicy.Flow{Name: "metrics-from-" + ns, Ingress: true, Pods: controller, Peer: networkpolicy.Peer{Namespace: ns}, Ports: ports(ingressnginx.MetricsPort)})
	}
	return flows
}

// inCluster matches a Service's host name, <service>.<namespace>.svc[…].
var inCluster = regexp.MustCompile(`^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.|$)`)

// externalAuth lets the controller ask app's external auth service: a
// Service of the cluster on any port of its namespace (policies see the
// pod's port, not the Service's), else the URL's port anywhere.
func externalAuth(app, rawURL string, controller map[string]string) networkpolicy.Flow {
	f := networkpolicy.Flow{Name: "to-" + app + "-auth", Pods: controller}
	u, err := url.Parse(rawURL)
	if err != nil {
		return f
	}
	if m := inCluster.FindStringSubmatch(u.Hostname()); m != nil {
		f.Peer = networkpolicy.Peer{Namespace: m[1]}
		return f
	}
	port := 443
	if u.Scheme == "http" {
		port = 80
	}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		port = p
	}
	f.Peer, f.Ports = internet, ports(port)
	return f
}

func hard(q config.Quota) map[string]string {
	return map[string]string{
		"requests.cpu":           q.Requests.CPU,
		"requests.memory":        q.Requests.Memory,
		"limits.cpu":             q.Limits.CPU,
		"limits.memory":          q.Limits.Memory,
		"pods":                   strconv.Itoa(q.Pods),
		"persistentvolumeclaims": strconv.Itoa(q.PersistentVolumeClaims),
		"requests.storage":       q.Storage,
	}
}

func cpuMemory(v config.CPUMemory) map[string]string {
	return map[string]string{"cpu": v.CPU, "memory": v.Memory}
}
