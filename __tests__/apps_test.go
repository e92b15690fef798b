package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// release returns a helm_release and its decoded values.
func release(t *testing.T, s Stack, name string) (map[string]any, map[string]any) {
	t.Helper()
	r := get(t, s, "resource", "helm_release", name).(map[string]any)
	docs := get(t, r, "values").([]any)
	if len(docs) != 1 {
		t.Fatalf("%s: %d values documents, want 1", name, len(docs))
	}
	var v map[string]any
	if err := yaml.Unmarshal([]byte(docs[0].(string)), &v); err != nil {
		t.Fatalf("%s: values are not YAML: %v", name, err)
	}
	return r, v
}

func TestReleasesArePinnedAndSafe(t *testing.T) {
	charts := map[string][3]string{ // address → repository, chart, version
		"ollama":               {"https://helm.otwld.com/", "ollama", "1.77.0"},
		"librechat":            {"oci://ghcr.io/danny-avila/librechat-chart", "librechat", "2.0.8"},
		"ingress_nginx":        {"https://kubernetes.github.io/ingress-nginx", "ingress-nginx", "4.15.1"},
		"nvidia_device_plugin": {"https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin", "0.20.0"},
	}
	tests := []struct {
		stack string
		want  []string
	}{
		{"apps-dev", []string{"ingress_nginx", "librechat", "ollama"}},
		{"apps-prod", []string{"ingress_nginx", "librechat", "nvidia_device_plugin", "ollama"}},
	}
	for _, tc := range tests {
		t.Run(tc.stack, func(t *testing.T) {
			s := stack(t, tc.stack)
			if got := keys(get(t, s, "resource", "helm_release").(map[string]any)); !slices.Equal(got, tc.want) {
				t.Fatalf("releases %v, want %v", got, tc.want)
			}
			for _, name := range tc.want {
				r, _ := release(t, s, name)
				c := charts[name]
				// The locked archive from the stack's folder, never the
				// repository; the description says where it is published
				// and which bytes it is.
				e, ok := lock(t).Find(c[1], c[2])
				if !ok {
					t.Fatalf("%s: chart %s %s is not in the chart lock", name, c[1], c[2])
				}
				archive := "./charts/" + c[1] + "-" + c[2] + ".tgz"
				if _, has := r["repository"]; has || r["chart"] != archive || r["version"] != c[2] || e.Repository != c[0] {
					t.Errorf("%s: repository %v, chart %v, version %v (lock: %s); want no repository, chart %s, version %s from %s", name, r["repository"], r["chart"], r["version"], e.Repository, archive, c[2], c[0])
				}
				if d, _ := r["description"].(string); d != c[1]+" "+c[2]+" from "+c[0]+", "+e.Digest {
					t.Errorf("%s: description %q; want the chart, its repository and its locked digest", name, d)
				}
				for _, flag := range []string{"atomic", "cleanup_on_fail", "wait", "wait_for_jobs"} {
					if r[flag] != true {
						t.Errorf("%s: %s = %v", name, flag, r[flag])
					}
				}
				if r["create_namespace"] != false || r["max_history"] != float64(10) {
					t.Errorf("%s: create_namespace %v, max_history %v", name, r["create_namespace"], r["max_history"])
				}
			}
			ollama, _ := release(t, s, "ollama")
			if ollama["timeout"].(float64) < 1800 {
				t.Errorf("Ollama's timeout %v leaves too little time for model pulls", ollama["timeout"])
			}
			libre, _ := release(t, s, "librechat")
			if deps := libre["depends_on"]; !slices.Contains(deps.([]any), any("helm_release.ingress_nginx")) {
				t.Errorf("LibreChat's Ingress does not wait for the controller: %v", deps)
			}
		})
	}
	prodOllama, _ := release(t, stack(t, "apps-prod"), "ollama")
	if !slices.Contains(prodOllama["depends_on"].([]any), any("helm_release.nvidia_device_plugin")) {
		t.Errorf("prod's Ollama does not wait for the device plugin: %v", prodOllama["depends_on"])
	}
}

