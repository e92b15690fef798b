package quotafit

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Workload is one pod-producing object with its pod template and how many
// pods it keeps.
type Workload struct {
	// Kind and Name identify the object, e.g. "Deployment" and "ollama".
	Kind, Name string
	// Replicas is the number of pods the object keeps in steady state.
	Replicas int32
	// Surge is how many extra pods a rolling update may create on top of
	// Replicas.
	Surge int32
	// Template is the pod template as written in the object (no defaulting
	// applied; PodRequirements does that).
	Template corev1.PodTemplateSpec
	// Claims are a StatefulSet's volumeClaimTemplates: one PVC of each per
	// replica, kept across updates.
	Claims []corev1.PersistentVolumeClaim
}

// Pods is the workload's peak pod count: Replicas + Surge.
func (w Workload) Pods() int64 { return int64(w.Replicas) + int64(w.Surge) }

// Object is the workload's "Kind/Name", as used in Item and Problem.
func (w Workload) Object() string { return w.Kind + "/" + w.Name }

// defaultMaxSurge is the Deployment default for
// spec.strategy.rollingUpdate.maxSurge.
var defaultMaxSurge = intstr.FromString("25%")

// Workloads returns the pod-producing objects among objs, sorted by name and
// then kind. Objects may be typed (*appsv1.Deployment, ...) or
// *unstructured.Unstructured with apiVersion apps/v1, batch/v1 or v1; other
// objects are skipped. Per kind:
//
//   - Deployment: replicas (default 1); surge is maxSurge for the
//     RollingUpdate strategy (default 25% of replicas, rounded up), 0 for
//     Recreate.
//   - StatefulSet: replicas (default 1); no surge (pods are replaced one at a
//     time); Claims are its volumeClaimTemplates.
//   - DaemonSet: one pod, because the number of nodes it lands on is not
//     known here; surge from rollingUpdate.maxSurge (default 0) scaled to that
//     one pod. Multiply by the node count yourself if it matters.
//   - ReplicaSet, ReplicationController: replicas (default 1), no surge.
//   - Job: parallelism (default 1), at most completions; a suspended Job
//     is counted as if it ran.
//   - CronJob: one Job's worth; with concurrencyPolicy Allow, overlapping runs
//     can use more.
//   - Pod: one.
//
// Objects that cannot be read (a malformed unstructured object, an invalid
// maxSurge) are reported as Problems by NamespaceUsage; Workloads keeps what
// it can (an invalid maxSurge counts as 0).
func Workloads(objs []runtime.Object) []Workload {
	return collect(objs).workloads
}

// collected is what NamespaceUsage needs from the objects.
type collected struct {
	workloads []Workload
	claims    []corev1.PersistentVolumeClaim
	problems  []Problem
}

func collect(objs []runtime.Object) collected {
	var c collected
	for _, obj := range objs {
		if obj == nil {
			continue
		}
		obj, err := typed(obj)
		if err != nil {
			c.problems = append(c.problems, Problem{Object: describe(obj), Message: err.Error()})
			continue
		}
		var w *Workload
		var problems []Problem
		switch o := obj.(type) {
		case *appsv1.Deployment:
			w, problems = deployment(o)
		case *appsv1.StatefulSet:
			w = &Workload{Kind: "StatefulSet", Name: o.Name, Replicas: replicas(o.Spec.Replicas),
				Template: o.Spec.Template, Claims: o.Spec.VolumeClaimTemplates}
		case *appsv1.DaemonSet:
			w, problems = daemonSet(o)
		case *appsv1.ReplicaSet:
			w = &Workload{Kind: "ReplicaSet", Name: o.Name, Replicas: replicas(o.Spec.Replicas), Template: o.Spec.Template}
		case *corev1.ReplicationController:
			if o.Spec.Template == nil {
				problems = append(problems, Problem{Object: "ReplicationController/" + o.Name, Message: "no pod template"})
				break
			}
			w = &Workload{Kind: "ReplicationController", Name: o.Name, Replicas: replicas(o.Spec.Replicas), Template: *o.Spec.Template}
		case *batchv1.Job:
			w = &Workload{Kind: "Job", Name: o.Name, Replicas: jobPods(o.Spec), Template: o.Spec.Template}
		case *batchv1.CronJob:
			w = &Workload{Kind: "CronJob", Name: o.Name, Replicas: jobPods(o.Spec.JobTemplate.Spec), Template: o.Spec.JobTemplate.Spec.Template}
		case *corev1.Pod:
			w = &Workload{Kind: "Pod", Name: o.Name, Replicas: 1,
				Template: corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}}
		case *corev1.PersistentVolumeClaim:
			c.claims = append(c.claims, *o)
		}
		if w != nil {
			c.workloads = append(c.workloads, *w)
		}
		c.problems = append(c.problems, problems...)
	}
	sort.SliceStable(c.workloads, func(i, j int) bool {
		return lessObject(c.workloads[i].Object(), c.workloads[j].Object())
	})
	sort.SliceStable(c.claims, func(i, j int) bool { return c.claims[i].Name < c.claims[j].Name })
	return c
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

