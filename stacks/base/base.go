// Package base is the stack of what rarely changes, managed through the
// kubernetes provider: namespaces, quotas, network isolation, RBAC and
// LibreChat's credentials.
package base

import (
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/credentials"
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
	ollamaNS := namespace.New(stack.TF, "ollama", namespace.Config{Name: o.Namespace, App: "ollama", Env: env.Name, PodSecurity: env.Security.PodSecurity})
	libreNS := namespace.New(stack.TF, "librechat", namespace.Config{Name: l.Namespace, App: "librechat", Env: env.Name, PodSecurity: env.Security.PodSecurity})
	namespaces := map[string]string{"ollama": o.Namespace, "librechat": l.Namespace}
	if env.Ingress.Install {
		namespace.New(stack.TF, "ingress_nginx", namespace.Config{Name: env.Ingress.Namespace, App: "ingress-nginx", Env: env.Name, PodSecurity: "baseline"})
		namespaces["ingress_nginx"] = env.Ingress.Namespace
	}
	if env.NvidiaDevicePlugin.Install {
		// The plugin mounts the kubelet's device-plugin directory from the host.
		namespace.New(stack.TF, "nvidia_device_plugin", namespace.Config{Name: env.NvidiaDevicePlugin.Namespace, App: "nvidia-device-plugin", Env: env.Name, PodSecurity: "privileged"})
		namespaces["nvidia_device_plugin"] = env.NvidiaDevicePlugin.Namespace
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
	creds := credentials.New(stack.TF, "librechat_credentials", credentials.Config{Namespace: libreNS.Name, Labels: libreNS.Labels})

	stack.Output("namespaces", "Namespaces of the platform, by app.", namespaces)
	stack.Output("librechat_credentials_secret", "Secret holding LibreChat's credentials (its values are write-only).", creds.Name)
	return Output{Stack: stack.TF}
}

// internet is where model pulls and LibreChat's outbound calls go, on 443.
var internet = networkpolicy.Peer{CIDR: "0.0.0.0/0"}

func ollamaFlows(env config.Environment) []networkpolicy.Flow {
	flows := []networkpolicy.Flow{
		networkpolicy.DNS,
		{Name: "from-librechat", Ingress: true, Peer: networkpolicy.Peer{Namespace: env.LibreChat.Namespace}, Ports: []networkpolicy.Port{{Number: ollama.Port}}},
		{Name: "model-pulls", Peer: internet, Ports: []networkpolicy.Port{{Number: 443}}},
	}
	if env.Ollama.Ingress.Enabled {
		flows = append(flows, networkpolicy.Flow{Name: "from-ingress", Ingress: true, Peer: networkpolicy.Peer{Namespace: env.Ingress.Namespace}, Ports: []networkpolicy.Port{{Number: ollama.Port}}})
	}
	return flows
}

func libreChatFlows(env config.Environment) []networkpolicy.Flow {
	self := networkpolicy.Peer{Namespace: env.LibreChat.Namespace}
	return []networkpolicy.Flow{
		networkpolicy.DNS,
		{Name: "from-ingress", Ingress: true, Peer: networkpolicy.Peer{Namespace: env.Ingress.Namespace}, Ports: []networkpolicy.Port{{Number: librechat.Port}}},
		// LibreChat, MongoDB and Meilisearch talk to each other.
		{Name: "within-namespace-in", Ingress: true, Peer: self},
		{Name: "within-namespace-out", Peer: self},
		{Name: "to-ollama", Peer: networkpolicy.Peer{Namespace: env.Ollama.Namespace}, Ports: []networkpolicy.Port{{Number: ollama.Port}}},
		{Name: "https-out", Peer: internet, Ports: []networkpolicy.Port{{Number: 443}}},
	}
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
