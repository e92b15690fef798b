// Package librechat installs LibreChat, with MongoDB and Meilisearch, from its
// OCI chart, wired to an in-cluster Ollama and to credentials from existing
// Secrets, one per pod with only the keys it reads. MongoDB runs with
// authentication.
package librechat

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/constructs/helmrelease"
	"github.com/llm-platform/cdktf-llm/constructs/ingress"
	"github.com/llm-platform/cdktf-llm/placement"
)

// Ports of LibreChat (HTTP) and of its MongoDB and Meilisearch Services and
// containers, as the pinned charts set them.
const (
	Port            = 3080
	MongoDBPort     = 27017
	MeilisearchPort = 7700
)

// MongoDBUser is the MongoDB user LibreChat logs in as and MongoDBDatabase
// its database, the one in the chart's own MONGO_URI; MongoDB creates both
// when it first starts on an empty volume. The root user keeps Bitnami's
// default name, root.
const (
	MongoDBUser     = "librechat"
	MongoDBDatabase = "LibreChat"
)

// PodLabels select LibreChat's pods of a release: the Deployment's selector
// labels (librechat.selectorLabels in the chart's _helpers.tpl), whose name
// is librechat.fullname, the fullnameOverride New sets to the release name.
func PodLabels(release string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": helmName(release), "app.kubernetes.io/instance": release}
}

// MongoDBPodLabels select the Bitnami MongoDB subchart's pods: the
// standalone Deployment's selector (common.labels.matchLabels, whose name is
// the chart's name, plus app.kubernetes.io/component: mongodb).
func MongoDBPodLabels(release string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "mongodb", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "mongodb"}
}

// MeilisearchPodLabels select the meilisearch subchart's pod: the
// StatefulSet's selector (meilisearch.selectorLabels, named after the chart).
func MeilisearchPodLabels(release string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "meilisearch", "app.kubernetes.io/instance": release}
}

// MongoDBService is the name of MongoDB's Service, as the subchart's
// mongodb.service.nameOverride helper renders it for a standalone MongoDB
// without service.nameOverride: common.names.fullname, that is the release
// name made a DNS label, followed by -mongodb unless it contains mongodb.
func MongoDBService(release string) string {
	name := bitnamiRelease.ReplaceAllString(strings.ToLower(release), "-")
	if !strings.Contains(name, "mongodb") {
		name += "-mongodb"
	}
	return helmName(name)
}

// MongoDBHost is MongoDB's in-cluster host name, as in the chart's MONGO_URI.
func MongoDBHost(release, namespace string) string {
	return fmt.Sprintf("%s.%s.svc.cluster.local", MongoDBService(release), strings.ToLower(namespace))
}

// bitnamiRelease is what common.names.fullname replaces with "-" in a
// release name.
var bitnamiRelease = regexp.MustCompile(`(-?[^a-z\d\-])+-?`)

// helmName is the charts' `trunc 63 | trimSuffix "-"`.
func helmName(s string) string {
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimSuffix(s, "-")
}

// Chart is LibreChat's OCI chart; the apps stack gives its version and locked digest.
var Chart = helmrelease.Chart{Repository: "oci://ghcr.io/danny-avila/librechat-chart", Name: "librechat"}

// ConfigVersion is the librechat.yaml schema version we write.
const ConfigVersion = "1.2.8"

