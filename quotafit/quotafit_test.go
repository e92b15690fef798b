package quotafit

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// rl builds a ResourceList from name, quantity pairs.
func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// res builds container resources; nil lists stay nil.
func res(requests, limits corev1.ResourceList) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: requests, Limits: limits}
}

func ctr(name string, r corev1.ResourceRequirements) corev1.Container {
	return corev1.Container{Name: name, Image: "img", Resources: r}
}

func ptr[T any](v T) *T { return &v }

// sameList fails unless got and want have the same keys with equal
// quantities.
func sameList(t *testing.T, what string, got, want corev1.ResourceList) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %s, want %s", what, show(got), show(want))
		return
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.Cmp(w) != 0 {
			t.Errorf("%s = %s, want %s", what, show(got), show(want))
			return
		}
	}
}

func show(list corev1.ResourceList) string {
	var parts []string
	for _, k := range sortedKeys(list) {
		v := list[k]
		parts = append(parts, string(k)+"="+v.String())
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func deploy(name string, replicas *int32, strategy appsv1.DeploymentStrategy, containers ...corev1.Container) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas,
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: containers}},
		},
	}
}

func rolling(maxSurge intstr.IntOrString) appsv1.DeploymentStrategy {
	return appsv1.DeploymentStrategy{
		Type:          appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &maxSurge},
	}
}

func TestWorkloadsDeploymentSurge(t *testing.T) {
	tests := []struct {
		name         string
		replicas     *int32
		strategy     appsv1.DeploymentStrategy
		wantReplicas int32
		wantSurge    int32
	}{
		{"default replicas, default strategy", nil, appsv1.DeploymentStrategy{}, 1, 1},
		{"1 replica, default 25% rounds up to 1", ptr[int32](1), appsv1.DeploymentStrategy{}, 1, 1},
		{"4 replicas, 25% = 1", ptr[int32](4), appsv1.DeploymentStrategy{}, 4, 1},
		{"5 replicas, 25% = 1.25 rounds up to 2", ptr[int32](5), appsv1.DeploymentStrategy{}, 5, 2},
		{"RollingUpdate without rollingUpdate block", ptr[int32](8), appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType}, 8, 2},
		{"Recreate has no surge", ptr[int32](5), appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}, 5, 0},
		{"maxSurge 0", ptr[int32](5), rolling(intstr.FromInt32(0)), 5, 0},
		{"maxSurge 3", ptr[int32](2), rolling(intstr.FromInt32(3)), 2, 3},
		{"maxSurge 50% of 3", ptr[int32](3), rolling(intstr.FromString("50%")), 3, 2},
		{"0 replicas, no surge", ptr[int32](0), appsv1.DeploymentStrategy{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Workloads([]runtime.Object{deploy("web", tt.replicas, tt.strategy, ctr("web", res(nil, nil)))})
			if len(ws) != 1 {
				t.Fatalf("got %d workloads, want 1", len(ws))
			}
			if ws[0].Replicas != tt.wantReplicas || ws[0].Surge != tt.wantSurge {
				t.Errorf("replicas, surge = %d, %d; want %d, %d", ws[0].Replicas, ws[0].Surge, tt.wantReplicas, tt.wantSurge)
			}
		})
	}
}

