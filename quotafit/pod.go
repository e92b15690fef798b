package quotafit

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Problem is something admission would reject before quota is even
// considered: a request above its limit after defaulting, a value outside a
// LimitRange's min or max, a limit/request ratio above maxLimitRequestRatio,
// an extended resource whose request is not equal to its limit, or an object
// that could not be read.
type Problem struct {
	// Object is "Kind/Name" of the object whose pods (or claims) are
	// rejected; empty when returned by PodRequirements.
	Object string
	// Container is the container's name, empty for pod-level and claim
	// problems.
	Container string
	// Message says what is wrong, e.g. `container ollama: cpu request 1
	// exceeds its limit 500m (limit from LimitRange "defaults" default)`.
	Message string
}

// String is "Object: Message".
func (p Problem) String() string {
	if p.Object == "" {
		return p.Message
	}
	return p.Object + ": " + p.Message
}

// PodRequirements returns a pod's effective requests and limits as the
// ResourceQuota admission computes them, after API defaulting (a container
// with a limit and no request gets request = limit) and LimitRange defaulting
// (type Container: default fills missing limits, defaultRequest missing
// requests; on the LimitRange, default falls back to max and defaultRequest to
// default, then min). With several LimitRanges the first that has a default
// for a resource wins, in the order given.
//
// Per resource, including extended resources such as nvidia.com/gpu, the
// value is the larger of
//
//   - the sum over regular containers plus restartable (sidecar, restartPolicy
//     Always) init containers, and
//   - for each other init container, its own value plus the sidecars declared
//     before it,
//
// with pod overhead added to every request and to every non-zero limit.
// Pod-level resources (spec.resources) replace the aggregate for cpu, memory
// and hugepages, as in the Kubernetes resource helpers.
//
// problems lists what pod validation or LimitRanger admission rejects;
// Problem.Object is left empty.
func PodRequirements(spec corev1.PodSpec, ranges []corev1.LimitRange) (requests, limits corev1.ResourceList, problems []Problem) {
	p := evaluatePod(spec, ranges)
	return p.requests, p.limits, p.problems
}

// container is one (init) container of a defaulted pod, with where the values
// that were not in the template came from: the LimitRange name.
type container struct {
	c                *corev1.Container
	init, sidecar    bool
	reqFrom, limFrom map[corev1.ResourceName]string
}

// pod is a pod template after defaulting.
type pod struct {
	spec             corev1.PodSpec
	containers       []container // init containers first, then regular ones
	requests, limits corev1.ResourceList
	problems         []Problem
}

