package config

// Chart versions this code is tested with; a config may pin others.
const (
	OllamaChartVersion       = "1.77.0"
	LibreChatChartVersion    = "2.0.8"
	IngressNginxChartVersion = "4.15.1"
	DevicePluginChartVersion = "0.20.0"
)

// DefaultRealm is basic auth's realm when the config names none.
const DefaultRealm = "LLM platform"

// Default is the configuration an empty envs/<name>.yaml gives: a single-node,
// CPU-only platform with small quotas, reached through ingress-nginx.
func Default(name string) Environment {
	return Environment{
		Name:     name,
		Cluster:  Cluster{Kubeconfig: "~/.kube/config", KubernetesVersion: "1.34", APIServerCIDRs: []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}},
		Backend:  Backend{Type: "local", Kubernetes: KubernetesBackend{Namespace: "default"}, S3: S3Backend{KeyPrefix: "llm-platform"}},
		Security: Security{PodSecurity: "baseline"},
		Ingress: Ingress{
			ClassName:    "nginx",
			Namespace:    "ingress-nginx",
			Install:      true,
			ChartVersion: IngressNginxChartVersion,
			ServiceType:  "NodePort",
		},
		Ollama: Ollama{
			Namespace:   "ollama",
			Release:     Release{Name: "ollama", ChartVersion: OllamaChartVersion, Timeout: "30m"},
			Models:      []string{"llama3.2:1b"},
			GPU:         GPU{Type: "nvidia", Count: 1, ResourceName: "nvidia.com/gpu"},
			Persistence: Persistence{Size: "20Gi"},
			Ingress:     AppIngress{Auth: IngressAuth{Type: AuthBasic, Realm: DefaultRealm}},
			Resources: Resources{
				Requests: CPUMemory{CPU: "500m", Memory: "2Gi"},
				Limits:   CPUMemory{CPU: "2", Memory: "6Gi"},
			},
			Quota: OllamaQuota{Quota: Quota{
				Requests:               CPUMemory{CPU: "2", Memory: "4Gi"},
				Limits:                 CPUMemory{CPU: "4", Memory: "8Gi"},
				Pods:                   5,
				PersistentVolumeClaims: 2,
				Storage:                "50Gi",
			}},
			LimitRange: LimitRange{
				DefaultRequest: CPUMemory{CPU: "100m", Memory: "128Mi"},
				Default:        CPUMemory{CPU: "500m", Memory: "512Mi"},
			},
		},
		LibreChat: LibreChat{
			Namespace: "librechat",
			Release:   Release{Name: "librechat", ChartVersion: LibreChatChartVersion, Timeout: "10m"},
			Ingress:   AppIngress{Enabled: true, Host: "chat.localhost", Auth: IngressAuth{Type: AuthNone, Realm: DefaultRealm}},
			Resources: Resources{
				Requests: CPUMemory{CPU: "250m", Memory: "512Mi"},
				Limits:   CPUMemory{CPU: "1", Memory: "1Gi"},
			},
			MongoDB: DataStore{
				Persistence: Persistence{Size: "8Gi"},
				Resources: Resources{
					Requests: CPUMemory{CPU: "250m", Memory: "512Mi"},
					Limits:   CPUMemory{CPU: "1", Memory: "1Gi"},
				},
			},
			Meilisearch: DataStore{
				Persistence: Persistence{Size: "2Gi"},
				Resources: Resources{
					Requests: CPUMemory{CPU: "100m", Memory: "256Mi"},
					Limits:   CPUMemory{CPU: "500m", Memory: "1Gi"},
				},
			},
			Images: Persistence{Size: "2Gi"},
			Quota: Quota{
				Requests:               CPUMemory{CPU: "2", Memory: "4Gi"},
				Limits:                 CPUMemory{CPU: "4", Memory: "8Gi"},
				Pods:                   10,
				PersistentVolumeClaims: 4,
				Storage:                "20Gi",
			},
			LimitRange: LimitRange{
				DefaultRequest: CPUMemory{CPU: "100m", Memory: "128Mi"},
				Default:        CPUMemory{CPU: "500m", Memory: "512Mi"},
			},
		},
		Changes: Changes{ProtectData: "auto"},
		Images: Images{AcceptUnmaintained: []AcceptedImage{{
			Repository: "docker.io/bitnamilegacy/mongodb",
			Reason: "LibreChat " + LibreChatChartVersion + "'s MongoDB subchart runs only Bitnami's image layout, " +
				"whose versioned tags now live only in this frozen repository; pinned at 8.0.13-debian-12-r0 until the chart moves on (README: The MongoDB image)",
		}}},
		NvidiaDevicePlugin: DevicePlugin{Namespace: "nvidia-device-plugin", ChartVersion: DevicePluginChartVersion},
	}
}
