package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/llm-platform/cdktf-llm/config"
)

func resources(t *testing.T, s Stack, typ string) map[string]any {
	t.Helper()
	return get(t, s, "resource", typ).(map[string]any)
}

func TestNamespaces(t *testing.T) {
	tests := []struct {
		stack string
		want  map[string]string // address → pod security level
	}{
		{"base-dev", map[string]string{"ollama": "baseline", "librechat": "baseline", "ingress_nginx": "baseline"}},
		{"base-prod", map[string]string{"ollama": "baseline", "librechat": "baseline", "ingress_nginx": "baseline", "nvidia_device_plugin": "privileged"}},
	}
	for _, tc := range tests {
		t.Run(tc.stack, func(t *testing.T) {
			env := strings.TrimPrefix(tc.stack, "base-")
			ns := resources(t, stack(t, tc.stack), "kubernetes_namespace_v1")
			if got := keys(ns); !slices.Equal(got, keys(tc.want)) {
				t.Fatalf("namespaces %v, want %v", got, keys(tc.want))
			}
			for addr, level := range tc.want {
				labels := get(t, ns, addr, "metadata", "labels").(map[string]any)
				for k, v := range map[string]string{
					"app.kubernetes.io/managed-by":               "cdktf",
					"llm-platform/environment":                   env,
					"pod-security.kubernetes.io/enforce":         level,
					"pod-security.kubernetes.io/audit":           level,
					"pod-security.kubernetes.io/warn":            level,
					"pod-security.kubernetes.io/enforce-version": "latest",
				} {
					if labels[k] != v {
						t.Errorf("%s: label %s = %v, want %s", addr, k, labels[k], v)
					}
				}
				if labels["app.kubernetes.io/name"] == nil {
					t.Errorf("%s: no app label", addr)
				}
			}
		})
	}
}

// TestPodSecurityIsConfigurable: security.podSecurity restricted labels both
// app namespaces restricted, and the environment synthesizes: platform.Synth
// renders every release with its chart and fails on a pod the namespace's
// level rejects (the chart check's pod-security rule), so synthYAML stops
// here if a construct's restricted values fall short.
func TestPodSecurityIsConfigurable(t *testing.T) {
	stacks := synthYAML(t, "strict", "security: {podSecurity: restricted}\n")
	ns := resources(t, stacks["base-strict"], "kubernetes_namespace_v1")
	apps, ok := stacks["apps-strict"]
	if !ok {
		t.Fatalf("no apps-strict stack; have %v", keys(stacks))
	}
	for _, app := range []string{"ollama", "librechat"} {
		if got := get(t, ns, app, "metadata", "labels", "pod-security.kubernetes.io/enforce"); got != "restricted" {
			t.Errorf("%s enforces %v, want restricted", app, got)
		}
		if !has(apps, "resource", "helm_release", app) {
			t.Errorf("apps-strict has no helm_release.%s", app)
		}
	}
}

// Every namespaced object of the base stack refers to its namespace resource,
// so that Terraform creates the namespace first.
func TestObjectsReferToTheirNamespace(t *testing.T) {
	for _, env := range environments(t) {
		s := stack(t, "base-"+env)
		for typ, byName := range get(t, s, "resource").(map[string]any) {
			if typ == "kubernetes_namespace_v1" || strings.HasPrefix(typ, "kubernetes_cluster_role") {
				continue
			}
			for name, r := range byName.(map[string]any) {
				ns, _ := get(t, r, "metadata", "namespace").(string)
				if !strings.HasPrefix(ns, "${kubernetes_namespace_v1.") {
					t.Errorf("%s: %s.%s has namespace %q, not a reference to its namespace resource", env, typ, name, ns)
				}
			}
		}
	}
}