// Config is one LibreChat release.
type Config struct {
	// Release names the release; its Chart is this package's Chart, at a
	// locked version and digest (the apps stack gives them). Required.
	Release helmrelease.Config
	// CredentialsSecret is LibreChat's environment Secret, read after its
	// ConfigMap: CREDS_KEY, CREDS_IV, JWT_SECRET, JWT_REFRESH_SECRET,
	// MEILI_MASTER_KEY and MONGO_URI. Required.
	CredentialsSecret string
	// MeilisearchSecret holds Meilisearch's MEILI_MASTER_KEY, and nothing
	// else: the subchart passes the whole Secret to its pod. Required.
	MeilisearchSecret string
	// MongoDBSecret is the Bitnami subchart's auth.existingSecret, with the
	// keys mongodb-root-password and mongodb-passwords (MongoDBUser's).
	// Required.
	MongoDBSecret string
	// OllamaURL is Ollama's in-cluster address, without /v1. Required.
	OllamaURL string
	// Models are offered before LibreChat has fetched Ollama's list. Default none.
	Models []string
	// Resources of the LibreChat container. Required.
	Resources placement.Resources
	// MongoDB and Meilisearch are the data stores. Required.
	MongoDB, Meilisearch Store
	// Images is the volume of uploaded images. Required.
	Images placement.Volume
	// Ingress exposes LibreChat when set. Default none.
	Ingress *ingress.Config
	// SignUp is who may create an account: config.SignUpClosed,
	// SignUpOpen or SignUpDomains (AllowedDomains only). Required.
	SignUp string
	// AllowedDomains are the email domains that may sign up with
	// SignUpDomains.
	AllowedDomains []string
	// PodSecurity is the Pod Security Admission level the release's
	// namespace enforces. Default "", like privileged and baseline: the
	// charts' own security contexts. restricted adds what LibreChat's and
	// Meilisearch's pods lack for it (see restricted); MongoDB's meet it as
	// Bitnami ships them.
	PodSecurity api.Level
}

// Store is a data store's volume and its container's resources.
type Store struct {
	// Volume is the store's persistent volume. Required.
	Volume placement.Volume
	// Resources of the store's container. Required: MongoDB's replace the
	// Bitnami chart's resourcesPreset, Meilisearch's chart sets none.
	Resources placement.Resources
}

// Output is the installed release and where it answers.
type Output struct {
	Release helmrelease.Output
	// URL is where people reach LibreChat: the ingress URL, else in-cluster.
	URL string
}

// New creates helm_release.<id>.
func New(scope constructs.Construct, id string, c Config) (Output, error) {
	if c.CredentialsSecret == "" || c.MeilisearchSecret == "" || c.MongoDBSecret == "" {
		return Output{}, fmt.Errorf("librechat %s: CredentialsSecret, MeilisearchSecret and MongoDBSecret are required", c.Release.Name)
	}
	if _, err := api.ParseLevel(string(c.PodSecurity)); c.PodSecurity != "" && err != nil {
		return Output{}, fmt.Errorf("librechat %s: PodSecurity: %w", c.Release.Name, err)
	}
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
	// SecurityContexts are LibreChat's pod's and container's.
	SecurityContexts
}

// SecurityContexts are a chart's podSecurityContext and securityContext (its
// container's), set under the restricted level only. Helm merges them into
// the chart's defaults key by key.
type SecurityContexts struct {
	PodSecurityContext *corev1.PodSecurityContext `json:"podSecurityContext,omitempty"`
	SecurityContext    *corev1.SecurityContext    `json:"securityContext,omitempty"`
}

// Global is global.librechat.
type Global struct {
	LibreChat struct {
		ExistingSecretName string `json:"existingSecretName"`
	} `json:"librechat"`
}

// LibreChatValues is the chart's librechat: section.
type LibreChatValues struct {
	// ConfigEnv holds the sign-up switches (SignUpEnv) and nothing else:
	// every configEnv value reaches the ConfigMap, which must hold no
	// credential (the chart ships none). It is never null, because
	// configmap-env.yaml's dig into a null configEnv fails. MONGO_URI stays the chart's (configmap-env.yaml
	// renders it when configEnv has none), the same host without credentials;
	// the CredentialsSecret's MONGO_URI, with the password, comes after the
	// ConfigMap in envFrom, and the later source wins.
	ConfigEnv         map[string]string `json:"configEnv"`
	ConfigYamlContent string            `json:"configYamlContent"`
	ImageVolume       ImageVolume       `json:"imageVolume"`
}

