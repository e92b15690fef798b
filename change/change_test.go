package change

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/llm-platform/cdktf-llm/contract"
	"github.com/llm-platform/cdktf-llm/render"
)

func golden(t testing.TB, env string) []Release {
	t.Helper()
	rendered, err := contract.ReadManifests(filepath.Join("..", "__tests__", "golden", "manifests", env))
	if err != nil || len(rendered) == 0 {
		t.Fatalf("golden manifests of %s: %v (%d releases)", env, err, len(rendered))
	}
	var out []Release
	for _, r := range rendered {
		out = append(out, Release{Address: r.Release.Address, Name: r.Release.Name, Namespace: r.Release.Namespace, Objects: r.Objects})
	}
	return out
}

// clone copies releases deep enough to change their typed objects.
func clone(rels []Release) []Release {
	out := make([]Release, len(rels))
	for i, r := range rels {
		out[i] = r
		out[i].Objects = make([]render.Object, len(r.Objects))
		for j, o := range r.Objects {
			if o.Typed != nil {
				o.Typed = o.Typed.DeepCopyObject()
			}
			out[i].Objects[j] = o
		}
	}
	return out
}

// edit applies fn to the typed object kind/name of release addr.
func edit(t *testing.T, rels []Release, addr, kind, name string, fn func(runtime.Object)) {
	t.Helper()
	for _, r := range rels {
		for _, o := range r.Objects {
			if r.Address == addr && o.Kind == kind && o.Name == name {
				fn(o.Typed)
				return
			}
		}
	}
	t.Fatalf("%s has no %s %s", addr, kind, name)
}

// without drops release addr.
func without(rels []Release, addr string) []Release {
	var out []Release
	for _, r := range rels {
		if r.Address != addr {
			out = append(out, r)
		}
	}
	return out
}

// drop drops object kind/name from release addr.
func drop(rels []Release, addr, kind, name string) []Release {
	for i, r := range rels {
		if r.Address != addr {
			continue
		}
		var objs []render.Object
		for _, o := range r.Objects {
			if o.Kind != kind || o.Name != name {
				objs = append(objs, o)
			}
		}
		rels[i].Objects = objs
	}
	return rels
}

// moveNamespace moves release addr and all its objects to namespace ns.
func moveNamespace(rels []Release, addr, ns string) {
	for i := range rels {
		if rels[i].Address != addr {
			continue
		}
		rels[i].Namespace = ns
		for j := range rels[i].Objects {
			o := &rels[i].Objects[j]
			o.Namespace = ns
			if m, err := meta.Accessor(o.Typed); err == nil {
				m.SetNamespace(ns)
			}
		}
	}
}

func claim(fn func(*corev1.PersistentVolumeClaim)) func(runtime.Object) {
	return func(o runtime.Object) { fn(o.(*corev1.PersistentVolumeClaim)) }
}

func size(q string) func(*corev1.PersistentVolumeClaim) {
	return func(c *corev1.PersistentVolumeClaim) {
		c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse(q)
	}
}

// claimTemplate gives a StatefulSet a claim template "data" and, unless
// empty, a whenDeleted policy.
func claimTemplate(whenDeleted appsv1.PersistentVolumeClaimRetentionPolicyType) func(runtime.Object) {
	return func(o runtime.Object) {
		s := o.(*appsv1.StatefulSet)
		s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}
		if whenDeleted != "" {
			s.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: whenDeleted}
		}
	}
}

func ptr[T any](v T) *T { return &v }

var (
	fixed      = []StorageClass{{Name: "standard", Default: true, AllowVolumeExpansion: ptr(false)}, {Name: "fast", AllowVolumeExpansion: ptr(true)}}
	expandable = []StorageClass{{Name: "standard", Default: true, AllowVolumeExpansion: ptr(true)}}
)