func TestQuotasAndLimitRanges(t *testing.T) {
	tests := []struct {
		stack, app string
		hard       map[string]string
	}{
		{"base-dev", "ollama", map[string]string{"requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "6Gi",
			"pods": "4", "persistentvolumeclaims": "2", "requests.storage": "20Gi", "requests.nvidia.com/gpu": "0"}},
		{"base-dev", "librechat", map[string]string{"requests.cpu": "2", "requests.memory": "4Gi", "pods": "10", "persistentvolumeclaims": "4", "requests.storage": "20Gi"}},
		{"base-prod", "ollama", map[string]string{"requests.cpu": "8", "limits.memory": "64Gi", "requests.storage": "300Gi", "requests.nvidia.com/gpu": "2"}},
		{"base-prod", "librechat", map[string]string{"requests.memory": "12Gi", "pods": "20", "persistentvolumeclaims": "6"}},
	}
	for _, tc := range tests {
		t.Run(tc.stack+"/"+tc.app, func(t *testing.T) {
			s := stack(t, tc.stack)
			hard := get(t, resources(t, s, "kubernetes_resource_quota_v1"), tc.app, "spec", "hard").(map[string]any)
			for k, v := range tc.hard {
				if hard[k] != v {
					t.Errorf("quota %s = %v, want %s", k, hard[k], v)
				}
			}
			if tc.app == "librechat" && hard["requests.nvidia.com/gpu"] != nil {
				t.Errorf("LibreChat's quota names GPUs")
			}
			limit := get(t, resources(t, s, "kubernetes_limit_range_v1"), tc.app, "spec", "limit", 0).(map[string]any)
			if limit["type"] != "Container" || !has(limit, "default", "cpu") || !has(limit, "default", "memory") ||
				!has(limit, "default_request", "cpu") || !has(limit, "default_request", "memory") {
				t.Errorf("limit range does not give containers default requests and limits: %v", limit)
			}
		})
	}
}

// policy describes an allowed flow as the tests expect it.
type policy struct {
	types     string // Ingress or Egress
	pods      string // the selected pods' labels, "k=v,k=v"; "" is every pod
	namespace string // peer namespace; "" with peerPods "" and cidr "" is anywhere
	peerPods  string // peer pods' labels, "k=v,k=v"
	cidr      string
	ports     string // "53/UDP,53/TCP"; "" is every port
}

// labels renders a match_labels block as sorted "k=v,k=v".
func labels(t *testing.T, selector any) string {
	t.Helper()
	m, _ := selector.(map[string]any)["match_labels"].(map[string]any)
	var out []string
	for _, k := range keys(m) {
		out = append(out, k+"="+m[k].(string))
	}
	return strings.Join(out, ",")
}

func describePolicy(t *testing.T, p any) policy {
	t.Helper()
	spec := get(t, p, "spec").(map[string]any)
	var out policy
	out.pods = labels(t, get(t, spec, "pod_selector"))
	types := get(t, spec, "policy_types").([]any)
	out.types = fmt.Sprint(types...)
	if len(types) != 1 {
		return out
	}
	dir, peer := "ingress", "from"
	if out.types == "Egress" {
		dir, peer = "egress", "to"
	}
	rules := get(t, spec, dir).([]any)
	if len(rules) != 1 {
		t.Fatalf("%d %s rules, want 1", len(rules), dir)
	}
	rule := rules[0].(map[string]any)
	if peers, ok := rule[peer].([]any); ok && len(peers) > 1 {
		// Several peers: only ipBlocks, one per CIDR.
		var cidrs []string
		for _, p := range peers {
			cidrs = append(cidrs, get(t, p, "ip_block", "cidr").(string))
		}
		out.cidr = strings.Join(cidrs, ",")
	} else if ok {
		if len(peers) != 1 {
			t.Fatalf("%d peers, want 1: %v", len(peers), peers)
		}
		p := peers[0].(map[string]any)
		if has(p, "namespace_selector") {
			out.namespace = get(t, p, "namespace_selector", "match_labels", "kubernetes.io/metadata.name").(string)
		}
		if has(p, "pod_selector") {
			out.peerPods = labels(t, p["pod_selector"])
		}
		if has(p, "ip_block") {
			out.cidr = get(t, p, "ip_block", "cidr").(string)
		}
	}
	var ports []string
	if ps, ok := rule["ports"].([]any); ok {
		for _, p := range ps {
			ports = append(ports, fmt.Sprintf("%v/%v", get(t, p, "port"), get(t, p, "protocol")))
		}
	}
	out.ports = strings.Join(ports, ",")
	return out
}