func TestWorkloadsKinds(t *testing.T) {
	tmpl := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{ctr("c", res(nil, nil))}}}
	maxSurge := intstr.FromInt32(1)
	tests := []struct {
		name                string
		obj                 runtime.Object
		wantKind            string
		wantReplicas, surge int32
	}{
		{"StatefulSet default replicas, no surge", &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Spec: appsv1.StatefulSetSpec{Template: tmpl}}, "StatefulSet", 1, 0},
		{"StatefulSet replicas", &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Spec: appsv1.StatefulSetSpec{Replicas: ptr[int32](3), Template: tmpl}}, "StatefulSet", 3, 0},
		{"DaemonSet one pod, no surge by default", &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "d"}, Spec: appsv1.DaemonSetSpec{Template: tmpl}}, "DaemonSet", 1, 0},
		{"DaemonSet maxSurge 1", &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "d"}, Spec: appsv1.DaemonSetSpec{Template: tmpl,
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &maxSurge}}}}, "DaemonSet", 1, 1},
		{"ReplicaSet default replicas", &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Spec: appsv1.ReplicaSetSpec{Template: tmpl}}, "ReplicaSet", 1, 0},
		{"Job default parallelism", &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{Template: tmpl}}, "Job", 1, 0},
		{"Job parallelism bounded by completions", &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{Parallelism: ptr[int32](5), Completions: ptr[int32](2), Template: tmpl}}, "Job", 2, 0},
		{"Job parallelism below completions", &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{Parallelism: ptr[int32](3), Completions: ptr[int32](10), Template: tmpl}}, "Job", 3, 0},
		{"CronJob one job", &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Parallelism: ptr[int32](2), Template: tmpl}}}}, "CronJob", 2, 0},
		{"bare Pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: tmpl.Spec}, "Pod", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Workloads([]runtime.Object{tt.obj, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "ignored"}}})
			if len(ws) != 1 {
				t.Fatalf("got %d workloads, want 1", len(ws))
			}
			w := ws[0]
			if w.Kind != tt.wantKind || w.Replicas != tt.wantReplicas || w.Surge != tt.surge {
				t.Errorf("got %s replicas %d surge %d, want %s replicas %d surge %d", w.Kind, w.Replicas, w.Surge, tt.wantKind, tt.wantReplicas, tt.surge)
			}
			if len(w.Template.Spec.Containers) != 1 {
				t.Errorf("template not carried over: %+v", w.Template.Spec)
			}
		})
	}
}

func TestWorkloadsUnstructuredAndOrder(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "b-api"},
		"spec": map[string]any{
			"replicas": int64(4),
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "api", "image": "x", "resources": map[string]any{"requests": map[string]any{"memory": "1Gi"}}},
			}}},
		},
	}}
	objs := []runtime.Object{
		u,
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "c-migrate"}},
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "a-db"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b-api"}},
	}
	var got []string
	ws := Workloads(objs)
	for _, w := range ws {
		got = append(got, w.Object())
	}
	want := []string{"StatefulSet/a-db", "Deployment/b-api", "Pod/b-api", "Job/c-migrate"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	d := ws[1]
	if d.Replicas != 4 || d.Surge != 1 {
		t.Errorf("unstructured Deployment: replicas %d surge %d, want 4 and 1", d.Replicas, d.Surge)
	}
	if q := d.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory]; q.String() != "1Gi" {
		t.Errorf("unstructured Deployment memory request = %s, want 1Gi", q.String())
	}
}