func TestCheck(t *testing.T) {
	dev := golden(t, "dev")
	cases := []struct {
		name string
		// next changes a copy of the deployed releases into the next ones.
		next func(t *testing.T, rels []Release) []Release
		// in sets the rest of the input; Deployed, Next and Stack are set.
		in func(*Input)
		// findings, warnings, accepted: each entry the texts one line holds.
		findings, warnings, accepted [][]string
		// diff: texts the diff holds.
		diff []string
	}{{
		name: "meilisearch size doubled on a class without expansion",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-meilisearch", claim(size("4Gi")))
			return r
		},
		findings: [][]string{{"apps-dev: helm_release.librechat: PersistentVolumeClaim librechat/librechat-meilisearch: refused: spec.resources.requests.storage 2Gi -> 4Gi",
			`its class "standard" (the default class) does not allow volume expansion: the API server refuses the upgrade`,
			"fix: keep 2Gi in the config; to get 4Gi, copy the data to a new claim", "set allowVolumeExpansion: true on StorageClass standard"}},
		diff: []string{"helm_release.librechat: changed PersistentVolumeClaim librechat/librechat-meilisearch\n      spec.resources.requests.storage: 2Gi -> 4Gi\n"},
	}, {
		name: "mongodb size doubled on a class without expansion",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(size("16Gi")))
			return r
		},
		findings: [][]string{{"PersistentVolumeClaim librechat/librechat-mongodb: refused: spec.resources.requests.storage 8Gi -> 16Gi", "does not allow volume expansion", "fix: keep 8Gi in the config"}},
	}, {
		name: "ollama persistence size doubled on a class without expansion",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "PersistentVolumeClaim", "ollama", claim(size("20Gi")))
			return r
		},
		findings: [][]string{{"helm_release.ollama: PersistentVolumeClaim ollama/ollama: refused: spec.resources.requests.storage 10Gi -> 20Gi", "does not allow volume expansion", "fix: keep 10Gi in the config"}},
	}, {
		name: "mongodb storageClass changed",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr("fast") }))
			return r
		},
		findings: [][]string{{"PersistentVolumeClaim librechat/librechat-mongodb: refused: spec.storageClassName (none) -> fast",
			`the claim was created without a class, so it got "standard" (the default class); a claim's spec is immutable after creation but for resources.requests`,
			`fix: keep storageClass unset (or "standard") in the config; to move to class "fast", copy the data to a new claim`}},
	}, {
		name: "mongodb storageClass set to the default it has: nothing changes on the cluster",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr("standard") }))
			return r
		},
		diff: []string{"spec.storageClassName: (none) -> standard"},
	}, {
		name: "mongodb storageClass set, the default class unknown",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = ptr("standard") }))
			return r
		},
		in: func(in *Input) { in.StorageClasses = []StorageClass{{Name: "standard"}} },
		findings: [][]string{{"PersistentVolumeClaim librechat/librechat-mongodb: refused: spec.storageClassName (none) -> standard",
			`the claim was created without a class, so it got the default class, unknown: the classes known from the cluster name no default; if that is not "standard", a claim's spec is immutable`,
			"fix: keep storageClass unset in the config, or tell the check: set cluster.storageClasses in the config"}},
	}, {
		name: "a claim shrinks",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-images", claim(size("1Gi")))
			return r
		},
		in:       func(in *Input) { in.StorageClasses = expandable },
		findings: [][]string{{"PersistentVolumeClaim librechat/librechat-images: refused: spec.resources.requests.storage 2Gi -> 1Gi", "the API server never lets a claim shrink", "fix: keep 2Gi in the config; to use less, copy the data"}},
	}, {
		name: "ollama namespace renamed, the base stack deletes the old one",
		next: func(t *testing.T, r []Release) []Release {
			moveNamespace(r, "helm_release.ollama", "llm")
			return r
		},
		in: func(in *Input) { in.RemovedNamespaces = []string{"ollama"} },
		findings: [][]string{{"helm_release.ollama: PersistentVolumeClaim ollama/ollama: data-loss: metadata.namespace ollama -> llm",
			"the base stack's plan deletes or replaces namespace ollama, and deleting a namespace deletes its claims",
			"fix: a namespace's name is immutable, so a rename is a replacement", "keep namespace ollama in the config",
			"copy the data first (snapshot or backup, restore into the claim in namespace llm)",
			`"persistentVolumeReclaimPolicy":"Retain"`, "kubectl delete pvc ollama -n ollama", `"path":"/spec/claimRef"`, "create the claim in namespace llm with volumeName: $PV"}},
		diff: []string{"helm_release.ollama: removed PersistentVolumeClaim ollama/ollama\n", "helm_release.ollama: added PersistentVolumeClaim llm/ollama\n"},
	}, {
		name: "ollama namespace renamed, by the release alone",
		next: func(t *testing.T, r []Release) []Release {
			moveNamespace(r, "helm_release.ollama", "llm")
			return r
		},
		findings: [][]string{{"PersistentVolumeClaim ollama/ollama: data-loss: metadata.namespace ollama -> llm",
			"release ollama moves from namespace ollama to llm: the provider replaces the release, and its uninstall deletes the claim",
			"fix: a namespace's name is immutable"}},
	}, {
		name: "ollama namespace renamed, accepted",
		next: func(t *testing.T, r []Release) []Release {
			moveNamespace(r, "helm_release.ollama", "llm")
			return r
		},
		in: func(in *Input) {
			in.RemovedNamespaces = []string{"ollama"}
			in.Accept = []Accepted{{Object: "PersistentVolumeClaim ollama/ollama", Rule: "data-loss", Reason: "the models are pulled again"}}
		},
		accepted: [][]string{{"PersistentVolumeClaim ollama/ollama: data-loss: metadata.namespace ollama -> llm", "accepted: the models are pulled again"}},
	}, {
		name: "the base stack deletes LibreChat's namespace, with a StatefulSet's claims",
		next: func(t *testing.T, r []Release) []Release { return r },
		in: func(in *Input) {
			in.RemovedNamespaces = []string{"librechat"}
			edit(t, in.Deployed, "helm_release.librechat", "StatefulSet", "librechat-meilisearch", claimTemplate(""))
		},
		findings: [][]string{
			{"PersistentVolumeClaim librechat/librechat-images: data-loss: metadata.namespace librechat -> (deleted)", "fix: keep namespace librechat: undo what in the base stack deletes or replaces it", "kubectl delete pvc librechat-images -n librechat"},
			{"PersistentVolumeClaim librechat/librechat-meilisearch: data-loss"},
			{"PersistentVolumeClaim librechat/librechat-mongodb: data-loss"},
			{"StatefulSet librechat/librechat-meilisearch: data-loss: spec.volumeClaimTemplates[data] data-librechat-meilisearch-0 -> (none)",
				"deleting a namespace deletes the claims made from this template", "kubectl get pvc data-librechat-meilisearch-0 -n librechat", "(for each claim)"},
		},
	}, {
		name: "a StatefulSet that deletes its claims leaves the chart",
		next: func(t *testing.T, r []Release) []Release {
			return drop(r, "helm_release.librechat", "StatefulSet", "librechat-meilisearch")
		},
		in: func(in *Input) {
			edit(t, in.Deployed, "helm_release.librechat", "StatefulSet", "librechat-meilisearch", claimTemplate(appsv1.DeletePersistentVolumeClaimRetentionPolicyType))
		},
		findings: [][]string{{"StatefulSet librechat/librechat-meilisearch: data-loss: spec.volumeClaimTemplates[data] data-librechat-meilisearch-0 -> (none)",
			"the StatefulSet goes, and its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete",
			"fix: first deploy persistentVolumeClaimRetentionPolicy.whenDeleted: Retain, then remove the StatefulSet"}},
	}, {
		name: "the ollama release leaves the stack",
		next: func(t *testing.T, r []Release) []Release { return without(r, "helm_release.ollama") },
		findings: [][]string{{"helm_release.ollama: PersistentVolumeClaim ollama/ollama: data-loss: object ollama/ollama (10Gi) -> (none)",
			"release ollama leaves the stack: its uninstall deletes the claim, and its volume with it",
			"fix: keep the claim in the release", "kubectl annotate pvc ollama -n ollama helm.sh/resource-policy=keep",
			"accept the loss knowingly in the config: changes.accept: [{object: PersistentVolumeClaim ollama/ollama, rule: data-loss, reason: …}]"}},
	}, {
		name: "the chart drops a claim it keeps",
		next: func(t *testing.T, r []Release) []Release {
			return drop(r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-images")
		},
		in: func(in *Input) {
			for _, o := range in.Deployed[1].Objects {
				if o.Name == "librechat-images" {
					o.Typed.(*corev1.PersistentVolumeClaim).Annotations = map[string]string{"helm.sh/resource-policy": "keep"}
				}
			}
		},
		warnings: [][]string{{"PersistentVolumeClaim librechat/librechat-images: left-behind: metadata.annotations.helm.sh/resource-policy keep -> keep",
			"Helm leaves it (helm.sh/resource-policy: keep)", "fix: delete it once the data is not needed (kubectl delete pvc librechat-images -n librechat)"}},
	}, {
		name: "mongodb size doubled on a class that allows expansion",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(size("16Gi")))
			return r
		},
		in: func(in *Input) { in.StorageClasses = expandable },
		warnings: [][]string{{"PersistentVolumeClaim librechat/librechat-mongodb: irreversible: spec.resources.requests.storage 8Gi -> 16Gi",
			`in place: its class "standard" (the default class) allows volume expansion`, "a `git revert` of this and a deploy would be refused",
			"fix: to go back, keep 16Gi in the config and revert everything else"}},
	}, {
		// Only refused and data-loss can be accepted; a warning stays one,
		// and the entry that matches nothing is reported as unused.
		name: "mongodb size doubled on a class that allows expansion, accepted",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(size("16Gi")))
			return r
		},
		in: func(in *Input) {
			in.StorageClasses = expandable
			in.Accept = []Accepted{{Object: "PersistentVolumeClaim librechat/librechat-mongodb", Rule: "irreversible", Reason: "16Gi from now on"}}
		},
		warnings: [][]string{{"PersistentVolumeClaim librechat/librechat-mongodb: irreversible: spec.resources.requests.storage 8Gi -> 16Gi"}},
		diff:     []string{"unused: changes.accept entry {object: PersistentVolumeClaim librechat/librechat-mongodb, rule: irreversible} accepts nothing in this change"},
	}, {
		name: "a bound claim names a volume",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "PersistentVolumeClaim", "ollama", claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeName = "pv-models" }))
			return r
		},
		findings: [][]string{{"PersistentVolumeClaim ollama/ollama: refused: spec.volumeName (none) -> pv-models", "the claim is bound already: only the name of the volume it is bound to passes"}},
	}, {
		name: "meilisearch size doubled, no class known",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-meilisearch", claim(size("4Gi")))
			return r
		},
		in: func(in *Input) { in.StorageClasses, in.StorageClassesFrom = nil, "" },
		findings: [][]string{{"refused: spec.resources.requests.storage 2Gi -> 4Gi",
			"its class is the default class, unknown: no StorageClasses are known to the check, so the check cannot tell whether it allows volume expansion",
			"fix: tell the check: set cluster.storageClasses in the config (name, default, allowVolumeExpansion) or run with a reachable cluster; until then keep 2Gi in the config"}},
	}, {
		name: "ollama size doubled, the class's expansion unknown",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "PersistentVolumeClaim", "ollama", claim(size("20Gi")))
			return r
		},
		in: func(in *Input) {
			in.StorageClasses, in.StorageClassesFrom = []StorageClass{{Name: "standard", Default: true}}, "cluster.storageClasses in envs/dev.yaml"
		},
		findings: [][]string{{"PersistentVolumeClaim ollama/ollama: refused: spec.resources.requests.storage 10Gi -> 20Gi",
			`whether its class "standard" (the default class) allows volume expansion is unknown (from cluster.storageClasses in envs/dev.yaml)`,
			"fix: tell the check: set cluster.storageClasses"}},
	}, {
		name: "mongodb moves to a class the check does not know",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "PersistentVolumeClaim", "librechat-mongodb", claim(func(c *corev1.PersistentVolumeClaim) {
				c.Spec.StorageClassName = ptr("gp3")
				size("16Gi")(c)
			}))
			return r
		},
		in: func(in *Input) { in.StorageClassesFrom = "the cluster" },
		findings: [][]string{
			{"refused: spec.storageClassName (none) -> gp3"},
			{"refused: spec.resources.requests.storage 8Gi -> 16Gi", `its class is "gp3", unknown: the classes known from the cluster do not include it, so`},
		},
	}, {
		name: "ingress-nginx leaves the stack, LibreChat's Ingress stays",
		next: func(t *testing.T, r []Release) []Release { return without(r, "helm_release.ingress_nginx") },
		warnings: [][]string{
			{"helm_release.ingress_nginx: ClusterRole ingress-nginx: left-behind: release ingress-nginx -> (none)",
				"its uninstall deletes this cluster-scoped object only if it runs before namespace ingress-nginx goes",
				"fix: uninstall the release before its namespace is deleted; if it is left: kubectl delete clusterrole ingress-nginx"},
			{"ClusterRoleBinding ingress-nginx: left-behind", "kubectl delete clusterrolebinding ingress-nginx"},
			{"IngressClass nginx: left-behind", "kubectl delete ingressclass nginx"},
			{"ValidatingWebhookConfiguration ingress-nginx-admission: left-behind: release ingress-nginx -> (none)"},
			{"ValidatingWebhookConfiguration ingress-nginx-admission: left-behind: webhooks[validate.nginx.ingress.kubernetes.io].clientConfig.service ingress-nginx/ingress-nginx-controller-admission -> (none)",
				"(failurePolicy Fail) calls Service ingress-nginx/ingress-nginx-controller-admission, and it goes with helm_release.ingress_nginx, which leaves the stack",
				"the API server refuses every CREATE, UPDATE of ingresses",
				"fix: uninstall the release before its namespace is deleted; if the configuration is left: kubectl delete validatingwebhookconfiguration ingress-nginx-admission"},
			{"helm_release.librechat: Ingress librechat/librechat: left-behind: spec.ingressClassName nginx (rendered by helm_release.ingress_nginx) -> nginx (rendered by no release)",
				"IngressClass nginx goes with helm_release.ingress_nginx, and its controller with it; the Ingress stays, but no controller serves it",
				"fix: keep helm_release.ingress_nginx in the stack; or point the Ingress at a class that stays"},
		},
		diff: []string{"helm_release.ingress_nginx: removed Deployment ingress-nginx/ingress-nginx-controller\n"},
	}, {
		name: "the admission Service goes, its webhook stays",
		next: func(t *testing.T, r []Release) []Release {
			return drop(r, "helm_release.ingress_nginx", "Service", "ingress-nginx-controller-admission")
		},
		warnings: [][]string{{"helm_release.ingress_nginx: ValidatingWebhookConfiguration ingress-nginx-admission: left-behind: webhooks[validate.nginx.ingress.kubernetes.io].clientConfig.service ingress-nginx/ingress-nginx-controller-admission -> (none)",
			"and the next deploy of helm_release.ingress_nginx no longer renders it; the configuration stays in helm_release.ingress_nginx, and while it does the API server refuses every CREATE, UPDATE of ingresses",
			"fix: keep the Service (and the pods behind it) while the configuration calls it, drop the configuration with it, or set failurePolicy: Ignore"}},
		diff: []string{"helm_release.ingress_nginx: removed Service ingress-nginx/ingress-nginx-controller-admission\n"},
	}, {
		name: "the base stack replaces ingress-nginx's namespace",
		next: func(t *testing.T, r []Release) []Release { return r },
		in:   func(in *Input) { in.RemovedNamespaces = []string{"ingress-nginx"} },
		warnings: [][]string{{"ValidatingWebhookConfiguration ingress-nginx-admission: left-behind: webhooks[validate.nginx.ingress.kubernetes.io].clientConfig.service ingress-nginx/ingress-nginx-controller-admission",
			"and the base stack's plan deletes namespace ingress-nginx; the configuration stays in helm_release.ingress_nginx"}},
	}, {
		name: "harmless: a model added to Ollama, a limit raised on LibreChat",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "Deployment", "ollama", func(o runtime.Object) {
				cmd := o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Lifecycle.PostStart.Exec.Command
				cmd[2] += "/bin/ollama pull  qwen3:0.6b\n"
			})
			edit(t, r, "helm_release.librechat", "Deployment", "librechat", func(o runtime.Object) {
				o.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("2")
			})
			return r
		},
		diff: []string{
			"helm_release.librechat: changed Deployment librechat/librechat\n      spec.template.spec.containers[librechat].resources.limits.cpu: 1 -> 2\n",
			"helm_release.ollama: changed Deployment ollama/ollama\n      spec.template.spec.containers[ollama].lifecycle.postStart.exec.command[2]: ",
			"/bin/ollama pull  qwen3:0.6b",
		},
	}, {
		name: "a chart upgrade relabels Ollama's Deployment",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "Deployment", "ollama", func(o runtime.Object) {
				d := o.(*appsv1.Deployment)
				d.Labels["helm.sh/chart"], d.Spec.Template.Labels["helm.sh/chart"] = "ollama-1.78.0", "ollama-1.78.0"
			})
			return r
		},
		diff: []string{"helm_release.ollama: changed Deployment ollama/ollama\n      metadata.labels.helm.sh/chart (and 1 more helm.sh/chart labels): ollama-1.77.0 -> ollama-1.78.0\n"},
	}, {
		name: "a StatefulSet's serviceName changes; its podManagementPolicy is spelled out",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "StatefulSet", "librechat-meilisearch", func(o runtime.Object) {
				s := o.(*appsv1.StatefulSet)
				s.Spec.ServiceName = "meilisearch"
				s.Spec.PodManagementPolicy = appsv1.OrderedReadyPodManagement
			})
			return r
		},
		findings: [][]string{{"StatefulSet librechat/librechat-meilisearch: refused: spec.serviceName librechat-meilisearch -> meilisearch",
			"a StatefulSet's spec is immutable but for replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds",
			"fix: kubectl delete statefulset librechat-meilisearch -n librechat --cascade=orphan, then deploy: the pods and their claims stay"}},
	}, {
		name: "a chart upgrade relabels a StatefulSet's claim template",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.librechat", "StatefulSet", "librechat-meilisearch", func(o runtime.Object) {
				claimTemplate("")(o)
				o.(*appsv1.StatefulSet).Spec.VolumeClaimTemplates[0].Labels = map[string]string{"helm.sh/chart": "meilisearch-0.12.0"}
			})
			return r
		},
		in: func(in *Input) {
			edit(t, in.Deployed, "helm_release.librechat", "StatefulSet", "librechat-meilisearch", func(o runtime.Object) {
				claimTemplate("")(o)
				o.(*appsv1.StatefulSet).Spec.VolumeClaimTemplates[0].Labels = map[string]string{"helm.sh/chart": "meilisearch-0.11.0"}
			})
		},
		findings: [][]string{{"StatefulSet librechat/librechat-meilisearch: refused: spec.volumeClaimTemplates[data].metadata.labels.helm.sh/chart meilisearch-0.11.0 -> meilisearch-0.12.0",
			"the claims made from the old template keep their spec"}},
		diff: []string{"helm_release.librechat: changed StatefulSet librechat/librechat-meilisearch\n      spec.volumeClaimTemplates[data].metadata.labels.helm.sh/chart: meilisearch-0.11.0 -> meilisearch-0.12.0\n"},
	}, {
		name: "a Deployment's selector changes",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "Deployment", "ollama", func(o runtime.Object) {
				o.(*appsv1.Deployment).Spec.Selector.MatchLabels["app.kubernetes.io/component"] = "server"
			})
			return r
		},
		findings: [][]string{{"Deployment ollama/ollama: refused: spec.selector app.kubernetes.io/instance=ollama,app.kubernetes.io/name=ollama -> app.kubernetes.io/component=server,app.kubernetes.io/instance=ollama,app.kubernetes.io/name=ollama",
			"the selector of a Deployment, DaemonSet or StatefulSet is immutable", "fix: keep the selector (its labels) as deployed; else kubectl delete deployment ollama -n ollama, then deploy"}},
	}, {
		name: "a hook Job's image changes: Helm recreates it",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ingress_nginx", "Job", "ingress-nginx-admission-create", func(o runtime.Object) {
				o.(*batchv1.Job).Spec.Template.Spec.Containers[0].Image = "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v9"
			})
			return r
		},
		diff: []string{"helm_release.ingress_nginx: changed Job ingress-nginx/ingress-nginx-admission-create\n      spec.template.spec.containers[create].image: "},
	}, {
		name: "a hook that stays once it has run",
		next: func(t *testing.T, r []Release) []Release { return r },
		in: func(in *Input) {
			for _, rels := range [][]Release{in.Deployed, in.Next} {
				edit(t, rels, "helm_release.ingress_nginx", "Job", "ingress-nginx-admission-create", func(o runtime.Object) {
					o.(*batchv1.Job).Annotations["helm.sh/hook-delete-policy"] = "hook-failed"
				})
			}
		},
		findings: [][]string{{"Job ingress-nginx/ingress-nginx-admission-create: refused: metadata.annotations.helm.sh/hook-delete-policy hook-failed -> hook-failed",
			"Helm creates this hook (pre-install,pre-upgrade) anew on every upgrade, and with delete policy hook-failed the one that ran stays: the API server refuses the create (already exists)",
			"fix: add before-hook-creation to its helm.sh/hook-delete-policy; or delete it before the deploy: kubectl delete job ingress-nginx-admission-create -n ingress-nginx"}},
	}, {
		name: "a plain Job's image changes",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ingress_nginx", "Job", "ingress-nginx-admission-create", func(o runtime.Object) {
				o.(*batchv1.Job).Spec.Template.Spec.Containers[0].Image = "certgen:v9"
			})
			return r
		},
		in: func(in *Input) {
			for i, o := range in.Deployed[0].Objects {
				if o.Kind == "Job" {
					in.Deployed[0].Objects[i].Hook = ""
				}
			}
			for i, o := range in.Next[0].Objects {
				if o.Kind == "Job" {
					in.Next[0].Objects[i].Hook = ""
				}
			}
		},
		findings: [][]string{{"Job ingress-nginx/ingress-nginx-admission-create: refused: spec.template.spec.containers[create].image", "-> certgen:v9",
			"a Job's spec.template is immutable", "fix: delete the Job before the deploy (kubectl delete job ingress-nginx-admission-create -n ingress-nginx: it has run)"}},
	}, {
		name: "a Service's clusterIP changes",
		next: func(t *testing.T, r []Release) []Release {
			edit(t, r, "helm_release.ollama", "Service", "ollama", func(o runtime.Object) { o.(*corev1.Service).Spec.ClusterIP = "10.0.0.20" })
			return r
		},
		in: func(in *Input) {
			for _, o := range in.Deployed[2].Objects {
				if o.Kind == "Service" {
					o.Typed.(*corev1.Service).Spec.ClusterIP = "10.0.0.10"
				}
			}
		},
		findings: [][]string{{"Service ollama/ollama: refused: spec.clusterIP 10.0.0.10 -> 10.0.0.20", "a Service's cluster IP is immutable", "fix: keep the cluster IP as deployed (or leave it unset); else kubectl delete service ollama -n ollama"}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deployed := clone(dev)
			next := tc.next(t, clone(dev))
			in := Input{Stack: "apps-dev", Deployed: deployed, DeployedFrom: "Helm's records", Next: next, StorageClasses: fixed, StorageClassesFrom: "the cluster"}
			if tc.in != nil {
				tc.in(&in)
			}
			rep := Check(in)
			var out bytes.Buffer
			rep.Write(&out)
			t.Log("\n" + out.String())
			lines(t, "finding", rep.Findings, tc.findings)
			lines(t, "warning", rep.Warnings, tc.warnings)
			lines(t, "accepted", rep.Accepted, tc.accepted)
			if err := rep.Err(); (err != nil) != (len(tc.findings) > 0) {
				t.Errorf("Err() = %v with %d finding(s)", err, len(tc.findings))
			}
			for _, d := range tc.diff {
				if !strings.Contains(out.String(), d) {
					t.Errorf("the diff lacks %q", d)
				}
			}
		})
	}
}