// The pods' labels as the pinned charts render them for the default release
// names (helm template of librechat 2.0.8 and ollama 1.77.0).
const (
	libreChatPods   = "app.kubernetes.io/instance=librechat,app.kubernetes.io/name=librechat"
	mongoDBPods     = "app.kubernetes.io/component=mongodb,app.kubernetes.io/instance=librechat,app.kubernetes.io/name=mongodb"
	meilisearchPods = "app.kubernetes.io/instance=librechat,app.kubernetes.io/name=meilisearch"
	ollamaPods      = "app.kubernetes.io/instance=ollama,app.kubernetes.io/name=ollama"
	controllerPods  = "app.kubernetes.io/component=controller,app.kubernetes.io/instance=ingress-nginx,app.kubernetes.io/name=ingress-nginx"
	// privateRanges is cluster.apiServerCIDRs' default.
	privateRanges = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
)

func TestNetworkPolicies(t *testing.T) {
	want := map[string]policy{
		"ollama_default_deny":                        {types: "IngressEgress"},
		"ollama_allow_dns":                           {types: "Egress", ports: "53/UDP,53/TCP"},
		"ollama_allow_from_librechat":                {types: "Ingress", pods: ollamaPods, namespace: "librechat", peerPods: libreChatPods, ports: "11434/TCP"},
		"ollama_allow_model_pulls":                   {types: "Egress", pods: ollamaPods, cidr: "0.0.0.0/0", ports: "443/TCP"},
		"librechat_default_deny":                     {types: "IngressEgress"},
		"librechat_allow_dns":                        {types: "Egress", ports: "53/UDP,53/TCP"},
		"librechat_allow_from_ingress":               {types: "Ingress", pods: libreChatPods, namespace: "ingress-nginx", ports: "3080/TCP"},
		"librechat_allow_to_mongodb":                 {types: "Egress", pods: libreChatPods, peerPods: mongoDBPods, ports: "27017/TCP"},
		"librechat_allow_mongodb_from_librechat":     {types: "Ingress", pods: mongoDBPods, peerPods: libreChatPods, ports: "27017/TCP"},
		"librechat_allow_to_meilisearch":             {types: "Egress", pods: libreChatPods, peerPods: meilisearchPods, ports: "7700/TCP"},
		"librechat_allow_meilisearch_from_librechat": {types: "Ingress", pods: meilisearchPods, peerPods: libreChatPods, ports: "7700/TCP"},
		"librechat_allow_to_ollama":                  {types: "Egress", pods: libreChatPods, namespace: "ollama", peerPods: ollamaPods, ports: "11434/TCP"},
		"librechat_allow_https_out":                  {types: "Egress", pods: libreChatPods, cidr: "0.0.0.0/0", ports: "443/TCP"},
		// The ingress controller's namespace (ingress.install in both).
		"ingress_nginx_default_deny":                  {types: "IngressEgress"},
		"ingress_nginx_allow_dns":                     {types: "Egress", ports: "53/UDP,53/TCP"},
		"ingress_nginx_allow_http_https":              {types: "Ingress", pods: controllerPods, ports: "80/TCP,443/TCP"},
		"ingress_nginx_allow_webhook_from_api_server": {types: "Ingress", pods: controllerPods, cidr: privateRanges, ports: "8443/TCP"},
		"ingress_nginx_allow_to_api_server":           {types: "Egress", cidr: privateRanges, ports: "443/TCP,6443/TCP"},
		"ingress_nginx_allow_to_librechat":            {types: "Egress", pods: controllerPods, namespace: "librechat", peerPods: libreChatPods, ports: "3080/TCP"},
	}
	// The device plugin's namespace (prod) allows nothing.
	perEnv := map[string]map[string]policy{"prod": {"nvidia_device_plugin_default_deny": {types: "IngressEgress"}}}
	for _, env := range environments(t) {
		t.Run(env, func(t *testing.T) {
			want := maps.Clone(want)
			maps.Copy(want, perEnv[env])
			got := resources(t, stack(t, "base-"+env), "kubernetes_network_policy_v1")
			if !slices.Equal(keys(got), keys(want)) {
				t.Fatalf("policies %v, want %v", keys(got), keys(want))
			}
			for name, w := range want {
				if g := describePolicy(t, got[name]); g != w {
					t.Errorf("%s = %+v, want %+v", name, g, w)
				}
			}
		})
	}
}