func TestPodRequirements(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	defaults := corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:           corev1.LimitTypeContainer,
			Default:        rl("cpu", "500m", "memory", "512Mi"),
			DefaultRequest: rl("cpu", "100m", "memory", "256Mi"),
		}}},
	}
	tests := []struct {
		name         string
		spec         corev1.PodSpec
		ranges       []corev1.LimitRange
		wantRequests corev1.ResourceList
		wantLimits   corev1.ResourceList
	}{
		{
			name: "containers sum",
			spec: corev1.PodSpec{Containers: []corev1.Container{
				ctr("a", res(rl("cpu", "250m", "memory", "1Gi"), rl("cpu", "1", "memory", "1Gi"))),
				ctr("b", res(rl("cpu", "750m", "memory", "512Mi"), rl("cpu", "1", "memory", "1Gi"))),
			}},
			wantRequests: rl("cpu", "1", "memory", "1536Mi"),
			wantLimits:   rl("cpu", "2", "memory", "2Gi"),
		},
		{
			name: "init container larger than containers",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("download", res(rl("cpu", "2", "memory", "8Gi"), rl("memory", "8Gi")))},
				Containers:     []corev1.Container{ctr("serve", res(rl("cpu", "500m", "memory", "4Gi"), rl("memory", "6Gi")))},
			},
			wantRequests: rl("cpu", "2", "memory", "8Gi"),
			wantLimits:   rl("memory", "8Gi"),
		},
		{
			name: "sidecar init container adds to containers and to later init containers",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "proxy", RestartPolicy: &always, Resources: res(rl("cpu", "100m", "memory", "128Mi"), nil)},
					ctr("warmup", res(rl("cpu", "1", "memory", "256Mi"), nil)),
				},
				Containers: []corev1.Container{ctr("app", res(rl("cpu", "500m", "memory", "1Gi"), nil))},
			},
			// containers+sidecars: cpu 600m, memory 1152Mi; warmup+proxy: cpu 1100m, memory 384Mi.
			wantRequests: rl("cpu", "1100m", "memory", "1152Mi"),
			wantLimits:   rl(),
		},
		{
			name: "sidecar declared after an init container does not add to it",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					ctr("warmup", res(rl("cpu", "1"), nil)),
					{Name: "proxy", RestartPolicy: &always, Resources: res(rl("cpu", "100m"), nil)},
				},
				Containers: []corev1.Container{ctr("app", res(rl("cpu", "500m"), nil))},
			},
			wantRequests: rl("cpu", "1"),
			wantLimits:   rl(),
		},
		{
			name:         "LimitRange default fills a container with no resources",
			spec:         corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(nil, nil))}},
			ranges:       []corev1.LimitRange{defaults},
			wantRequests: rl("cpu", "100m", "memory", "256Mi"),
			wantLimits:   rl("cpu", "500m", "memory", "512Mi"),
		},
		{
			name:         "LimitRange fills only what is missing",
			spec:         corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(rl("memory", "300Mi"), nil))}},
			ranges:       []corev1.LimitRange{defaults},
			wantRequests: rl("cpu", "100m", "memory", "300Mi"),
			wantLimits:   rl("cpu", "500m", "memory", "512Mi"),
		},
		{
			name: "LimitRange defaultRequest falls back to default, default to max",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(nil, nil))}},
			ranges: []corev1.LimitRange{{ObjectMeta: metav1.ObjectMeta{Name: "max-only"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
				Type: corev1.LimitTypeContainer, Max: rl("cpu", "2"), Default: rl("memory", "1Gi"),
			}}}}},
			wantRequests: rl("cpu", "2", "memory", "1Gi"),
			wantLimits:   rl("cpu", "2", "memory", "1Gi"),
		},
		{
			name: "first LimitRange wins",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(nil, nil))}},
			ranges: []corev1.LimitRange{
				{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Default: rl("cpu", "1")}}}},
				{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Default: rl("cpu", "3", "memory", "1Gi")}}}},
			},
			wantRequests: rl("cpu", "1", "memory", "1Gi"),
			wantLimits:   rl("cpu", "1", "memory", "1Gi"),
		},
		{
			name:         "only limits set: requests = limits",
			spec:         corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(nil, rl("cpu", "2", "memory", "4Gi")))}},
			ranges:       []corev1.LimitRange{defaults},
			wantRequests: rl("cpu", "2", "memory", "4Gi"),
			wantLimits:   rl("cpu", "2", "memory", "4Gi"),
		},
		{
			name:         "GPU extended resource from its limit",
			spec:         corev1.PodSpec{Containers: []corev1.Container{ctr("llm", res(rl("cpu", "4"), rl("nvidia.com/gpu", "2")))}},
			wantRequests: rl("cpu", "4", "nvidia.com/gpu", "2"),
			wantLimits:   rl("nvidia.com/gpu", "2"),
		},
		{
			name: "overhead added to requests and non-zero limits",
			spec: corev1.PodSpec{
				Overhead:   rl("cpu", "250m", "memory", "120Mi"),
				Containers: []corev1.Container{ctr("app", res(rl("cpu", "1", "memory", "1Gi"), rl("memory", "2Gi")))},
			},
			wantRequests: rl("cpu", "1250m", "memory", "1144Mi"),
			wantLimits:   rl("memory", "2168Mi"),
		},
		{
			name: "pod-level resources replace the container sum",
			spec: corev1.PodSpec{
				Resources:  &corev1.ResourceRequirements{Limits: rl("cpu", "4", "memory", "8Gi")},
				Containers: []corev1.Container{ctr("a", res(rl("cpu", "1"), nil)), ctr("b", res(rl("cpu", "1"), nil))},
			},
			wantRequests: rl("cpu", "4", "memory", "8Gi"),
			wantLimits:   rl("cpu", "4", "memory", "8Gi"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.spec.DeepCopy()
			requests, limits, problems := PodRequirements(tt.spec, tt.ranges)
			sameList(t, "requests", requests, tt.wantRequests)
			sameList(t, "limits", limits, tt.wantLimits)
			if len(problems) != 0 {
				t.Errorf("unexpected problems: %v", problems)
			}
			if !reflect.DeepEqual(before, &tt.spec) {
				t.Errorf("PodRequirements modified its input")
			}
		})
	}
}