func TestOllamaValues(t *testing.T) {
	tests := []struct {
		stack      string
		gpu        bool
		models     []any
		size, sc   string
		selector   bool
		toleration bool
	}{
		{"apps-dev", false, []any{"llama3.2:1b"}, "10Gi", "", false, false},
		{"apps-prod", true, []any{"llama3.1:8b", "qwen2.5-coder:7b"}, "100Gi", "ssd", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.stack, func(t *testing.T) {
			_, v := release(t, stack(t, tc.stack), "ollama")
			if v["fullnameOverride"] != "ollama" {
				t.Errorf("fullnameOverride %v", v["fullnameOverride"])
			}
			gpu := get(t, v, "ollama", "gpu").(map[string]any)
			if gpu["enabled"] != tc.gpu || gpu["type"] != "nvidia" || gpu["number"] != float64(1) || gpu["nvidiaResource"] != "nvidia.com/gpu" {
				t.Errorf("gpu %v", gpu)
			}
			if got := get(t, v, "ollama", "models", "pull"); !slices.Equal(got.([]any), tc.models) {
				t.Errorf("models %v, want %v", got, tc.models)
			}
			pv := get(t, v, "persistentVolume").(map[string]any)
			if pv["enabled"] != true || pv["size"] != tc.size || (tc.sc != "" && pv["storageClass"] != tc.sc) {
				t.Errorf("persistentVolume %v", pv)
			}
			if !has(v, "resources", "requests", "cpu") || !has(v, "resources", "limits", "memory") {
				t.Errorf("resources %v", v["resources"])
			}
			if has(v, "nodeSelector") != tc.selector || has(v, "tolerations") != tc.toleration {
				t.Errorf("nodeSelector %v, tolerations %v", v["nodeSelector"], v["tolerations"])
			}
			if get(t, v, "ingress", "enabled") != false {
				t.Errorf("Ollama's unauthenticated API is exposed: %v", v["ingress"])
			}
		})
	}
}

func TestLibreChatValues(t *testing.T) {
	for _, env := range environments(t) {
		t.Run(env, func(t *testing.T) {
			s := stack(t, "apps-"+env)
			_, v := release(t, s, "librechat")
			// Every configEnv key reaches the ConfigMap, which holds no
			// credential (a MONGO_URI there would lose to the Secret's):
			// only the sign-up switches, closed on prod's public host.
			allow := map[string]string{"dev": "true", "prod": "false"}[env]
			want := map[string]any{"ALLOW_EMAIL_LOGIN": "true", "ALLOW_REGISTRATION": allow, "ALLOW_SOCIAL_REGISTRATION": "false"}
			if configEnv, ok := get(t, v, "librechat", "configEnv").(map[string]any); !ok || !maps.Equal(configEnv, want) {
				t.Errorf("configEnv %v, want %v", get(t, v, "librechat", "configEnv"), want)
			}
			cm := manifest(t, env, "librechat", "ConfigMap", "librechat-configenv")
			if got := keys(get(t, cm, "data").(map[string]any)); !slices.Equal(got, []string{"ALLOW_EMAIL_LOGIN", "ALLOW_REGISTRATION", "ALLOW_SOCIAL_REGISTRATION", "MEILI_HOST", "MONGO_URI"}) {
				t.Errorf("LibreChat's ConfigMap has keys %v, want the sign-up switches, MEILI_HOST and MONGO_URI only", got)
			}
			for _, sub := range []string{"mongodb", "meilisearch"} {
				if get(t, v, sub, "enabled") != true || get(t, v, sub, "persistence", "enabled") != true || get(t, v, sub, "persistence", "size") == "" {
					t.Errorf("%s is not enabled and persistent: %v", sub, v[sub])
				}
			}
			var lc map[string]any
			if err := yaml.Unmarshal([]byte(get(t, v, "librechat", "configYamlContent").(string)), &lc); err != nil {
				t.Fatal(err)
			}
			ep := get(t, lc, "endpoints", "custom", 0).(map[string]any)
			ollamaURL := get(t, s, "output", "ollama_url", "value").(string)
			if ollamaURL != "http://ollama.ollama.svc.cluster.local:11434" || ep["baseURL"] != ollamaURL+"/v1" {
				t.Errorf("LibreChat's Ollama endpoint %v, Ollama's URL %v", ep["baseURL"], ollamaURL)
			}
			if get(t, ep, "models", "fetch") != true || ep["name"] != "Ollama" {
				t.Errorf("endpoint %v: model fetching must be on", ep)
			}
			ing := get(t, v, "ingress").(map[string]any)
			if ing["enabled"] != true || ing["className"] != "nginx" {
				t.Errorf("ingress %v", ing)
			}
		})
	}
	_, prod := release(t, stack(t, "apps-prod"), "librechat")
	tls := get(t, prod, "ingress", "tls", 0).(map[string]any)
	if tls["secretName"] != "librechat-tls" || get(t, tls, "hosts", 0) != "chat.example.com" {
		t.Errorf("prod TLS %v", tls)
	}
	if get(t, stack(t, "apps-prod"), "output", "librechat_url", "value") != "https://chat.example.com" {
		t.Errorf("prod's LibreChat URL is not https")
	}
	_, dev := release(t, stack(t, "apps-dev"), "librechat")
	if len(get(t, dev, "ingress", "tls").([]any)) != 0 || get(t, stack(t, "apps-dev"), "output", "librechat_url", "value") != "http://chat.localhost" {
		t.Errorf("dev has TLS or a wrong URL")
	}
}