// TestPoliciesFollowReleaseNames: other release names select other pods,
// and LibreChat's MONGO_URI names the Service the chart renders for them.
func TestPoliciesFollowReleaseNames(t *testing.T) {
	stacks := synthYAML(t, "renamed", "librechat:\n  release: {name: chat.prod}\nollama:\n  release: {name: llm}\n")
	s := stacks["base-renamed"]
	got := resources(t, s, "kubernetes_network_policy_v1")
	chat := "app.kubernetes.io/instance=chat.prod,app.kubernetes.io/name=chat.prod"
	mongo := "app.kubernetes.io/component=mongodb,app.kubernetes.io/instance=chat.prod,app.kubernetes.io/name=mongodb"
	llm := "app.kubernetes.io/instance=llm,app.kubernetes.io/name=ollama"
	for name, w := range map[string]policy{
		"librechat_allow_to_mongodb":             {types: "Egress", pods: chat, peerPods: mongo, ports: "27017/TCP"},
		"librechat_allow_mongodb_from_librechat": {types: "Ingress", pods: mongo, peerPods: chat, ports: "27017/TCP"},
		"librechat_allow_to_ollama":              {types: "Egress", pods: chat, namespace: "ollama", peerPods: llm, ports: "11434/TCP"},
		"ollama_allow_from_librechat":            {types: "Ingress", pods: llm, namespace: "librechat", peerPods: chat, ports: "11434/TCP"},
	} {
		if g := describePolicy(t, get(t, got, name)); g != w {
			t.Errorf("%s = %+v, want %+v", name, g, w)
		}
	}
	uri := get(t, resources(t, s, "kubernetes_secret_v1"), "librechat_credentials", "data_wo", "MONGO_URI")
	if uri != "mongodb://librechat:${var.mongodb_password}@chat-prod-mongodb.librechat.svc.cluster.local:27017/LibreChat" {
		t.Errorf("MONGO_URI = %v, want the Service chat-prod-mongodb that the chart names for release chat.prod", uri)
	}
	if _, v := release(t, stacks["apps-renamed"], "librechat"); v["fullnameOverride"] != "chat.prod" {
		t.Errorf("fullnameOverride %v: LibreChat's pod labels assume the release name", v["fullnameOverride"])
	}
}

func TestOllamaIngressOpensItsPolicy(t *testing.T) {
	stacks := synthYAML(t, "exposed", "ollama:\n  ingress: {enabled: true, host: ollama.internal}\ningress: {namespace: traefik, install: false}\n")
	got := resources(t, stacks["base-exposed"], "kubernetes_network_policy_v1")
	if p := describePolicy(t, get(t, got, "ollama_allow_from_ingress")); p != (policy{types: "Ingress", pods: ollamaPods, namespace: "traefik", ports: "11434/TCP"}) {
		t.Errorf("ollama_allow_from_ingress = %+v", p)
	}
	if p := describePolicy(t, get(t, got, "librechat_allow_from_ingress")); p.namespace != "traefik" {
		t.Errorf("LibreChat admits ingress from %q, want the configured controller namespace traefik", p.namespace)
	}
	if has(stacks["base-exposed"], "resource", "kubernetes_namespace_v1", "ingress_nginx") {
		t.Errorf("an ingress namespace was created although install is false")
	}
	_, values := release(t, stacks["apps-exposed"], "ollama")
	ing := get(t, values, "ingress").(map[string]any)
	if ing["enabled"] != true || ing["className"] != "nginx" || get(t, ing, "hosts", 0, "host") != "ollama.internal" ||
		get(t, ing, "hosts", 0, "paths", 0, "pathType") != "Prefix" || len(get(t, ing, "tls").([]any)) != 0 {
		t.Errorf("Ollama's ingress values %v", ing)
	}
}