// lines checks that got holds one line for each of want, in order, each
// holding all of its texts.
func lines(t *testing.T, what string, got []Finding, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d %s(s), want %d:", len(got), what, len(want))
		for _, f := range got {
			t.Errorf("  %s", f)
		}
		return
	}
	for i, f := range got {
		for _, s := range want[i] {
			if !strings.Contains(f.String(), s) {
				t.Errorf("%s %d lacks %q:\n  %s", what, i, s, f)
			}
		}
	}
}

func TestNothingDeployed(t *testing.T) {
	rep := Check(Input{Stack: "apps-dev", DeployedFrom: "Helm's records", Next: golden(t, "dev")})
	var out bytes.Buffer
	rep.Write(&out)
	if rep.Err() != nil || len(rep.Findings)+len(rep.Warnings)+len(rep.Diffs) > 0 {
		t.Errorf("nothing deployed: %+v", rep)
	}
	if want := "apps-dev: nothing deployed yet (by Helm's records): every object is new, nothing to check\n"; out.String() != want {
		t.Errorf("Write = %q, want %q", out.String(), want)
	}
}

func TestUnchanged(t *testing.T) {
	for _, env := range []string{"dev", "prod"} {
		rels := golden(t, env)
		rep := Check(Input{Stack: "apps-" + env, Deployed: rels, Next: clone(rels)})
		if len(rep.Diffs)+len(rep.Findings)+len(rep.Warnings) > 0 {
			t.Errorf("%s against itself: %+v", env, rep)
		}
	}
}