func evaluatePod(in corev1.PodSpec, ranges []corev1.LimitRange) *pod {
	p := &pod{spec: *in.DeepCopy()}
	for i := range p.spec.InitContainers {
		c := &p.spec.InitContainers[i]
		sidecar := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		p.containers = append(p.containers, container{c: c, init: true, sidecar: sidecar})
	}
	for i := range p.spec.Containers {
		p.containers = append(p.containers, container{c: &p.spec.Containers[i]})
	}

	// API defaulting on create: request = limit where only the limit is set.
	for i := range p.containers {
		c := &p.containers[i]
		c.reqFrom, c.limFrom = map[corev1.ResourceName]string{}, map[corev1.ResourceName]string{}
		r := &c.c.Resources
		for _, k := range sortedKeys(r.Limits) {
			if _, ok := r.Requests[k]; !ok {
				if r.Requests == nil {
					r.Requests = corev1.ResourceList{}
				}
				r.Requests[k] = r.Limits[k].DeepCopy()
			}
		}
	}
	if r := p.spec.Resources; r != nil {
		for _, k := range sortedKeys(r.Limits) {
			if _, ok := r.Requests[k]; !ok {
				if r.Requests == nil {
					r.Requests = corev1.ResourceList{}
				}
				r.Requests[k] = r.Limits[k].DeepCopy()
			}
		}
	}

	// LimitRanger mutation, every LimitRange in turn.
	for _, lr := range ranges {
		defLimits, defRequests := containerDefaults(lr)
		for i := range p.containers {
			c := &p.containers[i]
			fill(&c.c.Resources.Limits, defLimits, c.limFrom, lr.Name)
			fill(&c.c.Resources.Requests, defRequests, c.reqFrom, lr.Name)
		}
	}

	for i := range p.containers {
		p.validateContainer(&p.containers[i])
	}
	for _, lr := range ranges {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for _, c := range p.containers {
				for _, msg := range rangeViolations(item, "Container", c.c.Resources.Requests, c.c.Resources.Limits) {
					p.problems = append(p.problems, Problem{Container: c.c.Name,
						Message: fmt.Sprintf("container %s: %s (LimitRange %q)", c.c.Name, msg, lr.Name)})
				}
			}
		}
	}

	// Quota charge, and the pod-level LimitRange checks (which use the same
	// aggregate without overhead).
	p.requests = aggregate(p.containers, func(r corev1.ResourceRequirements) corev1.ResourceList { return r.Requests })
	p.limits = aggregate(p.containers, func(r corev1.ResourceRequirements) corev1.ResourceList { return r.Limits })
	if r := p.spec.Resources; r != nil {
		for _, k := range sortedKeys(r.Requests) {
			if podLevel(k) {
				p.requests[k] = r.Requests[k].DeepCopy()
			}
		}
		for _, k := range sortedKeys(r.Limits) {
			if podLevel(k) {
				p.limits[k] = r.Limits[k].DeepCopy()
			}
		}
	}
	for _, lr := range ranges {
		for _, item := range lr.Spec.Limits {
			if item.Type == corev1.LimitTypePod {
				for _, msg := range rangeViolations(item, "Pod", p.requests, p.limits) {
					p.problems = append(p.problems, Problem{Message: fmt.Sprintf("pod: %s (LimitRange %q)", msg, lr.Name)})
				}
			}
		}
	}
	for _, k := range sortedKeys(p.spec.Overhead) {
		v := p.spec.Overhead[k]
		add(p.requests, k, v)
		if l, ok := p.limits[k]; ok && !l.IsZero() {
			add(p.limits, k, v)
		}
	}
	return p
}

// validateContainer records what pod validation rejects about one defaulted
// container: requests above limits, extended resources not request = limit.
func (p *pod) validateContainer(c *container) {
	r := c.c.Resources
	report := func(msg string) {
		p.problems = append(p.problems, Problem{Container: c.c.Name, Message: fmt.Sprintf("container %s: %s", c.c.Name, msg)})
	}
	for _, k := range sortedKeys(r.Requests) {
		req := r.Requests[k]
		lim, ok := r.Limits[k]
		switch {
		case !ok && !overcommitAllowed(k):
			report(fmt.Sprintf("%s request %s has no limit; extended resources and hugepages need a limit equal to the request%s",
				k, req.String(), c.origin(k, false, true)))
		case ok && req.Cmp(lim) > 0:
			report(fmt.Sprintf("%s request %s exceeds its limit %s%s", k, req.String(), lim.String(), c.origin(k, true, true)))
		case ok && req.Cmp(lim) != 0 && !overcommitAllowed(k):
			report(fmt.Sprintf("%s request %s must equal its limit %s (extended resources and hugepages cannot be overcommitted)%s",
				k, req.String(), lim.String(), c.origin(k, true, true)))
		}
	}
}

// origin explains which of a container's values for k came from a
// LimitRange, for a message about k's limit and/or request.
func (c *container) origin(k corev1.ResourceName, limit, request bool) string {
	var notes []string
	if lr, ok := c.limFrom[k]; ok && limit {
		notes = append(notes, fmt.Sprintf("limit from LimitRange %q default", lr))
	}
	if lr, ok := c.reqFrom[k]; ok && request {
		notes = append(notes, fmt.Sprintf("request from LimitRange %q defaultRequest", lr))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, ", ") + ")"
}

