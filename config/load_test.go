package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestBadConfigs feeds one broken file per row and checks the whole message:
// file, line, field path, the bad value and what would be valid.
func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"typo in a top-level key", "olama: {}\n",
			`bad.yaml:1: olama: unknown field "olama" (did you mean "ollama"?)`},
		{"typo in a nested key", "ollama:\n  persistance: {size: 1Gi}\n",
			`bad.yaml:2: ollama.persistance: unknown field "persistance" (did you mean "persistence"?)`},
		{"unknown key far from any", "ollama:\n  zzzzzzzzz: 1\n",
			`bad.yaml:2: ollama.zzzzzzzzz: unknown field "zzzzzzzzz"; valid fields: gpu, ingress, limitRange, models, namespace, nodeSelector, persistence, quota, release, resources, tolerations`},
		{"wrong case", "LibreChat: {}\n",
			`bad.yaml:1: LibreChat: unknown field "LibreChat" (did you mean "librechat"?)`},
		{"duplicate key", "ollama:\n  namespace: a\n  namespace: b\n",
			`bad.yaml:3: ollama.namespace: "namespace" is given twice; keep one`},
		{"memory as GB", "ollama:\n  persistence:\n    size: 4GB\n",
			`bad.yaml:3: ollama.persistence.size: "4GB" is not a Kubernetes quantity; use a number with an optional suffix: binary Ki Mi Gi Ti, decimal k M G T, or m for thousandths (e.g. 4Gi, 500m)`},
		{"cpu with a unit", "librechat:\n  resources:\n    requests: {cpu: 2cores, memory: 1Gi}\n",
			`bad.yaml:3: librechat.resources.requests.cpu: "2cores" is not a Kubernetes quantity`},
		{"negative quantity", "librechat:\n  mongodb: {size: -1Gi}\n",
			`bad.yaml:2: librechat.mongodb.size: "-1Gi" is negative; use a positive quantity`},
		{"zero volume", "ollama:\n  persistence: {size: \"0\"}\n",
			`bad.yaml:2: ollama.persistence.size: "0" is zero; give the volume a size such as 10Gi`},
		{"chart version latest", "ollama:\n  release: {chartVersion: latest}\n",
			`bad.yaml:2: ollama.release.chartVersion: "latest" is not an exact chart version; pin one such as 1.2.3 (no ranges, no "latest", no leading v)`},
		{"chart version range", "librechat:\n  release: {chartVersion: \"^2.0.0\"}\n",
			`bad.yaml:2: librechat.release.chartVersion: "^2.0.0" is not an exact chart version`},
		{"chart version empty", "ingress:\n  chartVersion: \"\"\n",
			`bad.yaml:2: ingress.chartVersion: "" is not an exact chart version`},
		{"chart version with v", "nvidiaDevicePlugin:\n  chartVersion: v0.20.0\n",
			`bad.yaml:2: nvidiaDevicePlugin.chartVersion: "v0.20.0" is not an exact chart version`},
		{"namespace with capitals", "ollama:\n  namespace: Ollama\n",
			`bad.yaml:2: ollama.namespace: "Ollama" is not a valid name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`},
		{"namespace too long", "librechat:\n  namespace: " + strings.Repeat("a", 64) + "\n",
			`bad.yaml:2: librechat.namespace: "` + strings.Repeat("a", 64) + `" is not a valid name: must be no more than 63 characters`},
		{"same namespace twice", "librechat:\n  namespace: ollama\n",
			`bad.yaml:2: librechat.namespace: namespace "ollama" is already used by ollama.namespace; give each its own namespace`},
		{"release name with underscore", "ollama:\n  release: {name: my_ollama}\n",
			`bad.yaml:2: ollama.release.name: "my_ollama" is not a Helm release name; use at most 53 lower-case letters, digits and hyphens`},
		{"timeout without unit", "ollama:\n  release: {timeout: \"30\"}\n",
			`bad.yaml:2: ollama.release.timeout: "30" is not a duration; use e.g. 10m or 1h30m`},
		{"timeout too short", "ollama:\n  release: {timeout: 10s}\n",
			`bad.yaml:2: ollama.release.timeout: "10s" is out of range; use whole seconds from 1m to 24h`},
		{"boolean as yes", "ollama:\n  gpu: {enabled: yes}\n",
			`bad.yaml:2: ollama.gpu.enabled: "yes" is not a boolean; use true or false`},
		{"count as text", "ollama:\n  gpu: {count: two}\n",
			`bad.yaml:2: ollama.gpu.count: "two" is not a whole number; use a number such as 4`},
		{"gpu count zero", "ollama:\n  gpu: {count: 0}\n",
			`bad.yaml:2: ollama.gpu.count: 0 is not a GPU count; use 1 or more`},
		{"gpu type", "ollama:\n  gpu: {type: intel}\n",
			`bad.yaml:2: ollama.gpu.type: "intel" is not valid; use one of nvidia, amd`},
		{"gpu resource without domain", "ollama:\n  gpu: {resourceName: gpu}\n",
			`bad.yaml:2: ollama.gpu.resourceName: "gpu" is not an extended resource name; use a domain-prefixed name such as nvidia.com/gpu`},
		{"gpus beyond quota", "ollama:\n  gpu: {enabled: true, count: 2}\n  quota: {gpus: 1}\n",
			`bad.yaml:3: ollama.quota.gpus: 1 is less than ollama.gpu.count (2), so the Ollama pod could never start; raise it to at least 2`},
		{"requests above limits", "ollama:\n  resources:\n    requests: {cpu: \"4\", memory: 1Gi}\n    limits: {cpu: \"2\", memory: 1Gi}\n",
			`bad.yaml:3: ollama.resources.requests.cpu: 4 is more than ollama.resources.limits.cpu (2); lower it or raise ollama.resources.limits.cpu`},
		{"container above quota", "ollama:\n  quota:\n    requests: {cpu: 100m, memory: 4Gi}\n",
			`bad.yaml:3: ollama.quota.requests.cpu: 100m is less than ollama.resources.requests.cpu (500m); raise it or lower that`},
		{"librechat's pods above quota", "librechat:\n  quota:\n    requests: {cpu: 800m, memory: 4Gi}\n",
			`bad.yaml:3: librechat.quota.requests.cpu: 800m is less than 850m, the total of librechat.resources.requests.cpu ×2 (a rolling update runs a second pod), librechat.mongodb.resources.requests.cpu and librechat.meilisearch.resources.requests.cpu; raise it or lower those`},
		{"data store limits above quota", "librechat:\n  meilisearch:\n    resources:\n      limits: {cpu: 500m, memory: 6Gi}\n",
			`bad.yaml: librechat.quota.limits.memory: 8Gi is less than 9Gi, the total of librechat.resources.limits.memory ×2`},
		{"mongodb request above its limit", "librechat:\n  mongodb:\n    resources:\n      requests: {cpu: \"2\", memory: 512Mi}\n",
			`bad.yaml:4: librechat.mongodb.resources.requests.cpu: 2 is more than librechat.mongodb.resources.limits.cpu (1); lower it or raise librechat.mongodb.resources.limits.cpu`},
		{"meilisearch memory in GB", "librechat:\n  meilisearch:\n    resources:\n      limits: {memory: 1GB}\n",
			`bad.yaml:4: librechat.meilisearch.resources.limits.memory: "1GB" is not a Kubernetes quantity`},
		{"mongodb size beside its resources", "librechat:\n  mongodb: {size: 1TB, resources: {}}\n",
			`bad.yaml:2: librechat.mongodb.size: "1TB" is not a Kubernetes quantity`},
		{"volumes above quota storage", "librechat:\n  quota: {storage: 5Gi}\n",
			`bad.yaml:2: librechat.quota.storage: 12Gi is more than librechat.quota.storage (5Gi); lower it or raise librechat.quota.storage`},
		{"too few claims", "librechat:\n  quota: {persistentVolumeClaims: 2}\n",
			`bad.yaml:2: librechat.quota.persistentVolumeClaims: 2 is fewer than the 3 volume claims the app makes; raise it to at least 3`},
		{"no pods", "ollama:\n  quota: {pods: 0}\n",
			`bad.yaml:2: ollama.quota.pods: 0 leaves no room for the app's pods; use 1 or more`},
		{"pod security level", "security:\n  podSecurity: strict\n",
			`bad.yaml:2: security.podSecurity: "strict" is not valid; use one of privileged, baseline, restricted`},
		{"backend type", "backend:\n  type: gcs\n",
			`bad.yaml:2: backend.type: "gcs" is not valid; use one of local, kubernetes, s3`},
		{"s3 without bucket", "backend:\n  type: s3\n  s3: {region: eu-central-1}\n",
			`bad.yaml: backend.s3.bucket: "" is not an S3 bucket name; use 3 to 63 lower-case letters, digits, dots and hyphens`},
		{"s3 bad region", "backend:\n  type: s3\n  s3: {bucket: my-state, region: europe}\n",
			`bad.yaml:3: backend.s3.region: "europe" is not an AWS region; use one such as eu-central-1`},
		{"toleration operator", "ollama:\n  tolerations:\n    - {key: gpu, operator: Equals}\n",
			`bad.yaml:3: ollama.tolerations[0].operator: "Equals" is not valid; use one of Equal, Exists`},
		{"toleration effect", "ollama:\n  tolerations:\n    - {key: gpu, effect: NoScheduling}\n",
			`bad.yaml:3: ollama.tolerations[0].effect: "NoScheduling" is not valid; use one of NoSchedule, PreferNoSchedule, NoExecute`},
		{"toleration value with Exists", "ollama:\n  tolerations:\n    - {key: gpu, operator: Exists, value: \"1\"}\n",
			`bad.yaml:3: ollama.tolerations[0].value: "1" is set with operator Exists; remove it or use operator Equal`},
		{"unquoted boolean label", "ollama:\n  nodeSelector: {gpu: true}\n",
			`bad.yaml:2: ollama.nodeSelector["gpu"]: true is a boolean; quote it ("true") if you mean text`},
		{"bad label key", "ollama:\n  nodeSelector: {\"-gpu\": \"x\"}\n",
			`bad.yaml:2: ollama.nodeSelector["-gpu"]: "-gpu" is not a label key`},
		{"bad model name", "ollama:\n  models: [\"llama 3\"]\n",
			`bad.yaml:2: ollama.models[0]: "llama 3" is not an Ollama model reference; use name[:tag], e.g. llama3.2:1b`},
		{"model twice", "ollama:\n  models: [a, a]\n",
			`bad.yaml:2: ollama.models[1]: "a" is listed twice; keep one`},
		{"models as text", "ollama:\n  models: llama3.2:1b\n",
			`bad.yaml:2: ollama.models: "llama3.2:1b" is not a list; write a YAML list (- item)`},
		{"ingress host", "librechat:\n  ingress: {enabled: true, host: \"chat_example\"}\n",
			`bad.yaml:2: librechat.ingress.host: "chat_example" is not a host name; use a DNS name such as chat.example.com`},
		{"api server CIDR", "cluster:\n  apiServerCIDRs: [10.0.0.0/33]\n",
			`cluster.apiServerCIDRs[0]: "10.0.0.0/33" is not a CIDR; use an address block such as 10.0.0.0/8 or 192.168.49.2/32`},
		{"api server CIDR with host bits", "cluster:\n  apiServerCIDRs: [192.168.49.2/24]\n",
			`cluster.apiServerCIDRs[0]: "192.168.49.2/24" has bits set beyond its prefix length; use 192.168.49.0/24`},
		{"api server CIDRs empty", "cluster:\n  apiServerCIDRs: []\n",
			`bad.yaml:2: cluster.apiServerCIDRs: is empty; give the API server's addresses`},
		{"metrics namespace", "ingress:\n  metricsFrom: [Monitoring]\n",
			`ingress.metricsFrom[0]: "Monitoring" is not a valid name`},
		{"exposure rule", "ingress:\n  acceptExposed: [{host: a.example.com, rule: plain, reason: x}]\n",
			`ingress.acceptExposed[0].rule: "plain" is not valid; use one of unauthenticated, plain-http, open-signup`},
		{"exposure without reason", "ingress:\n  acceptExposed: [{host: a.example.com, rule: plain-http}]\n",
			`ingress.acceptExposed[0].reason: is empty; say why this exposure is deliberate, for reviewers`},
		{"auth type", "ollama:\n  ingress: {enabled: true, host: o.example.com, auth: {type: oauth}}\n",
			`ollama.ingress.auth.type: "oauth" is not valid; use one of none, basic, external`},
		{"external auth without URL", "ollama:\n  ingress: {enabled: true, host: o.example.com, auth: {type: external}}\n",
			`ollama.ingress.auth.url: "" is not an http(s) URL; give the auth service's check`},
		{"auth by hand-written annotation", "ollama:\n  ingress:\n    enabled: true\n    host: o.example.com\n    annotations: {nginx.ingress.kubernetes.io/auth-type: basic}\n",
			`ollama.ingress.annotations["nginx.ingress.kubernetes.io/auth-type"]: sets the ingress controller's authentication by hand; use ollama.ingress.auth`},
		{"sign-up mode", "librechat:\n  registration: {mode: invite}\n",
			`bad.yaml:2: librechat.registration.mode: "invite" is not valid; use one of closed, open, domains`},
		{"sign-up domains without domains", "librechat:\n  registration: {mode: domains}\n",
			`librechat.registration.allowedDomains: is empty with mode domains; list the email domains that may sign up, e.g. [example.com]`},
		{"sign-up domain", "librechat:\n  registration: {mode: domains, allowedDomains: [\"@example.com\"]}\n",
			`librechat.registration.allowedDomains[0]: "@example.com" is not an email domain; use one such as example.com`},
		{"service type", "ingress:\n  serviceType: Loadbalancer\n",
			`bad.yaml:2: ingress.serviceType: "Loadbalancer" is not valid; use one of LoadBalancer, NodePort, ClusterIP`},
		{"empty group", "access:\n  developerGroups: [\"\"]\n",
			`bad.yaml:2: access.developerGroups[0]: is empty; give the group name your authenticator reports, e.g. platform-developers`},
		{"mapping where a value goes", "cluster:\n  context: {name: x}\n",
			`bad.yaml:2: cluster.context: a mapping is not a single value; write a text value`},
		{"list where a mapping goes", "ollama: [a]\n",
			`bad.yaml:1: ollama: a list is not a mapping; write the fields gpu, ingress`},
		{"not YAML", "ollama:\n  gpu: {enabled: true\n",
			`bad.yaml:1: is not valid YAML: line 1: did not find expected ',' or '}'`},
		{"two documents", "ollama: {}\n---\nollama: {}\n",
			`bad.yaml:2: is not valid YAML: line 2: a second document; keep one environment per file`},
		{"literal secret", "librechat:\n  jwtSecret: s3cr3t-value\n",
			`bad.yaml:2: librechat.jwtSecret: secrets are not read from config files (the value is not shown here); pass LibreChat's credentials as the sensitive Terraform variables creds_key, creds_iv, jwt_secret, jwt_refresh_secret, meili_master_key, mongodb_root_password, mongodb_password (export TF_VAR_<name>=… or a git-ignored secrets.auto.tfvars)`},
		{"literal htpasswd", "ollama:\n  ingress:\n    auth: {htpasswd: \"ollama:$apr1$x$y\"}\n",
			`bad.yaml:3: ollama.ingress.auth.htpasswd: secrets are not read from config files (the value is not shown here)`},
		{"literal secret in a free-form map", "librechat:\n  ingress:\n    annotations: {MEILI_MASTER_KEY: abc}\n",
			`bad.yaml:3: librechat.ingress.annotations["MEILI_MASTER_KEY"]: secrets are not read from config files (the value is not shown here)`},
	}
	if len(tests) < 30 {
		t.Fatalf("the table has %d rows; keep at least 30", len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", "bad", []byte(tc.yaml))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message\n  %s\ndoes not contain\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "), tc.want)
			}
			for _, e := range errs {
				if e.File != "bad.yaml" || e.Path == "" && !strings.Contains(e.Problem, "YAML") {
					t.Errorf("error without file or path: %#v", e)
				}
			}
		})
	}
}