func deployment(d *appsv1.Deployment) (*Workload, []Problem) {
	w := &Workload{Kind: "Deployment", Name: d.Name, Replicas: replicas(d.Spec.Replicas), Template: d.Spec.Template}
	if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		return w, nil
	}
	maxSurge := defaultMaxSurge
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil && ru.MaxSurge != nil {
		maxSurge = *ru.MaxSurge
	}
	surge, err := scaled(maxSurge, w.Replicas)
	if err != nil {
		return w, []Problem{{Object: w.Object(), Message: "maxSurge: " + err.Error()}}
	}
	w.Surge = surge
	return w, nil
}

func daemonSet(d *appsv1.DaemonSet) (*Workload, []Problem) {
	w := &Workload{Kind: "DaemonSet", Name: d.Name, Replicas: 1, Template: d.Spec.Template}
	ru := d.Spec.UpdateStrategy.RollingUpdate
	if d.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType || ru == nil || ru.MaxSurge == nil {
		return w, nil
	}
	surge, err := scaled(*ru.MaxSurge, w.Replicas)
	if err != nil {
		return w, []Problem{{Object: w.Object(), Message: "maxSurge: " + err.Error()}}
	}
	w.Surge = surge
	return w, nil
}

// scaled resolves an int-or-percent of total, rounding up like the Deployment
// controller does for maxSurge.
func scaled(v intstr.IntOrString, total int32) (int32, error) {
	n, err := intstr.GetScaledValueFromIntOrPercent(&v, int(total), true)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("%s is negative", v.String())
	}
	return int32(n), nil
}

// jobPods is how many pods a Job runs at once: parallelism (default 1), never
// more than completions.
func jobPods(spec batchv1.JobSpec) int32 {
	p := int32(1)
	if spec.Parallelism != nil {
		p = *spec.Parallelism
	}
	if spec.Completions != nil && *spec.Completions < p {
		p = *spec.Completions
	}
	return p
}

// kinds maps the group/version/kinds read from unstructured objects to the
// typed object they convert into.
var kinds = map[schema.GroupVersionKind]func() runtime.Object{
	appsv1.SchemeGroupVersion.WithKind("Deployment"):            func() runtime.Object { return &appsv1.Deployment{} },
	appsv1.SchemeGroupVersion.WithKind("StatefulSet"):           func() runtime.Object { return &appsv1.StatefulSet{} },
	appsv1.SchemeGroupVersion.WithKind("DaemonSet"):             func() runtime.Object { return &appsv1.DaemonSet{} },
	appsv1.SchemeGroupVersion.WithKind("ReplicaSet"):            func() runtime.Object { return &appsv1.ReplicaSet{} },
	batchv1.SchemeGroupVersion.WithKind("Job"):                  func() runtime.Object { return &batchv1.Job{} },
	batchv1.SchemeGroupVersion.WithKind("CronJob"):              func() runtime.Object { return &batchv1.CronJob{} },
	corev1.SchemeGroupVersion.WithKind("Pod"):                   func() runtime.Object { return &corev1.Pod{} },
	corev1.SchemeGroupVersion.WithKind("ReplicationController"): func() runtime.Object { return &corev1.ReplicationController{} },
	corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"): func() runtime.Object { return &corev1.PersistentVolumeClaim{} },
}

// typed converts an unstructured object of a kind this package reads into its
// typed form; anything else is returned unchanged.
func typed(obj runtime.Object) (runtime.Object, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	newObj, ok := kinds[u.GroupVersionKind()]
	if !ok {
		return obj, nil
	}
	out := newObj()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return obj, fmt.Errorf("cannot read %s: %v", u.GetKind(), err)
	}
	return out, nil
}

// describe names an object for a Problem when it could not be read.
func describe(obj runtime.Object) string {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.GetKind() + "/" + u.GetName()
	}
	return fmt.Sprintf("%T", obj)
}

// lessObject orders "Kind/Name" strings by name, then kind.
func lessObject(a, b string) bool {
	ak, an, _ := strings.Cut(a, "/")
	bk, bn, _ := strings.Cut(b, "/")
	if an != bn {
		return an < bn
	}
	return ak < bk
}