// BenchmarkCheck is the check of dev and prod, each deployed against a
// next deploy that doubles a claim, as a deploy runs it.
// BenchmarkDecodeAndCheck is what the change check adds to make diff and
// make deploy beyond Terraform's plans and the cluster's answers: reading
// dev's and prod's manifests twice (what is deployed, what will be) and
// checking them.
func BenchmarkDecodeAndCheck(b *testing.B) {
	for i := 0; i < b.N; i++ {
		for _, env := range []string{"dev", "prod"} {
			in := Input{Stack: "apps-" + env, Deployed: golden(b, env), Next: golden(b, env), StorageClasses: expandable, StorageClassesFrom: "the cluster"}
			if rep := Check(in); rep.Err() != nil {
				b.Fatal(rep.Err())
			}
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	var ins []Input
	for _, env := range []string{"dev", "prod"} {
		deployed := golden(b, env)
		next := clone(deployed)
		for _, r := range next {
			for _, o := range r.Objects {
				if c, ok := o.Typed.(*corev1.PersistentVolumeClaim); ok {
					size("100Gi")(c)
				}
			}
		}
		ins = append(ins, Input{Stack: "apps-" + env, Deployed: deployed, Next: next, StorageClasses: expandable, StorageClassesFrom: "the cluster"})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, in := range ins {
			if rep := Check(in); len(rep.Warnings) == 0 {
				b.Fatal("no warning")
			}
		}
	}
}