// manifest is one object of a release's manifests, as the synth of the
// shipped environments rendered them.
func manifest(t *testing.T, env, release, kind, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(shipped.dir, "manifests", env, release+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var o map[string]any
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("%s/%s.yaml: %v", env, release, err)
		}
		if o["kind"] == kind && has(o, "metadata", "name") && get(t, o, "metadata", "name") == name {
			return o
		}
	}
	t.Fatalf("%s/%s.yaml has no %s %s", env, release, kind, name)
	return nil
}

// TestRestrictedPodSecurityValues: under security.podSecurity restricted the
// constructs write the security contexts (and Ollama's data path) that make
// each pod meet the restricted level; under baseline and privileged they
// write none of it, so the charts' defaults stay as they were.
func TestRestrictedPodSecurityValues(t *testing.T) {
	tests := []struct {
		release, path string
		want          any // the value as decoded from the values YAML
	}{
		{"ollama", "podSecurityContext.runAsNonRoot", true},
		{"ollama", "podSecurityContext.runAsUser", float64(1000)},
		{"ollama", "podSecurityContext.runAsGroup", float64(1000)},
		{"ollama", "podSecurityContext.fsGroup", float64(1000)},
		{"ollama", "podSecurityContext.fsGroupChangePolicy", "OnRootMismatch"},
		{"ollama", "podSecurityContext.seccompProfile.type", "RuntimeDefault"},
		{"ollama", "securityContext.allowPrivilegeEscalation", false},
		{"ollama", "securityContext.capabilities.drop", []any{"ALL"}},
		// The image's HOME, /root, is root's alone: the volume and HOME move.
		{"ollama", "ollama.mountPath", "/usr/share/ollama/.ollama"},
		{"ollama", "extraEnv", []any{map[string]any{"name": "HOME", "value": "/usr/share/ollama"}}},
		{"librechat", "podSecurityContext.runAsNonRoot", true},
		{"librechat", "podSecurityContext.seccompProfile.type", "RuntimeDefault"},
		{"librechat", "securityContext.allowPrivilegeEscalation", false},
		{"librechat", "securityContext.capabilities.drop", []any{"ALL"}},
		{"librechat", "meilisearch.podSecurityContext.runAsNonRoot", true},
		{"librechat", "meilisearch.podSecurityContext.seccompProfile.type", "RuntimeDefault"},
		{"librechat", "meilisearch.securityContext.allowPrivilegeEscalation", false},
		{"librechat", "meilisearch.securityContext.capabilities.drop", []any{"ALL"}},
	}
	path := func(p string) []any {
		var out []any
		for _, k := range strings.Split(p, ".") {
			out = append(out, k)
		}
		return out
	}
	restricted := synthYAML(t, "strict", "security: {podSecurity: restricted}\n")["apps-strict"]
	for _, tc := range tests {
		t.Run(tc.release+"/"+tc.path, func(t *testing.T) {
			_, v := release(t, restricted, tc.release)
			if got := get(t, v, path(tc.path)...); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("restricted: %s = %#v, want %#v", tc.path, got, tc.want)
			}
		})
	}
	// MongoDB's chart meets restricted as Bitnami ships it.
	_, v := release(t, restricted, "librechat")
	for _, k := range []string{"podSecurityContext", "containerSecurityContext"} {
		if has(v, "mongodb", k) {
			t.Errorf("restricted: mongodb.%s is set: %v", k, get(t, v, "mongodb", k))
		}
	}
	// Only restricted adds these keys.
	added := map[string][]string{
		"ollama":    {"podSecurityContext", "securityContext", "extraEnv", "ollama.mountPath"},
		"librechat": {"podSecurityContext", "securityContext", "meilisearch.podSecurityContext", "meilisearch.securityContext"},
	}
	others := map[string]Stack{"baseline (dev)": stack(t, "apps-dev"), "baseline (prod)": stack(t, "apps-prod"),
		"privileged": synthYAML(t, "open", "security: {podSecurity: privileged}\n")["apps-open"]}
	for level, s := range others {
		for rel, ks := range added {
			_, v := release(t, s, rel)
			for _, k := range ks {
				if has(v, strings.Split(k, ".")...) {
					t.Errorf("%s: %s sets %s: %v", level, rel, k, get(t, v, path(k)...))
				}
			}
		}
	}
}