func TestRBAC(t *testing.T) {
	s := stack(t, "base-prod")
	for _, app := range []string{"ollama", "librechat"} {
		role := get(t, resources(t, s, "kubernetes_role_v1"), "platform_"+app).(map[string]any)
		for _, rule := range get(t, role, "rule").([]any) {
			if slices.Contains(get(t, rule, "resources").([]any), any("secrets")) {
				t.Errorf("developer role in %s can touch secrets", app)
			}
		}
		binding := get(t, resources(t, s, "kubernetes_role_binding_v1"), "platform_"+app)
		if ref := get(t, binding, "role_ref", "name"); ref != "${kubernetes_role_v1.platform_"+app+".metadata[0].name}" {
			t.Errorf("binding in %s refers to %v", app, ref)
		}
		subjects := get(t, binding, "subject").([]any)
		if len(subjects) != 1 || get(t, subjects[0], "kind") != "Group" || get(t, subjects[0], "name") != "llm-platform:developers" {
			t.Errorf("developer subjects %v", subjects)
		}
	}
	viewer := get(t, resources(t, s, "kubernetes_cluster_role_v1"), "platform_viewer")
	if get(t, viewer, "metadata", "name") != "llm-platform-viewer-prod" {
		t.Errorf("cluster role is not named per environment: %v", get(t, viewer, "metadata", "name"))
	}
	for _, rule := range get(t, viewer, "rule").([]any) {
		verbs := fmt.Sprint(get(t, rule, "verbs"))
		if verbs != "[get list watch]" {
			t.Errorf("viewer rule is not read-only: %v", verbs)
		}
		if slices.Contains(get(t, rule, "resources").([]any), any("secrets")) {
			t.Errorf("viewers can read secrets")
		}
	}
	subjects := get(t, resources(t, s, "kubernetes_cluster_role_binding_v1"), "platform_viewer", "subject").([]any)
	if len(subjects) != 2 {
		t.Errorf("viewer subjects %v, want the two configured groups", subjects)
	}
}

func TestNoGroupsNoRBAC(t *testing.T) {
	s := synthYAML(t, "nogroups", "")["base-nogroups"]
	for _, typ := range []string{"kubernetes_role_v1", "kubernetes_role_binding_v1", "kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1"} {
		if has(s, "resource", typ) {
			t.Errorf("%s created without groups", typ)
		}
	}
}

