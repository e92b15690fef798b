package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Base is what the base stack of an environment will create, as Kubernetes
// API objects: the side of the contract the releases must keep.
type Base struct {
	// Stack is the stack's name, e.g. base-dev.
	Stack string
	// Namespaces maps each namespace to its labels.
	Namespaces  map[string]map[string]string
	Quotas      []corev1.ResourceQuota
	LimitRanges []corev1.LimitRange
	Policies    []networkingv1.NetworkPolicy
	// Secrets maps namespace/name to the Secret's keys and their values as
	// written (Terraform expressions such as ${var.x} kept as they are).
	Secrets map[string]map[string]string
	// WriteOnly maps namespace/name to the keys of the Secret that are
	// written write-only (data_wo, binary_data_wo): never in the state.
	WriteOnly map[string]map[string]bool
}

// ReadBase reads the base stack in dir (a folder holding cdk.tf.json).
func ReadBase(dir string) (Base, error) {
	file := filepath.Join(dir, "cdk.tf.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return Base{}, fmt.Errorf("contract: %w", err)
	}
	var doc struct {
		Resource map[string]map[string]map[string]any `json:"resource"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Base{}, fmt.Errorf("contract: %s: %w", file, err)
	}
	b := Base{Stack: filepath.Base(dir), Namespaces: map[string]map[string]string{}, Secrets: map[string]map[string]string{}, WriteOnly: map[string]map[string]bool{}}
	r := resolver{doc.Resource}
	for _, id := range sortedKeys(doc.Resource["kubernetes_namespace_v1"]) {
		m := block(doc.Resource["kubernetes_namespace_v1"][id]["metadata"])
		b.Namespaces[str(m["name"])] = strMap(m["labels"])
	}
	for _, id := range sortedKeys(doc.Resource["kubernetes_resource_quota_v1"]) {
		res := doc.Resource["kubernetes_resource_quota_v1"][id]
		q := corev1.ResourceQuota{ObjectMeta: r.meta(res)}
		hard, err := resources(block(res["spec"])["hard"])
		if err != nil {
			return Base{}, fmt.Errorf("contract: %s: kubernetes_resource_quota_v1.%s: %w", b.Stack, id, err)
		}
		q.Spec.Hard = hard
		b.Quotas = append(b.Quotas, q)
	}
	for _, id := range sortedKeys(doc.Resource["kubernetes_limit_range_v1"]) {
		res := doc.Resource["kubernetes_limit_range_v1"][id]
		lr := corev1.LimitRange{ObjectMeta: r.meta(res)}
		for _, l := range blocks(block(res["spec"])["limit"]) {
			item := corev1.LimitRangeItem{Type: corev1.LimitType(str(l["type"]))}
			for field, dst := range map[string]*corev1.ResourceList{
				"default": &item.Default, "default_request": &item.DefaultRequest, "max": &item.Max, "min": &item.Min,
				"max_limit_request_ratio": &item.MaxLimitRequestRatio,
			} {
				if *dst, err = resources(l[field]); err != nil {
					return Base{}, fmt.Errorf("contract: %s: kubernetes_limit_range_v1.%s: %s: %w", b.Stack, id, field, err)
				}
			}
			lr.Spec.Limits = append(lr.Spec.Limits, item)
		}
		b.LimitRanges = append(b.LimitRanges, lr)
	}
	for _, id := range sortedKeys(doc.Resource["kubernetes_network_policy_v1"]) {
		res := doc.Resource["kubernetes_network_policy_v1"][id]
		b.Policies = append(b.Policies, networkingv1.NetworkPolicy{ObjectMeta: r.meta(res), Spec: policySpec(block(res["spec"]))})
	}
	for _, id := range sortedKeys(doc.Resource["kubernetes_secret_v1"]) {
		res := doc.Resource["kubernetes_secret_v1"][id]
		m := r.meta(res)
		data, wo := map[string]string{}, map[string]bool{}
		for _, field := range []string{"data", "data_wo", "binary_data", "binary_data_wo"} {
			for k, v := range strMap(res[field]) {
				data[k] = v
				wo[k] = strings.HasSuffix(field, "_wo")
			}
		}
		b.Secrets[m.Namespace+"/"+m.Name] = data
		b.WriteOnly[m.Namespace+"/"+m.Name] = wo
	}
	return b, nil
}

// resolver turns a stack's references to its namespaces' names into the names.
type resolver struct {
	resources map[string]map[string]map[string]any
}

var metadataNameRef = regexp.MustCompile(`^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}$`)

func (r resolver) value(v any) string {
	s := str(v)
	if m := metadataNameRef.FindStringSubmatch(s); m != nil {
		return str(block(r.resources[m[1]][m[2]]["metadata"])["name"])
	}
	return s
}

func (r resolver) meta(res map[string]any) metav1.ObjectMeta {
	m := block(res["metadata"])
	return metav1.ObjectMeta{Name: r.value(m["name"]), Namespace: r.value(m["namespace"]), Labels: strMap(m["labels"])}
}

func policySpec(s map[string]any) networkingv1.NetworkPolicySpec {
	spec := networkingv1.NetworkPolicySpec{PodSelector: selector(s["pod_selector"])}
	for _, t := range list(s["policy_types"]) {
		spec.PolicyTypes = append(spec.PolicyTypes, networkingv1.PolicyType(str(t)))
	}
	for _, rule := range blocks(s["ingress"]) {
		spec.Ingress = append(spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: peers(rule["from"]), Ports: ports(rule["ports"])})
	}
	for _, rule := range blocks(s["egress"]) {
		spec.Egress = append(spec.Egress, networkingv1.NetworkPolicyEgressRule{To: peers(rule["to"]), Ports: ports(rule["ports"])})
	}
	return spec
}

func peers(v any) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for _, p := range blocks(v) {
		var peer networkingv1.NetworkPolicyPeer
		if _, ok := p["pod_selector"]; ok {
			s := selector(p["pod_selector"])
			peer.PodSelector = &s
		}
		if _, ok := p["namespace_selector"]; ok {
			s := selector(p["namespace_selector"])
			peer.NamespaceSelector = &s
		}
		if ip := block(p["ip_block"]); len(ip) > 0 {
			peer.IPBlock = &networkingv1.IPBlock{CIDR: str(ip["cidr"])}
			for _, e := range list(ip["except"]) {
				peer.IPBlock.Except = append(peer.IPBlock.Except, str(e))
			}
		}
		out = append(out, peer)
	}
	return out
}

func ports(v any) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for _, p := range blocks(v) {
		var port networkingv1.NetworkPolicyPort
		if proto := str(p["protocol"]); proto != "" {
			pr := corev1.Protocol(proto)
			port.Protocol = &pr
		}
		if s := str(p["port"]); s != "" {
			ip := intstr.Parse(s)
			port.Port = &ip
		}
		if e, ok := p["end_port"].(float64); ok {
			ep := int32(e)
			port.EndPort = &ep
		}
		out = append(out, port)
	}
	return out
}

func selector(v any) metav1.LabelSelector {
	m := block(v)
	s := metav1.LabelSelector{MatchLabels: strMap(m["match_labels"])}
	for _, e := range blocks(m["match_expressions"]) {
		req := metav1.LabelSelectorRequirement{Key: str(e["key"]), Operator: metav1.LabelSelectorOperator(str(e["operator"]))}
		for _, val := range list(e["values"]) {
			req.Values = append(req.Values, str(val))
		}
		s.MatchExpressions = append(s.MatchExpressions, req)
	}
	return s
}

func resources(v any) (corev1.ResourceList, error) {
	m := strMap(v)
	if len(m) == 0 {
		return nil, nil
	}
	out := corev1.ResourceList{}
	for k, s := range m {
		q, err := resource.ParseQuantity(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", k, s, err)
		}
		out[corev1.ResourceName(k)] = q
	}
	return out, nil
}

// block is a nested block, which cdktf writes as an object or a list of one.
func block(v any) map[string]any {
	if bs := blocks(v); len(bs) > 0 {
		return bs[0]
	}
	return map[string]any{}
}

// blocks is a repeated block, or a single one written as an object.
func blocks(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return fmt.Sprint(t)
	}
	return ""
}

func strMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, val := range m {
		out[k] = str(val)
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