// TestLibreChatSecretsAndStores: each pod reads its own Secret of the base
// stack, MongoDB runs with authentication and its own policy closed, and
// both stores are sized from the config.
func TestLibreChatSecretsAndStores(t *testing.T) {
	tests := []struct {
		path []any
		want any
	}{
		{[]any{"global", "librechat", "existingSecretName"}, "librechat-credentials-env"},
		{[]any{"meilisearch", "auth", "existingMasterKeySecret"}, "librechat-meilisearch"},
		{[]any{"meilisearch", "environment", "MEILI_ENV"}, "production"},
		{[]any{"mongodb", "auth", "enabled"}, true},
		{[]any{"mongodb", "auth", "existingSecret"}, "librechat-mongodb"},
		{[]any{"mongodb", "auth", "usernames"}, []any{"librechat"}},
		{[]any{"mongodb", "auth", "databases"}, []any{"LibreChat"}},
		{[]any{"mongodb", "networkPolicy", "allowExternal"}, false},
		{[]any{"mongodb", "networkPolicy", "allowExternalEgress"}, false},
		{[]any{"mongodb", "networkPolicy", "addExternalClientAccess"}, false},
		{[]any{"mongodb", "updateStrategy", "type"}, "Recreate"},
		{[]any{"mongodb", "resources"}, map[string]any{"requests": map[string]any{"cpu": "250m", "memory": "512Mi"}, "limits": map[string]any{"cpu": "1", "memory": "1Gi"}}},
		{[]any{"meilisearch", "resources"}, map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "256Mi"}, "limits": map[string]any{"cpu": "500m", "memory": "1Gi"}}},
	}
	for _, env := range environments(t) {
		_, v := release(t, stack(t, "apps-"+env), "librechat")
		secrets := resources(t, stack(t, "base-"+env), "kubernetes_secret_v1")
		names := map[string]bool{}
		for _, s := range secrets {
			names[get(t, s, "metadata", "name").(string)] = true
		}
		for _, tc := range tests {
			t.Run(fmt.Sprint(env, tc.path), func(t *testing.T) {
				got := get(t, v, tc.path...)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%v, want %v", got, tc.want)
				}
				if name, ok := tc.want.(string); ok && strings.HasPrefix(name, "librechat-") && !names[name] {
					t.Errorf("base-%s creates no Secret %s (has %v)", env, name, keys(names))
				}
			})
		}
		if has(v, "mongodb", "auth", "rootUser") || has(v, "mongodb", "auth", "rootPassword") || has(v, "mongodb", "auth", "passwords") {
			t.Errorf("%s: MongoDB's root user or a password is in the release values: %v", env, get(t, v, "mongodb", "auth"))
		}
	}
	// The stores keep their volume fields inline beside their resources.
	s := synthYAML(t, "stores", "librechat:\n  mongodb:\n    size: 9Gi\n    storageClass: fast\n    resources:\n      requests: {cpu: 300m, memory: 600Mi}\n      limits: {cpu: 600m, memory: 1200Mi}\n  meilisearch:\n    size: 3Gi\n    resources:\n      limits: {cpu: 400m, memory: 700Mi}\n")["apps-stores"]
	_, v := release(t, s, "librechat")
	for path, want := range map[string]any{
		"mongodb.persistence.size":           "9Gi",
		"mongodb.persistence.storageClass":   "fast",
		"mongodb.resources.requests.cpu":     "300m",
		"mongodb.resources.limits.memory":    "1200Mi",
		"meilisearch.persistence.size":       "3Gi",
		"meilisearch.resources.requests.cpu": "100m",
		"meilisearch.resources.limits.cpu":   "400m",
	} {
		var p []any
		for _, k := range strings.Split(path, ".") {
			p = append(p, k)
		}
		if got := get(t, v, p...); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
}