// TestCredentialSecrets: three Secrets in LibreChat's namespace, each with
// exactly the keys its consumer reads, written only through data_wo from the
// variables, all rewritten by the one credentials_revision.
func TestCredentialSecrets(t *testing.T) {
	tests := []struct {
		address, name string
		data          map[string]any // key → the value in data_wo
	}{
		{"librechat_credentials", "librechat-credentials-env", map[string]any{
			"CREDS_KEY": "${var.creds_key}", "CREDS_IV": "${var.creds_iv}",
			"JWT_SECRET": "${var.jwt_secret}", "JWT_REFRESH_SECRET": "${var.jwt_refresh_secret}",
			"MEILI_MASTER_KEY": "${var.meili_master_key}",
			"MONGO_URI":        "mongodb://librechat:${var.mongodb_password}@librechat-mongodb.librechat.svc.cluster.local:27017/LibreChat",
		}},
		{"librechat_credentials_meilisearch", "librechat-meilisearch", map[string]any{"MEILI_MASTER_KEY": "${var.meili_master_key}"}},
		{"librechat_credentials_mongodb", "librechat-mongodb", map[string]any{
			"mongodb-root-password": "${var.mongodb_root_password}", "mongodb-passwords": "${var.mongodb_password}",
		}},
	}
	for _, env := range environments(t) {
		s := stack(t, "base-"+env)
		secrets := resources(t, s, "kubernetes_secret_v1")
		var addresses []string
		for _, tc := range tests {
			addresses = append(addresses, tc.address)
		}
		if got := keys(secrets); !slices.Equal(got, addresses) {
			t.Fatalf("%s: secrets %v, want %v", env, got, addresses)
		}
		for _, tc := range tests {
			t.Run(env+"/"+tc.name, func(t *testing.T) {
				secret := get(t, secrets, tc.address).(map[string]any)
				if get(t, secret, "metadata", "name") != tc.name || get(t, secret, "metadata", "namespace") != "${kubernetes_namespace_v1.librechat.metadata[0].name}" {
					t.Errorf("secret %v in %v, want %s in LibreChat's namespace", get(t, secret, "metadata", "name"), get(t, secret, "metadata", "namespace"), tc.name)
				}
				if secret["data"] != nil || secret["binary_data"] != nil {
					t.Errorf("secret values are in data, which Terraform stores in its state")
				}
				if get(t, secret, "data_wo_revision") != "${var.credentials_revision}" {
					t.Errorf("data_wo_revision = %v", secret["data_wo_revision"])
				}
				data := get(t, secret, "data_wo").(map[string]any)
				if !slices.Equal(keys(data), keys(tc.data)) {
					t.Errorf("keys %v, want exactly %v", keys(data), keys(tc.data))
				}
				for k, want := range tc.data {
					if data[k] != want {
						t.Errorf("data_wo[%s] = %v, want %v", k, data[k], want)
					}
				}
			})
		}
	}
}

// TestCredentialVariables: every credential is a required, sensitive,
// ephemeral string whose validation accepts what its Make command prints
// and refuses what it should.
func TestCredentialVariables(t *testing.T) {
	tests := []struct {
		variable  string
		good, bad []string
	}{
		{"creds_key", []string{strings.Repeat("a1", 32)}, []string{strings.Repeat("a1", 31), strings.Repeat("g1", 32)}},
		{"creds_iv", []string{strings.Repeat("F0", 16)}, []string{strings.Repeat("F0", 17)}},
		{"jwt_secret", []string{strings.Repeat("x", 32)}, []string{strings.Repeat("x", 31)}},
		{"jwt_refresh_secret", []string{strings.Repeat("x", 64)}, []string{"short"}},
		{"meili_master_key", []string{strings.Repeat("k", 16)}, []string{strings.Repeat("k", 15)}},
		// URL-safe: the password goes into MONGO_URI unencoded.
		{"mongodb_root_password", []string{strings.Repeat("0a", 24), "Abc123" + strings.Repeat("z", 18)},
			[]string{strings.Repeat("0a", 11) + "0", strings.Repeat("a", 23) + "@", strings.Repeat("a", 23) + ":", strings.Repeat("a", 23) + "/", strings.Repeat("a", 23) + "%"}},
		{"mongodb_password", []string{strings.Repeat("9f", 24)},
			[]string{strings.Repeat("a", 23), strings.Repeat("a", 24) + "@host", strings.Repeat("a", 24) + "?x=1", strings.Repeat("a", 24) + " "}},
	}
	condition := regexp.MustCompile(`^\$\{can\(regex\("(.*)", var\.([a-z_]+)\)\)\}$`)
	for _, env := range environments(t) {
		vars := get(t, stack(t, "base-"+env), "variable").(map[string]any)
		for _, tc := range tests {
			t.Run(env+"/"+tc.variable, func(t *testing.T) {
				v := get(t, vars, tc.variable).(map[string]any)
				if v["sensitive"] != true || v["ephemeral"] != true || v["type"] != "string" || v["nullable"] != false || v["default"] != nil || v["description"] == nil {
					t.Errorf("not a required, sensitive, ephemeral string with a description: %v", v)
				}
				validations := get(t, v, "validation").([]any)
				if len(validations) != 1 {
					t.Fatalf("%d validations, want 1", len(validations))
				}
				m := condition.FindStringSubmatch(get(t, validations[0], "condition").(string))
				if m == nil || m[2] != tc.variable {
					t.Fatalf("condition %v does not match the variable against a pattern", get(t, validations[0], "condition"))
				}
				// The pattern is a JSON-escaped HCL string; RE2 on both sides.
				var pattern string
				if err := json.Unmarshal([]byte(`"`+m[1]+`"`), &pattern); err != nil {
					t.Fatal(err)
				}
				re := regexp.MustCompile(pattern)
				for _, good := range tc.good {
					if !re.MatchString(good) {
						t.Errorf("%q refuses %q", pattern, good)
					}
				}
				for _, bad := range tc.bad {
					if re.MatchString(bad) {
						t.Errorf("%q accepts %q", pattern, bad)
					}
				}
			})
		}
	}
}