// ImageVolume is librechat.imageVolume, where uploaded images live.
type ImageVolume struct {
	Enabled          bool   `json:"enabled"`
	Size             string `json:"size"`
	StorageClassName string `json:"storageClassName,omitempty"`
}

// MongoDB is the Bitnami mongodb subchart's section.
type MongoDB struct {
	Enabled bool        `json:"enabled"`
	Auth    MongoDBAuth `json:"auth"`
	// NetworkPolicy is the subchart's own policy, which would otherwise admit
	// 27017 from every namespace; the base stack's policies admit LibreChat.
	NetworkPolicy MongoDBNetworkPolicy `json:"networkPolicy"`
	// Resources replace the chart's resourcesPreset.
	Resources placement.Resources `json:"resources"`
	// UpdateStrategy Recreate: a standalone MongoDB owns one ReadWriteOnce
	// volume, so a second pod during a rolling update could not start (and
	// would not fit LibreChat's quota).
	UpdateStrategy UpdateStrategy `json:"updateStrategy"`
	Persistence    Persistence    `json:"persistence"`
}

// MongoDBAuth is mongodb.auth: authentication on, the passwords from
// ExistingSecret, and one user with its database, created when MongoDB first
// starts on an empty volume.
type MongoDBAuth struct {
	Enabled        bool     `json:"enabled"`
	ExistingSecret string   `json:"existingSecret"`
	Usernames      []string `json:"usernames"`
	Databases      []string `json:"databases"`
}

// MongoDBNetworkPolicy is mongodb.networkPolicy.
type MongoDBNetworkPolicy struct {
	// AllowExternal false admits only MongoDB's own pods (and what the other
	// fields add), instead of any source.
	AllowExternal bool `json:"allowExternal"`
	// AllowExternalEgress false limits MongoDB's egress to DNS and its peers.
	AllowExternalEgress bool `json:"allowExternalEgress"`
	// AddExternalClientAccess false admits no pods by the chart's
	// <fullname>-client label, which anyone who can create a pod can set.
	AddExternalClientAccess bool `json:"addExternalClientAccess"`
}

// UpdateStrategy is a Deployment's strategy.
type UpdateStrategy struct {
	Type string `json:"type"`
}

// Meilisearch is the meilisearch subchart's section.
type Meilisearch struct {
	Enabled bool `json:"enabled"`
	// Environment is merged into the chart's, which keeps MEILI_NO_ANALYTICS.
	Environment map[string]string `json:"environment"`
	Auth        struct {
		ExistingMasterKeySecret string `json:"existingMasterKeySecret"`
	} `json:"auth"`
	Resources   placement.Resources `json:"resources"`
	Persistence Persistence         `json:"persistence"`
	SecurityContexts
}

// Persistence is a subchart's persistence section.
type Persistence struct {
	Enabled      bool   `json:"enabled"`
	Size         string `json:"size"`
	StorageClass string `json:"storageClass,omitempty"`
}

// SignUpEnv is the environment that makes LibreChat's sign-up signUp
// (.env.example: ALLOW_REGISTRATION, ALLOW_EMAIL_LOGIN,
// ALLOW_SOCIAL_REGISTRATION): email login stays on, sign-up is on for open
// and domains (librechat.yaml's registration.allowedDomains then limits
// it), and sign-up through social logins, of which none is configured, off.
func SignUpEnv(signUp string) (map[string]string, error) {
	allow := map[string]string{config.SignUpClosed: "false", config.SignUpOpen: "true", config.SignUpDomains: "true"}[signUp]
	if allow == "" {
		return nil, fmt.Errorf("sign-up %q is not closed, open or domains", signUp)
	}
	return map[string]string{"ALLOW_EMAIL_LOGIN": "true", "ALLOW_REGISTRATION": allow, "ALLOW_SOCIAL_REGISTRATION": "false"}, nil
}