// containerDefaults returns the limits and requests a LimitRange fills into
// containers, after the API server's LimitRange defaulting: default falls back
// to max, defaultRequest to default and then to min. Later items of the same
// LimitRange override earlier ones.
func containerDefaults(lr corev1.LimitRange) (limits, requests corev1.ResourceList) {
	limits, requests = corev1.ResourceList{}, corev1.ResourceList{}
	for _, item := range lr.Spec.Limits {
		if item.Type != corev1.LimitTypeContainer {
			continue
		}
		item = defaultedItem(item)
		for k, v := range item.Default {
			limits[k] = v.DeepCopy()
		}
		for k, v := range item.DefaultRequest {
			requests[k] = v.DeepCopy()
		}
	}
	return limits, requests
}

// defaultedItem applies the API server's defaulting of a LimitRange item of
// type Container.
func defaultedItem(item corev1.LimitRangeItem) corev1.LimitRangeItem {
	item = *item.DeepCopy()
	if item.Type != corev1.LimitTypeContainer {
		return item
	}
	if item.Default == nil {
		item.Default = corev1.ResourceList{}
	}
	if item.DefaultRequest == nil {
		item.DefaultRequest = corev1.ResourceList{}
	}
	for k, v := range item.Max {
		if _, ok := item.Default[k]; !ok {
			item.Default[k] = v.DeepCopy()
		}
	}
	for k, v := range item.Default {
		if _, ok := item.DefaultRequest[k]; !ok {
			item.DefaultRequest[k] = v.DeepCopy()
		}
	}
	for k, v := range item.Min {
		if _, ok := item.DefaultRequest[k]; !ok {
			item.DefaultRequest[k] = v.DeepCopy()
		}
	}
	return item
}

// fill sets the values of defaults that *list lacks and records from.
func fill(list *corev1.ResourceList, defaults corev1.ResourceList, from map[corev1.ResourceName]string, lrName string) {
	for _, k := range sortedKeys(defaults) {
		if _, ok := (*list)[k]; ok {
			continue
		}
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[k] = defaults[k].DeepCopy()
		from[k] = lrName
	}
}

// rangeViolations checks requests and limits against one LimitRange item's
// min, max and maxLimitRequestRatio, with the LimitRanger's wording. kind is
// "Container", "Pod" or "PersistentVolumeClaim".
func rangeViolations(item corev1.LimitRangeItem, kind string, requests, limits corev1.ResourceList) []string {
	var out []string
	for _, k := range sortedKeys(item.Min) {
		min := item.Min[k]
		req, hasReq := requests[k]
		lim, hasLim := limits[k]
		switch {
		case !hasReq:
			out = append(out, fmt.Sprintf("minimum %s usage per %s is %s, but no request is specified", k, kind, min.String()))
		case req.Cmp(min) < 0:
			out = append(out, fmt.Sprintf("minimum %s usage per %s is %s, but request is %s", k, kind, min.String(), req.String()))
		case hasLim && lim.Cmp(min) < 0:
			out = append(out, fmt.Sprintf("minimum %s usage per %s is %s, but limit is %s", k, kind, min.String(), lim.String()))
		}
	}
	for _, k := range sortedKeys(item.Max) {
		max := item.Max[k]
		req, hasReq := requests[k]
		lim, hasLim := limits[k]
		switch {
		case kind == string(corev1.LimitTypePersistentVolumeClaim) && !hasReq:
			// A claim's max is enforced on what it requests.
			out = append(out, fmt.Sprintf("maximum %s usage per %s is %s, but no request is specified", k, kind, max.String()))
		case kind == string(corev1.LimitTypePersistentVolumeClaim):
			if req.Cmp(max) > 0 {
				out = append(out, fmt.Sprintf("maximum %s usage per %s is %s, but request is %s", k, kind, max.String(), req.String()))
			}
		case !hasLim:
			out = append(out, fmt.Sprintf("maximum %s usage per %s is %s, but no limit is specified", k, kind, max.String()))
		case lim.Cmp(max) > 0:
			out = append(out, fmt.Sprintf("maximum %s usage per %s is %s, but limit is %s", k, kind, max.String(), lim.String()))
		case hasReq && req.Cmp(max) > 0:
			out = append(out, fmt.Sprintf("maximum %s usage per %s is %s, but request is %s", k, kind, max.String(), req.String()))
		}
	}
	for _, k := range sortedKeys(item.MaxLimitRequestRatio) {
		ratio := item.MaxLimitRequestRatio[k]
		req, hasReq := requests[k]
		lim, hasLim := limits[k]
		switch {
		case !hasReq || req.IsZero():
			out = append(out, fmt.Sprintf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", k, kind, ratio.String()))
		case !hasLim || lim.IsZero():
			out = append(out, fmt.Sprintf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", k, kind, ratio.String()))
		default:
			// limit/request > ratio  <=>  limit > ratio*request, exactly.
			observed := new(big.Rat).Quo(rat(lim), rat(req))
			if observed.Cmp(rat(ratio)) > 0 {
				out = append(out, fmt.Sprintf("%s max limit to request ratio per %s is %s, but provided ratio is %s (limit %s, request %s)",
					k, kind, ratio.String(), observed.FloatString(6), lim.String(), req.String()))
			}
		}
	}
	return out
}

// rat is q as an exact rational number.
func rat(q resource.Quantity) *big.Rat {
	d := q.AsDec()
	r := new(big.Rat).SetInt(d.UnscaledBig())
	scale := int64(d.Scale())
	if scale < 0 {
		return r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(-scale), nil)))
	}
	return r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil)))
}