func TestProviderFromVariables(t *testing.T) {
	for name, s := range shipped.stacks {
		providers := get(t, s, "provider").(map[string]any)
		for _, p := range providers {
			cfg := p.([]any)[0].(map[string]any)
			if k, ok := cfg["kubernetes"].(map[string]any); ok { // helm 3: a nested attribute
				cfg = k
			}
			if cfg["config_path"] != "${var.kubeconfig_path}" || cfg["config_context"] != "${var.kube_context}" {
				t.Errorf("%s: provider is not configured from variables: %v", name, cfg)
			}
		}
		vars := get(t, s, "variable").(map[string]any)
		if get(t, vars, "kubeconfig_path", "default") != "~/.kube/config" {
			t.Errorf("%s: kubeconfig_path default %v, want the config's", name, get(t, vars, "kubeconfig_path", "default"))
		}
	}
	if ctx := get(t, stack(t, "base-prod"), "variable", "kube_context", "default"); ctx != "prod" {
		t.Errorf("prod's kube_context default %v, want prod from envs/prod.yaml", ctx)
	}
}

func TestBackends(t *testing.T) {
	tests := []struct {
		name, yaml, stack string
		want              map[string]any
	}{
		{"local by default", "", "base-b", map[string]any{"local": map[string]any{"path": "../../../.terraform-state/base-b.tfstate"}}},
		{"kubernetes", "cluster: {context: kind}\nbackend: {type: kubernetes, kubernetes: {namespace: tf}}\n", "apps-b",
			map[string]any{"kubernetes": map[string]any{"secret_suffix": "apps-b", "namespace": "tf", "config_path": "~/.kube/config", "config_context": "kind"}}},
		{"s3", "backend: {type: s3, s3: {bucket: state-bucket, region: eu-west-1}}\n", "base-b",
			map[string]any{"s3": map[string]any{"bucket": "state-bucket", "key": "llm-platform/base-b.tfstate", "region": "eu-west-1", "encrypt": true, "use_lockfile": true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := synthYAML(t, "b", tc.yaml)[tc.stack]
			got := get(t, s, "terraform", "backend")
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("backend %v, want %v", got, tc.want)
			}
			if get(t, s, "terraform", "required_version") != ">= 1.11.0" {
				t.Errorf("required_version %v", get(t, s, "terraform", "required_version"))
			}
		})
	}
	if get(t, stack(t, "base-prod"), "terraform", "backend", "kubernetes", "namespace") != "terraform-state" {
		t.Errorf("prod does not keep its state in the kubernetes backend it configures")
	}
}

// TestCredentialsAreDocumented: every credential variable is in the example
// tfvars file and in the README's export lines, each with the command that
// makes a valid value.
func TestCredentialsAreDocumented(t *testing.T) {
	example, readme := readFile(t, "examples/secrets.tfvars.example"), readFile(t, "README.md")
	for _, s := range config.Secrets {
		line := regexp.MustCompile(`(?m)^` + s.Variable + ` += "" # ` + regexp.QuoteMeta(s.Make) + `$`)
		if !line.MatchString(example) {
			t.Errorf("examples/secrets.tfvars.example lacks the line %s = \"\" # %s", s.Variable, s.Make)
		}
		if export := "TF_VAR_" + s.Variable + "=$(" + s.Make + ")"; !strings.Contains(readme, export) {
			t.Errorf("the README's Deploying section lacks %s", export)
		}
	}
}