func TestPodRequirementsProblems(t *testing.T) {
	lr := func(name string, items ...corev1.LimitRangeItem) corev1.LimitRange {
		return corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.LimitRangeSpec{Limits: items}}
	}
	tests := []struct {
		name   string
		spec   corev1.PodSpec
		ranges []corev1.LimitRange
		want   []Problem
	}{
		{
			name:   "request above the LimitRange default limit",
			spec:   corev1.PodSpec{Containers: []corev1.Container{ctr("ollama", res(rl("cpu", "1"), nil))}},
			ranges: []corev1.LimitRange{lr("defaults", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Default: rl("cpu", "500m")})},
			want: []Problem{{Container: "ollama",
				Message: `container ollama: cpu request 1 exceeds its limit 500m (limit from LimitRange "defaults" default)`}},
		},
		{
			name: "request above its own limit",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(rl("memory", "2Gi"), rl("memory", "1Gi")))}},
			want: []Problem{{Container: "app", Message: "container app: memory request 2Gi exceeds its limit 1Gi"}},
		},
		{
			name:   "above LimitRange max",
			spec:   corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(nil, rl("memory", "16Gi")))}},
			ranges: []corev1.LimitRange{lr("caps", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Max: rl("memory", "8Gi")})},
			want: []Problem{{Container: "app",
				Message: `container app: maximum memory usage per Container is 8Gi, but limit is 16Gi (LimitRange "caps")`}},
		},
		{
			name:   "below LimitRange min, init container too",
			spec:   corev1.PodSpec{InitContainers: []corev1.Container{ctr("init", res(rl("cpu", "10m"), nil))}, Containers: []corev1.Container{ctr("app", res(rl("cpu", "200m"), nil))}},
			ranges: []corev1.LimitRange{lr("floor", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, Min: rl("cpu", "50m")})},
			want: []Problem{{Container: "init",
				Message: `container init: minimum cpu usage per Container is 50m, but request is 10m (LimitRange "floor")`}},
		},
		{
			name:   "maxLimitRequestRatio",
			spec:   corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(rl("cpu", "250m"), rl("cpu", "2")))}},
			ranges: []corev1.LimitRange{lr("ratio", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "4")})},
			want: []Problem{{Container: "app",
				Message: `container app: cpu max limit to request ratio per Container is 4, but provided ratio is 8.000000 (limit 2, request 250m) (LimitRange "ratio")`}},
		},
		{
			name:   "ratio at the maximum is fine",
			spec:   corev1.PodSpec{Containers: []corev1.Container{ctr("app", res(rl("cpu", "500m"), rl("cpu", "2")))}},
			ranges: []corev1.LimitRange{lr("ratio", corev1.LimitRangeItem{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "4")})},
		},
		{
			name:   "pod max",
			spec:   corev1.PodSpec{Containers: []corev1.Container{ctr("a", res(nil, rl("memory", "3Gi"))), ctr("b", res(nil, rl("memory", "3Gi")))}},
			ranges: []corev1.LimitRange{lr("pods", corev1.LimitRangeItem{Type: corev1.LimitTypePod, Max: rl("memory", "4Gi")})},
			want:   []Problem{{Message: `pod: maximum memory usage per Pod is 4Gi, but limit is 6Gi (LimitRange "pods")`}},
		},
		{
			name: "GPU request without a limit",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("llm", res(rl("nvidia.com/gpu", "1"), nil))}},
			want: []Problem{{Container: "llm",
				Message: "container llm: nvidia.com/gpu request 1 has no limit; extended resources and hugepages need a limit equal to the request"}},
		},
		{
			name: "GPU request below its limit",
			spec: corev1.PodSpec{Containers: []corev1.Container{ctr("llm", res(rl("nvidia.com/gpu", "1"), rl("nvidia.com/gpu", "2")))}},
			want: []Problem{{Container: "llm",
				Message: "container llm: nvidia.com/gpu request 1 must equal its limit 2 (extended resources and hugepages cannot be overcommitted)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, got := PodRequirements(tt.spec, tt.ranges)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNamespaceUsage(t *testing.T) {
	gold := "gold"
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "qdrant"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr[int32](3),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{ctr("qdrant", res(rl("cpu", "1", "memory", "2Gi"), rl("memory", "2Gi")))}}},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{
				{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: &gold, Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "10Gi")}}},
				{ObjectMeta: metav1.ObjectMeta{Name: "snapshots"}, Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}},
			},
		},
	}
	pvc := func(name, size string) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", size)}}}
	}
	gpu := deploy("ollama", ptr[int32](2), appsv1.DeploymentStrategy{},
		ctr("ollama", res(rl("cpu", "2", "memory", "16Gi"), rl("memory", "16Gi", "nvidia.com/gpu", "1"))))
	ephemeral := deploy("cache", ptr[int32](1), appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
		ctr("cache", res(rl("cpu", "100m"), nil)))
	ephemeral.Spec.Template.Spec.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
		VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "5Gi")}}},
	}}}}

	tests := []struct {
		name      string
		objs      []runtime.Object
		want      corev1.ResourceList
		wantItems []string
	}{
		{
			name: "StatefulSet volumeClaimTemplates times replicas",
			objs: []runtime.Object{sts},
			want: rl("pods", "3", "cpu", "3", "requests.cpu", "3", "memory", "6Gi", "requests.memory", "6Gi", "limits.memory", "6Gi",
				"persistentvolumeclaims", "6", "requests.storage", "33Gi",
				"gold.storageclass.storage.k8s.io/persistentvolumeclaims", "3", "gold.storageclass.storage.k8s.io/requests.storage", "30Gi"),
			wantItems: []string{"StatefulSet/qdrant"},
		},
		{
			name:      "PVC storage sum",
			objs:      []runtime.Object{pvc("models", "100Gi"), pvc("cache", "500Mi"), pvc("db", "20Gi")},
			want:      rl("persistentvolumeclaims", "3", "requests.storage", "123380Mi"),
			wantItems: []string{"PersistentVolumeClaim/cache", "PersistentVolumeClaim/db", "PersistentVolumeClaim/models"},
		},
		{
			name: "GPU counted under requests.nvidia.com/gpu, with surge",
			objs: []runtime.Object{gpu},
			// 2 replicas + 1 surge.
			want: rl("pods", "3", "cpu", "6", "requests.cpu", "6", "memory", "48Gi", "requests.memory", "48Gi", "limits.memory", "48Gi",
				"requests.nvidia.com/gpu", "3"),
			wantItems: []string{"Deployment/ollama"},
		},
		{
			name: "generic ephemeral volume per pod",
			objs: []runtime.Object{ephemeral},
			want: rl("pods", "1", "cpu", "100m", "requests.cpu", "100m", "persistentvolumeclaims", "1", "requests.storage", "5Gi"),
		},
		{
			name: "everything together, sorted by name",
			objs: []runtime.Object{sts, gpu, pvc("models", "100Gi")},
			want: rl("pods", "6", "cpu", "9", "requests.cpu", "9", "memory", "54Gi", "requests.memory", "54Gi", "limits.memory", "54Gi",
				"requests.nvidia.com/gpu", "3", "persistentvolumeclaims", "7", "requests.storage", "133Gi",
				"gold.storageclass.storage.k8s.io/persistentvolumeclaims", "3", "gold.storageclass.storage.k8s.io/requests.storage", "30Gi"),
			wantItems: []string{"PersistentVolumeClaim/models", "Deployment/ollama", "StatefulSet/qdrant"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := NamespaceUsage(tt.objs, nil)
			sameList(t, "Used", u.Used, tt.want)
			if len(u.Problems) != 0 {
				t.Errorf("unexpected problems: %v", u.Problems)
			}
			if tt.wantItems != nil {
				var got []string
				for _, it := range u.Items {
					got = append(got, it.Object)
				}
				if !reflect.DeepEqual(got, tt.wantItems) {
					t.Errorf("items = %v, want %v", got, tt.wantItems)
				}
			}
		})
	}
}