// TestAllErrorsTogether checks that one file's problems come in one report,
// in line order.
func TestAllErrorsTogether(t *testing.T) {
	_, err := Parse("x.yaml", "x", []byte("olama: {}\nollama:\n  persistence: {size: 4GB}\n  release: {chartVersion: latest}\nsecurity: {podSecurity: strict}\n"))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 4 {
		t.Fatalf("want 4 errors, got %v", err)
	}
	for i, line := range []int{1, 3, 4, 5} {
		if errs[i].Line != line {
			t.Errorf("error %d is on line %d, want %d: %v", i, errs[i].Line, line, errs[i])
		}
	}
}

func TestSecretValueNeverEchoed(t *testing.T) {
	const sentinel = "SENTINEL-7f3a9c-do-not-print"
	for _, y := range []string{
		"librechat:\n  jwtSecret: " + sentinel + "\n",
		"backend:\n  s3:\n    secretKey: " + sentinel + "\n",
		"librechat:\n  ingress:\n    annotations: {password: " + sentinel + "}\n",
	} {
		_, err := Parse("s.yaml", "s", []byte(y))
		if err == nil {
			t.Fatalf("a literal secret was accepted:\n%s", y)
		}
		if strings.Contains(err.Error(), sentinel) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

func TestEmptyFileIsTheDefault(t *testing.T) {
	env, err := Parse("empty.yaml", "empty", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default("empty")
	want.File = "empty.yaml"
	if !reflect.DeepEqual(env, want) {
		t.Errorf("an empty file does not give the defaults:\n%+v", env)
	}
}

func TestShippedEnvironments(t *testing.T) {
	names, err := Names("..")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"dev", "prod"}) {
		t.Fatalf("shipped environments %v, want [dev prod]", names)
	}
	envs, err := LoadAll("..", names)
	if err != nil {
		t.Fatal(err)
	}
	dev, prod := envs[0], envs[1]
	if dev.Ollama.GPU.Enabled || len(dev.Ollama.Models) != 1 || dev.LibreChat.Ingress.TLSSecretName != "" {
		t.Errorf("dev must be CPU-only with one model and no TLS: %+v", dev.Ollama)
	}
	if !prod.Ollama.GPU.Enabled || len(prod.Ollama.Models) != 2 || prod.LibreChat.Ingress.TLSSecretName == "" ||
		len(prod.Ollama.Tolerations) == 0 || len(prod.Ollama.NodeSelector) == 0 || !prod.NvidiaDevicePlugin.Install {
		t.Errorf("prod must have GPUs on a tolerated, selected node pool, two models and TLS: %+v", prod.Ollama)
	}
}

func TestLoadAllReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"a": "olama: {}\n", "b": "security: {podSecurity: x}\n"} {
		if err := os.WriteFile(filepath.Join(dir, Dir, name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadAll(dir, []string{"a", "b", "missing"})
	msg := err.Error()
	for _, want := range []string{"a.yaml:1: olama", "b.yaml:1: security.podSecurity", "missing.yaml: cannot read the environment file: no such file or directory"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
}

func TestBadEnvironmentName(t *testing.T) {
	_, err := Parse("envs/Prod_EU.yaml", "Prod_EU", nil)
	if err == nil || !strings.Contains(err.Error(), `environment name "Prod_EU" (the file name) is not a DNS label`) {
		t.Errorf("got %v", err)
	}
}
