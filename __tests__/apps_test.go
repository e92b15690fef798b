package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
				if r["repository"] != c[0] || r["chart"] != c[1] || r["version"] != c[2] {
					t.Errorf("%s: %v %v %v, want %v", name, r["repository"], r["chart"], r["version"], c)
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
			if get(t, v, "global", "librechat", "existingSecretName") != "librechat-credentials-env" ||
				get(t, v, "meilisearch", "auth", "existingMasterKeySecret") != "librechat-credentials-env" {
				t.Errorf("LibreChat does not use the base stack's credentials Secret")
			}
			configEnv := get(t, v, "librechat", "configEnv").(map[string]any)
			for _, k := range []string{"CREDS_KEY", "CREDS_IV", "JWT_SECRET", "JWT_REFRESH_SECRET"} {
				if val, ok := configEnv[k]; !ok || val != nil {
					t.Errorf("configEnv.%s = %v; the chart's demo value must be nulled out", k, val)
				}
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
