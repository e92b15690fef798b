package contract

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/llm-platform/cdktf-llm/quotafit"
	"github.com/llm-platform/cdktf-llm/render"
)

// pod is the pod template of a rendered workload.
type pod struct {
	Object   render.Object
	Template corev1.PodTemplateSpec
}

// pods lists the pod templates of a release's workloads.
func pods(r *render.Rendered) []pod {
	byID := map[string]render.Object{}
	var typed []runtime.Object
	for _, o := range r.Objects {
		if o.Typed != nil {
			typed = append(typed, o.Typed)
			byID[o.ID()] = o
		}
	}
	var out []pod
	for _, w := range quotafit.Workloads(typed) {
		out = append(out, pod{Object: byID[w.Object()], Template: w.Template})
	}
	return out
}

// containers lists every container of a pod spec: init, regular, ephemeral.
func containers(s corev1.PodSpec) []corev1.Container {
	out := append(append([]corev1.Container(nil), s.InitContainers...), s.Containers...)
	for _, e := range s.EphemeralContainers {
		out = append(out, corev1.Container(e.EphemeralContainerCommon))
	}
	return out
}