func values(c Config) (Values, error) {
	env, err := SignUpEnv(c.SignUp)
	if err != nil {
		return Values{}, err
	}
	if c.SignUp != config.SignUpDomains {
		c.AllowedDomains = nil
	} else if len(c.AllowedDomains) == 0 {
		return Values{}, fmt.Errorf("sign-up by domains needs AllowedDomains")
	}
	cfg, err := ConfigYAML(c.OllamaURL, c.Models, c.AllowedDomains)
	if err != nil {
		return Values{}, err
	}
	v := Values{
		FullnameOverride: c.Release.Name,
		LibreChat: LibreChatValues{
			ConfigEnv:         env,
			ConfigYamlContent: cfg,
			ImageVolume:       ImageVolume{Enabled: true, Size: c.Images.Size, StorageClassName: c.Images.StorageClass},
		},
		Resources: c.Resources,
		Ingress:   ingress.ValuesFor(c.Ingress, c.Release.Name, "ImplementationSpecific"),
		MongoDB: MongoDB{
			Enabled: true,
			Auth: MongoDBAuth{
				Enabled:        true,
				ExistingSecret: c.MongoDBSecret,
				Usernames:      []string{MongoDBUser},
				Databases:      []string{MongoDBDatabase},
			},
			NetworkPolicy:  MongoDBNetworkPolicy{AllowExternal: false, AllowExternalEgress: false, AddExternalClientAccess: false},
			Resources:      c.MongoDB.Resources,
			UpdateStrategy: UpdateStrategy{Type: "Recreate"},
			Persistence:    persistence(c.MongoDB.Volume),
		},
		Meilisearch: Meilisearch{
			Enabled: true,
			// production requires the master key; with existingMasterKeySecret
			// set the chart generates none of its own (isProductionWithoutMasterKey).
			Environment: map[string]string{"MEILI_ENV": "production"},
			Resources:   c.Meilisearch.Resources,
			Persistence: persistence(c.Meilisearch.Volume),
		},
	}
	if c.PodSecurity == api.LevelRestricted {
		v.SecurityContexts, v.Meilisearch.SecurityContexts = restricted(), restricted()
	}
	v.Global.LibreChat.ExistingSecretName = c.CredentialsSecret
	v.Meilisearch.Auth.ExistingMasterKeySecret = c.MeilisearchSecret
	return v, nil
}

// restricted is what LibreChat's and Meilisearch's pods lack for the
// restricted Pod Security level. Both charts write podSecurityContext and
// securityContext into the pod as they are (deployment.yaml,
// statefulset.yaml), merged with their defaults, which keep: LibreChat's
// fsGroup 2000 and its container's runAsUser 1000, runAsNonRoot and
// capabilities.drop ALL; Meilisearch's runAsUser, runAsGroup and fsGroup
// 1000, runAsNonRoot, and its container's drop ALL,
// allowPrivilegeEscalation false and readOnlyRootFilesystem. What both lack
// is the seccomp profile, LibreChat also allowPrivilegeEscalation false; the
// rest is stated again so that the level does not hang on the defaults.
func restricted() SecurityContexts {
	return SecurityContexts{
		PodSecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		SecurityContext:    &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
	}
}

func persistence(v placement.Volume) Persistence {
	return Persistence{Enabled: true, Size: v.Size, StorageClass: v.StorageClass}
}

// ConfigYAML is the librechat.yaml that offers Ollama as a custom endpoint
// at ollamaURL + /v1, fetching its model list, and limits sign-up to the
// email domains allowedDomains, if any (registration.allowedDomains).
func ConfigYAML(ollamaURL string, models, allowedDomains []string) (string, error) {
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
	if len(allowedDomains) > 0 {
		doc["registration"] = map[string]any{"allowedDomains": allowedDomains}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("librechat.yaml: %w", err)
	}
	return string(out), nil
}