// aggregate combines the per-container values picked by pick into the pod's
// value: max(sum of containers and sidecars, each init container plus the
// sidecars started before it).
func aggregate(cs []container, pick func(corev1.ResourceRequirements) corev1.ResourceList) corev1.ResourceList {
	total := corev1.ResourceList{}
	sidecars := corev1.ResourceList{}
	initPeak := corev1.ResourceList{}
	for _, c := range cs {
		values := pick(c.c.Resources)
		switch {
		case !c.init:
			addList(total, values)
		case c.sidecar:
			addList(total, values)
			addList(sidecars, values)
			maxList(initPeak, sidecars)
		default:
			running := corev1.ResourceList{}
			addList(running, values)
			addList(running, sidecars)
			maxList(initPeak, running)
		}
	}
	maxList(total, initPeak)
	return total
}

// podLevel reports whether pod-level resources (spec.resources) replace the
// container aggregate for k.
func podLevel(k corev1.ResourceName) bool {
	return k == corev1.ResourceCPU || k == corev1.ResourceMemory || strings.HasPrefix(string(k), corev1.ResourceHugePagesPrefix)
}

// native reports whether k is a Kubernetes resource (no domain, or a
// kubernetes.io domain) rather than an extended resource.
func native(k corev1.ResourceName) bool {
	return !strings.Contains(string(k), "/") || strings.Contains(string(k), corev1.ResourceDefaultNamespacePrefix)
}

// extended reports whether k is an extended resource such as nvidia.com/gpu.
func extended(k corev1.ResourceName) bool {
	if native(k) || strings.HasPrefix(string(k), corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+string(k))) == 0
}

// overcommitAllowed reports whether a request may be below its limit (false
// for extended resources and hugepages).
func overcommitAllowed(k corev1.ResourceName) bool {
	return native(k) && !strings.HasPrefix(string(k), corev1.ResourceHugePagesPrefix)
}

func add(list corev1.ResourceList, k corev1.ResourceName, v resource.Quantity) {
	if cur, ok := list[k]; ok {
		cur.Add(v)
		list[k] = cur
		return
	}
	list[k] = v.DeepCopy()
}

func addList(list, more corev1.ResourceList) {
	for k, v := range more {
		add(list, k, v)
	}
}

func maxList(list, other corev1.ResourceList) {
	for k, v := range other {
		if cur, ok := list[k]; !ok || v.Cmp(cur) > 0 {
			list[k] = v.DeepCopy()
		}
	}
}

func sortedKeys(list corev1.ResourceList) []corev1.ResourceName {
	keys := make([]corev1.ResourceName, 0, len(list))
	for k := range list {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