func TestNamespaceUsageItemAndProblems(t *testing.T) {
	ranges := []corev1.LimitRange{{
		ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
			{Type: corev1.LimitTypeContainer, Default: rl("cpu", "500m", "memory", "1Gi")},
			{Type: corev1.LimitTypePersistentVolumeClaim, Max: rl("storage", "50Gi")},
		}},
	}}
	objs := []runtime.Object{
		deploy("ollama", ptr[int32](1), appsv1.DeploymentStrategy{}, ctr("ollama", res(rl("cpu", "1"), nil))),
		deploy("ui", ptr[int32](2), appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}, ctr("ui", res(nil, nil))),
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "models"},
			Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "100Gi")}}},
	}
	u := NamespaceUsage(objs, ranges)
	wantProblems := []Problem{
		{Object: "PersistentVolumeClaim/models", Message: `claim models: maximum storage usage per PersistentVolumeClaim is 50Gi, but request is 100Gi (LimitRange "defaults")`},
		{Object: "Deployment/ollama", Container: "ollama", Message: `container ollama: cpu request 1 exceeds its limit 500m (limit from LimitRange "defaults" default)`},
	}
	if !reflect.DeepEqual(u.Problems, wantProblems) {
		t.Errorf("problems:\n got %q\nwant %q", u.Problems, wantProblems)
	}
	if len(u.Items) != 3 || u.Items[2].Object != "Deployment/ui" {
		t.Fatalf("items = %+v", u.Items)
	}
	ui := u.Items[2]
	if ui.Pods != 2 || ui.Surge != 0 {
		t.Errorf("ui pods %d surge %d, want 2 and 0", ui.Pods, ui.Surge)
	}
	sameList(t, "ui per-pod requests", ui.Requests, rl("cpu", "500m", "memory", "1Gi"))
	sameList(t, "ui used", ui.Used, rl("pods", "2", "cpu", "1", "requests.cpu", "1", "limits.cpu", "1",
		"memory", "2Gi", "requests.memory", "2Gi", "limits.memory", "2Gi"))
}

