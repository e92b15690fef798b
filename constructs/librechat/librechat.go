// Package librechat installs LibreChat, with MongoDB and Meilisearch, from its
// OCI chart, wired to an in-cluster Ollama and to credentials from an
// existing Secret. The chart's demo credentials are removed, never used.
package librechat

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/constructs/placement"
)

// Port is LibreChat's HTTP port.
const Port = 3080

// Chart is LibreChat's OCI chart; Version is set per environment.
var Chart = helmrelease.Chart{Repository: "oci://ghcr.io/danny-avila/librechat-chart", Name: "librechat"}

// ConfigVersion is the librechat.yaml schema version we write.
const ConfigVersion = "1.2.8"

// Config is one LibreChat release.
type Config struct {
	// Release names the release and pins the chart. Required.
	Release helmrelease.Config
	// CredentialsSecret holds CREDS_KEY, CREDS_IV, JWT_SECRET,
	// JWT_REFRESH_SECRET and MEILI_MASTER_KEY. Required.
	CredentialsSecret string
	// OllamaURL is Ollama's in-cluster address, without /v1. Required.
	OllamaURL string
	// Models are offered before LibreChat has fetched Ollama's list.
	Models    []string
	Resources placement.Resources
	// MongoDB, Meilisearch and Images are the three volumes. Required.
	MongoDB, Meilisearch, Images placement.Volume
	// Ingress exposes LibreChat when set.
	Ingress *ingress.Config
}

// Output is the installed release and where it answers.
type Output struct {
	Release helmrelease.Output
	// URL is where people reach LibreChat: the ingress URL, else in-cluster.
	URL string
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (Output, error) {
	c.Release.Chart.Repository, c.Release.Chart.Name = Chart.Repository, Chart.Name
	v, err := values(c)
	if err != nil {
		return Output{}, fmt.Errorf("librechat: %w", err)
	}
	c.Release.Values = v
	r, err := helmrelease.New(scope, id, c.Release)
	if err != nil {
		return Output{}, err
	}
	url := fmt.Sprintf("http://%s.%s.svc.cluster.local:%d", c.Release.Name, c.Release.Namespace, Port)
	if c.Ingress != nil {
		url = c.Ingress.URL()
	}
	return Output{Release: r, URL: url}, nil
}

// Values are the keys of the chart's values.yaml that we set.
type Values struct {
	FullnameOverride string              `json:"fullnameOverride"`
	Global           Global              `json:"global"`
	LibreChat        LibreChatValues     `json:"librechat"`
	Resources        placement.Resources `json:"resources"`
	Ingress          ingress.Values      `json:"ingress"`
	MongoDB          MongoDB             `json:"mongodb"`
	Meilisearch      Meilisearch         `json:"meilisearch"`
}

// Global is global.librechat.
type Global struct {
	LibreChat struct {
		ExistingSecretName string `json:"existingSecretName"`
	} `json:"librechat"`
}

// LibreChatValues is the chart's librechat: section.
type LibreChatValues struct {
	// ConfigEnv nulls the chart's demo credentials: Helm drops a key whose
	// value is null, so they never reach the ConfigMap, and the Secret
	// provides the real ones.
	ConfigEnv         map[string]*string `json:"configEnv"`
	ConfigYamlContent string             `json:"configYamlContent"`
	ImageVolume       ImageVolume        `json:"imageVolume"`
}

// ImageVolume is librechat.imageVolume, where uploaded images live.
type ImageVolume struct {
	Enabled          bool   `json:"enabled"`
	Size             string `json:"size"`
	StorageClassName string `json:"storageClassName,omitempty"`
}

// MongoDB is the Bitnami mongodb subchart's section.
type MongoDB struct {
	Enabled     bool        `json:"enabled"`
	Persistence Persistence `json:"persistence"`
}

// Meilisearch is the meilisearch subchart's section.
type Meilisearch struct {
	Enabled     bool        `json:"enabled"`
	Persistence Persistence `json:"persistence"`
	Auth        struct {
		ExistingMasterKeySecret string `json:"existingMasterKeySecret"`
	} `json:"auth"`
}

// Persistence is a subchart's persistence section.
type Persistence struct {
	Enabled      bool   `json:"enabled"`
	Size         string `json:"size"`
	StorageClass string `json:"storageClass,omitempty"`
}

// demoCredentials are the keys of librechat.configEnv that ship demo values.
var demoCredentials = []string{"CREDS_KEY", "CREDS_IV", "JWT_SECRET", "JWT_REFRESH_SECRET"}

func values(c Config) (Values, error) {
	cfg, err := ConfigYAML(c.OllamaURL, c.Models)
	if err != nil {
		return Values{}, err
	}
	v := Values{
		FullnameOverride: c.Release.Name,
		LibreChat: LibreChatValues{
			ConfigEnv:         map[string]*string{},
			ConfigYamlContent: cfg,
			ImageVolume:       ImageVolume{Enabled: true, Size: c.Images.Size, StorageClassName: c.Images.StorageClass},
		},
		Resources:   c.Resources,
		Ingress:     ingress.ValuesFor(c.Ingress, c.Release.Name, "ImplementationSpecific"),
		MongoDB:     MongoDB{Enabled: true, Persistence: Persistence{Enabled: true, Size: c.MongoDB.Size, StorageClass: c.MongoDB.StorageClass}},
		Meilisearch: Meilisearch{Enabled: true, Persistence: Persistence{Enabled: true, Size: c.Meilisearch.Size, StorageClass: c.Meilisearch.StorageClass}},
	}
	for _, k := range demoCredentials {
		v.LibreChat.ConfigEnv[k] = nil
	}
	v.Global.LibreChat.ExistingSecretName = c.CredentialsSecret
	v.Meilisearch.Auth.ExistingMasterKeySecret = c.CredentialsSecret
	return v, nil
}

// ConfigYAML is the librechat.yaml that offers Ollama as a custom endpoint
// at ollamaURL + /v1, fetching its model list.
func ConfigYAML(ollamaURL string, models []string) (string, error) {
	type modelList struct {
		Default []string `json:"default"`
		Fetch   bool     `json:"fetch"`
	}
	type endpoint struct {
		Name              string    `json:"name"`
		APIKey            string    `json:"apiKey"`
		BaseURL           string    `json:"baseURL"`
		Models            modelList `json:"models"`
		TitleConvo        bool      `json:"titleConvo"`
		TitleModel        string    `json:"titleModel"`
		ModelDisplayLabel string    `json:"modelDisplayLabel"`
	}
	doc := map[string]any{
		"version": ConfigVersion,
		"cache":   true,
		"endpoints": map[string]any{
			"custom": []endpoint{{
				Name: "Ollama",
				// Ollama ignores the key, but LibreChat requires one.
				APIKey:            "ollama",
				BaseURL:           ollamaURL + "/v1",
				Models:            modelList{Default: append([]string{}, models...), Fetch: true},
				TitleConvo:        true,
				TitleModel:        "current_model",
				ModelDisplayLabel: "Ollama",
			}},
		},
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("librechat.yaml: %w", err)
	}
	return string(out), nil
}
