package netpol

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// benchWorld is a platform-sized world: the fixture's policies, evaluated
// for every pair of the fixture's endpoints on a few ports, as the chart
// check's matrix does.
func benchWorld(b testing.TB) (Cluster, []Endpoint) {
	b.Helper()
	c := Cluster{Namespaces: namespaces, Policies: policies(b, ollamaDefaultDeny, librechatDenyEgress, ollamaNamedPort,
		ollamaTCPDefault, ollamaFromLibrechatNS, librechatEgressIPBlock, ollamaFromIPBlock, librechatEgressInternet, librechatEgressToOllama)}
	return c, []Endpoint{librechat, worker, impostor, ollamaTwin, webPod, ollama, mongo, coredns, external, externalV6}
}

func evaluateAll(c interface {
	Evaluate(src, dst Endpoint, port int32, proto corev1.Protocol) Verdict
}, eps []Endpoint) {
	for _, s := range eps {
		for _, d := range eps {
			for _, port := range []int32{53, 443, 11434} {
				c.Evaluate(s, d, port, corev1.ProtocolTCP)
			}
		}
	}
}

// BenchmarkEvaluate compares validating and parsing the policies for every
// flow (Cluster.Evaluate) with doing it once (Cluster.Compile) for the 300
// flows of one matrix.
func BenchmarkEvaluate(b *testing.B) {
	c, eps := benchWorld(b)
	b.Run("per-flow", func(b *testing.B) {
		for b.Loop() {
			evaluateAll(c, eps)
		}
	})
	b.Run("compiled", func(b *testing.B) {
		for b.Loop() {
			evaluateAll(c.Compile(), eps)
		}
	})
}