func TestAddOns(t *testing.T) {
	_, nginx := release(t, stack(t, "apps-dev"), "ingress_nginx")
	if get(t, nginx, "controller", "service", "type") != "NodePort" || get(t, nginx, "controller", "ingressClassResource", "name") != "nginx" {
		t.Errorf("dev ingress-nginx %v", nginx)
	}
	_, plugin := release(t, stack(t, "apps-prod"), "nvidia_device_plugin")
	if get(t, plugin, "nodeSelector", "nvidia.com/gpu.present") != "true" || plugin["affinity"] != nil || !has(plugin, "affinity") {
		t.Errorf("the device plugin must run on the GPU pool, with the chart's affinity removed: %v", plugin)
	}
	if get(t, plugin, "tolerations", 0, "key") != "nvidia.com/gpu" {
		t.Errorf("device plugin tolerations %v", plugin["tolerations"])
	}
	s := synthYAML(t, "bare", "ingress: {install: false}\n")["apps-bare"]
	if has(s, "resource", "helm_release", "ingress_nginx") || has(s, "resource", "helm_release", "nvidia_device_plugin") {
		t.Errorf("add-ons installed although switched off")
	}
	if libre, _ := release(t, s, "librechat"); libre["depends_on"] != nil {
		t.Errorf("LibreChat depends on %v although no add-on is installed", libre["depends_on"])
	}
}

func TestOutputsAndDependency(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(shipped.dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	for _, env := range environments(t) {
		apps := stack(t, "apps-"+env)
		for _, o := range []string{"ollama_url", "librechat_url", "releases"} {
			if !has(apps, "output", o, "description") {
				t.Errorf("apps-%s lacks the described output %s", env, o)
			}
		}
		rel := get(t, apps, "output", "releases", "value", "ollama").(map[string]any)
		if rel["version"] != "1.77.0" || rel["revision"] != "${helm_release.ollama.metadata.revision}" {
			t.Errorf("releases output %v", rel)
		}
		if deps := get(t, manifest, "stacks", "apps-"+env, "dependencies").([]any); !slices.Equal(deps, []any{"base-" + env}) {
			t.Errorf("apps-%s depends on %v, want base-%s", env, deps, env)
		}
		if deps := get(t, manifest, "stacks", "base-"+env, "dependencies").([]any); len(deps) != 0 {
			t.Errorf("base-%s depends on %v", env, deps)
		}
		if has(apps, "data", "terraform_remote_state") {
			t.Errorf("apps-%s reads the base stack's state", env)
		}
		if !has(stack(t, "base-"+env), "output", "namespaces", "value", "ollama") {
			t.Errorf("base-%s lacks the namespaces output", env)
		}
	}
}