func TestFit(t *testing.T) {
	quota := func(hard corev1.ResourceList) corev1.ResourceQuota {
		return corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "team"}, Spec: corev1.ResourceQuotaSpec{Hard: hard}}
	}
	ollama := deploy("ollama", ptr[int32](1), appsv1.DeploymentStrategy{},
		ctr("ollama", res(rl("cpu", "2", "memory", "16Gi"), rl("memory", "16Gi", "nvidia.com/gpu", "1"))))
	qdrant := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "qdrant"}, Spec: appsv1.StatefulSetSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{ctr("qdrant", res(rl("cpu", "1", "memory", "8Gi"), rl("cpu", "1", "memory", "8Gi")))}}},
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"},
			Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "30Gi")}}}},
	}}
	models := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "models"},
		Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: rl("storage", "100Gi")}}}
	noLimits := deploy("web", ptr[int32](1), appsv1.DeploymentStrategy{}, ctr("web", res(rl("cpu", "100m", "memory", "128Mi"), nil)))
	noLimits.Spec.Template.Spec.InitContainers = []corev1.Container{ctr("migrate", res(rl("cpu", "100m"), rl("cpu", "200m")))}
	limitDefaults := corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "defaults"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{
		{Type: corev1.LimitTypeContainer, Default: rl("cpu", "1", "memory", "1Gi"), DefaultRequest: rl("cpu", "100m", "memory", "128Mi")}}}}
	bestEffort := deploy("besteffort", ptr[int32](3), appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}, ctr("b", res(nil, nil)))

	tests := []struct {
		name   string
		objs   []runtime.Object
		ranges []corev1.LimitRange
		quota  corev1.ResourceQuota
		want   []Exceeded
	}{
		{
			name:  "fits",
			objs:  []runtime.Object{ollama, qdrant, models},
			quota: quota(rl("requests.memory", "40Gi", "requests.cpu", "8", "pods", "10", "requests.storage", "130Gi")),
		},
		{
			name:  "memory exceeded at the surge",
			objs:  []runtime.Object{ollama, qdrant},
			quota: quota(rl("requests.memory", "32Gi", "pods", "3")),
			// ollama 1 replica + 1 surge = 2 × 16Gi, qdrant 8Gi.
			want: []Exceeded{{
				Resource: "requests.memory", Used: resource.MustParse("40Gi"), Hard: resource.MustParse("32Gi"),
				Message: `requests.memory: needs 40Gi, quota "team" allows 32Gi (over by 8Gi): Deployment/ollama 2 pods × 16Gi = 32Gi; StatefulSet/qdrant 1 pod × 8Gi = 8Gi`,
			}},
		},
		{
			name:  "pods exceeded by the surge",
			objs:  []runtime.Object{ollama},
			quota: quota(rl("pods", "1")),
			want: []Exceeded{{
				Resource: "pods", Used: resource.MustParse("2"), Hard: resource.MustParse("1"),
				Message: `pods: needs 2, quota "team" allows 1 (over by 1): Deployment/ollama 2 pods (1 of them rolling-update surge)`,
			}},
		},
		{
			name:  "GPU counted under requests.nvidia.com/gpu; the bare name is not enforced",
			objs:  []runtime.Object{ollama},
			quota: quota(rl("requests.nvidia.com/gpu", "1", "nvidia.com/gpu", "0", "limits.nvidia.com/gpu", "0")),
			want: []Exceeded{{
				Resource: "requests.nvidia.com/gpu", Used: resource.MustParse("2"), Hard: resource.MustParse("1"),
				Message: `requests.nvidia.com/gpu: needs 2, quota "team" allows 1 (over by 1): Deployment/ollama 2 pods × 1 = 2`,
			}},
		},
		{
			name:  "PVC storage sum",
			objs:  []runtime.Object{qdrant, models},
			quota: quota(rl("requests.storage", "100Gi", "persistentvolumeclaims", "2")),
			want: []Exceeded{{
				Resource: "requests.storage", Used: resource.MustParse("130Gi"), Hard: resource.MustParse("100Gi"),
				Message: `requests.storage: needs 130Gi, quota "team" allows 100Gi (over by 30Gi): PersistentVolumeClaim/models 100Gi; StatefulSet/qdrant 1 claim = 30Gi`,
			}},
		},
		{
			name:  "quota on limits.cpu, container without a limit, no LimitRange",
			objs:  []runtime.Object{noLimits},
			quota: quota(rl("limits.cpu", "10", "requests.cpu", "10")),
			want: []Exceeded{{
				Resource: "limits.cpu", Used: resource.MustParse("400m"), Hard: resource.MustParse("10"),
				Message: `limits.cpu: quota "team" tracks limits.cpu, so every container and init container needs a cpu limit, and these have none even after LimitRange defaults: Deployment/web (container web); their pods are rejected (must specify limits.cpu)`,
			}},
		},
		{
			name:   "quota on limits.cpu, LimitRange default supplies it",
			objs:   []runtime.Object{noLimits},
			ranges: []corev1.LimitRange{limitDefaults},
			quota:  quota(rl("limits.cpu", "10", "limits.memory", "10Gi")),
		},
		{
			name:  "quota on requests.memory, init container without a memory request",
			objs:  []runtime.Object{noLimits},
			quota: quota(rl("requests.memory", "10Gi")),
			want: []Exceeded{{
				Resource: "requests.memory", Used: resource.MustParse("256Mi"), Hard: resource.MustParse("10Gi"),
				Message: `requests.memory: quota "team" tracks requests.memory, so every container and init container needs a memory request, and these have none even after LimitRange defaults: Deployment/web (container migrate); their pods are rejected (must specify requests.memory)`,
			}},
		},
		{
			name: "scoped quota charges only the pods it selects",
			objs: []runtime.Object{ollama, bestEffort},
			quota: corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "besteffort"}, Spec: corev1.ResourceQuotaSpec{
				Hard: rl("pods", "2"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}}},
			want: []Exceeded{{
				Resource: "pods", Used: resource.MustParse("3"), Hard: resource.MustParse("2"),
				Message: `pods: needs 3, quota "besteffort" allows 2 (over by 1): Deployment/besteffort 3 pods`,
			}},
		},
		{
			name: "priority class scope not selecting anything",
			objs: []runtime.Object{ollama, qdrant, models},
			quota: corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Spec: corev1.ResourceQuotaSpec{
				Hard: rl("pods", "0", "requests.storage", "0", "limits.cpu", "0"),
				ScopeSelector: &corev1.ScopeSelector{MatchExpressions: []corev1.ScopedResourceSelectorRequirement{{
					ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high"}}}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fit(NamespaceUsage(tt.objs, tt.ranges), tt.quota)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d exceeded, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Resource != w.Resource || g.Used.Cmp(w.Used) != 0 || g.Hard.Cmp(w.Hard) != 0 || g.Message != w.Message {
					t.Errorf("exceeded[%d]:\n got %s used %s hard %s: %s\nwant %s used %s hard %s: %s",
						i, g.Resource, g.Used.String(), g.Hard.String(), g.Message, w.Resource, w.Used.String(), w.Hard.String(), w.Message)
				}
			}
		})
	}
}
