package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// checker collects the problems of one decoded environment.
type checker struct {
	file  string
	lines map[string]int
	errs  Errors
}

func (c *checker) fail(path, format string, args ...any) {
	c.errs = append(c.errs, FieldError{File: c.file, Line: c.lines[path], Path: path, Problem: fmt.Sprintf(format, args...)})
}

func (c *checker) validate(e *Environment) {
	if msgs := validation.IsDNS1123Label(e.Name); len(msgs) > 0 {
		c.fail("", "environment name %q (the file name) is not a DNS label: %s; rename the file, e.g. envs/staging.yaml", e.Name, strings.Join(msgs, "; "))
	}
	if e.Cluster.Kubeconfig == "" {
		c.fail("cluster.kubeconfig", "is empty; give the kubeconfig file, e.g. ~/.kube/config")
	}
	if !kubeMinor.MatchString(e.Cluster.KubernetesVersion) {
		c.fail("cluster.kubernetesVersion", "%q is not a Kubernetes minor version; use major.minor, e.g. 1.34", e.Cluster.KubernetesVersion)
	}
	c.cidrs("cluster.apiServerCIDRs", e.Cluster.APIServerCIDRs)
	c.images(e.Images)
	c.changes(e.Changes)
	c.storageClasses(e.Cluster.StorageClasses)
	c.backend(&e.Backend)
	c.oneOf("security.podSecurity", e.Security.PodSecurity, "privileged", "baseline", "restricted")
	c.groups("access.developerGroups", e.Access.DeveloperGroups)
	c.groups("access.viewerGroups", e.Access.ViewerGroups)

	c.subdomain("ingress.className", e.Ingress.ClassName)
	c.label("ingress.namespace", e.Ingress.Namespace)
	c.chartVersion("ingress.chartVersion", e.Ingress.ChartVersion)
	c.oneOf("ingress.serviceType", e.Ingress.ServiceType, "LoadBalancer", "NodePort", "ClusterIP")
	for i, ns := range e.Ingress.MetricsFrom {
		c.label(fmt.Sprintf("ingress.metricsFrom[%d]", i), ns)
	}
	c.acceptExposed(e.Ingress.AcceptExposed)
	c.label("nvidiaDevicePlugin.namespace", e.NvidiaDevicePlugin.Namespace)
	c.chartVersion("nvidiaDevicePlugin.chartVersion", e.NvidiaDevicePlugin.ChartVersion)
	c.namespacesDistinct(e)

	c.ollama(&e.Ollama)
	c.librechat(&e.LibreChat)
}

func (c *checker) backend(b *Backend) {
	c.oneOf("backend.type", b.Type, "local", "kubernetes", "s3")
	switch b.Type {
	case "kubernetes":
		c.label("backend.kubernetes.namespace", b.Kubernetes.Namespace)
	case "s3":
		if !s3Bucket.MatchString(b.S3.Bucket) {
			c.fail("backend.s3.bucket", "%q is not an S3 bucket name; use 3 to 63 lower-case letters, digits, dots and hyphens", b.S3.Bucket)
		}
		if !awsRegion.MatchString(b.S3.Region) {
			c.fail("backend.s3.region", "%q is not an AWS region; use one such as eu-central-1", b.S3.Region)
		}
		if p := b.S3.KeyPrefix; p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			c.fail("backend.s3.keyPrefix", "%q must be a non-empty path without leading or trailing /, e.g. llm-platform", p)
		}
	}
}

func (c *checker) changes(ch Changes) {
	c.oneOf("changes.protectData", ch.ProtectData, "auto", "always", "never")
	for i, a := range ch.Accept {
		p := fmt.Sprintf("changes.accept[%d]", i)
		if strings.TrimSpace(a.Object) == "" {
			c.fail(p+".object", "is empty; name the object as the change check prints it, e.g. PersistentVolumeClaim ollama/ollama")
		}
		c.oneOf(p+".rule", a.Rule, "refused", "data-loss")
		if strings.TrimSpace(a.Reason) == "" {
			c.fail(p+".reason", "is empty; say why this environment makes the change knowingly, for reviewers")
		}
	}
}

func (c *checker) storageClasses(classes []StorageClass) {
	defaults := 0
	for i, sc := range classes {
		c.subdomain(fmt.Sprintf("cluster.storageClasses[%d].name", i), sc.Name)
		if sc.Default {
			defaults++
		}
	}
	if defaults > 1 {
		c.fail("cluster.storageClasses", "%d classes are the default; a cluster has at most one", defaults)
	}
}

func (c *checker) images(im Images) {
	for i, a := range im.AcceptUnmaintained {
		p := fmt.Sprintf("images.acceptUnmaintained[%d]", i)
		if a.Repository == "" || strings.ContainsAny(a.Repository, ":@ ") {
			c.fail(p+".repository", "%q is not an image repository; give one without tag or digest, e.g. docker.io/bitnamilegacy/mongodb", a.Repository)
		}
		if strings.TrimSpace(a.Reason) == "" {
			c.fail(p+".reason", "is empty; say why this environment runs an unmaintained image, for reviewers")
		}
	}
}

var (
	kubeMinor = regexp.MustCompile(`^1\.[0-9]{1,2}$`)
	s3Bucket  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	awsRegion = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	// modelName is an Ollama model reference: name[:tag], the name possibly
	// with a registry path (hf.co/org/model).
	modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*(:[A-Za-z0-9._-]+)?$`)
)

func (c *checker) ollama(o *Ollama) {
	c.label("ollama.namespace", o.Namespace)
	c.release("ollama.release", o.Release)
	seen := map[string]bool{}
	for i, m := range o.Models {
		p := fmt.Sprintf("ollama.models[%d]", i)
		switch {
		case !modelName.MatchString(m):
			c.fail(p, "%q is not an Ollama model reference; use name[:tag], e.g. llama3.2:1b", m)
		case seen[m]:
			c.fail(p, "%q is listed twice; keep one", m)
		}
		seen[m] = true
	}
	c.oneOf("ollama.gpu.type", o.GPU.Type, "nvidia", "amd")
	if o.GPU.Count < 1 {
		c.fail("ollama.gpu.count", "%d is not a GPU count; use 1 or more", o.GPU.Count)
	}
	if !strings.Contains(o.GPU.ResourceName, "/") || len(validation.IsQualifiedName(o.GPU.ResourceName)) > 0 {
		c.fail("ollama.gpu.resourceName", "%q is not an extended resource name; use a domain-prefixed name such as nvidia.com/gpu", o.GPU.ResourceName)
	}
	size := c.persistence("ollama.persistence", o.Persistence)
	c.resources("ollama.resources", o.Resources)
	c.placement("ollama", o.NodeSelector, o.Tolerations)
	c.appIngress("ollama.ingress", o.Ingress)
	c.quota("ollama.quota", o.Quota.Quota, []share{{"ollama.resources", o.Resources, 1}}, size, 1)
	if o.Quota.GPUs < 0 {
		c.fail("ollama.quota.gpus", "%d is negative; use 0 or more", o.Quota.GPUs)
	}
	if o.GPU.Enabled && o.Quota.GPUs < o.GPU.Count {
		c.fail("ollama.quota.gpus", "%d is less than ollama.gpu.count (%d), so the Ollama pod could never start; raise it to at least %d", o.Quota.GPUs, o.GPU.Count, o.GPU.Count)
	}
	c.limitRange("ollama.limitRange", o.LimitRange)
}

func (c *checker) librechat(l *LibreChat) {
	c.label("librechat.namespace", l.Namespace)
	c.release("librechat.release", l.Release)
	c.appIngress("librechat.ingress", l.Ingress)
	c.registration("librechat.registration", l.Registration)
	c.resources("librechat.resources", l.Resources)
	c.resources("librechat.mongodb.resources", l.MongoDB.Resources)
	c.resources("librechat.meilisearch.resources", l.Meilisearch.Resources)
	storage := c.persistence("librechat.mongodb", l.MongoDB.Persistence)
	storage.Add(c.persistence("librechat.meilisearch", l.Meilisearch.Persistence))
	storage.Add(c.persistence("librechat.images", l.Images))
	// A rolling update of LibreChat starts its new pod before it stops the old
	// one; MongoDB (a Deployment recreated on updates) and Meilisearch (a
	// StatefulSet) never run twice.
	pods := []share{
		{"librechat.resources", l.Resources, 2},
		{"librechat.mongodb.resources", l.MongoDB.Resources, 1},
		{"librechat.meilisearch.resources", l.Meilisearch.Resources, 1},
	}
	c.quota("librechat.quota", l.Quota, pods, storage, 3)
	c.limitRange("librechat.limitRange", l.LimitRange)
}

func (c *checker) namespacesDistinct(e *Environment) {
	owner := map[string]string{}
	claim := func(path, ns string) {
		if prev, ok := owner[ns]; ok {
			c.fail(path, "namespace %q is already used by %s; give each its own namespace", ns, prev)
			return
		}
		owner[ns] = path
	}
	claim("ollama.namespace", e.Ollama.Namespace)
	claim("librechat.namespace", e.LibreChat.Namespace)
	if e.Ingress.Install {
		claim("ingress.namespace", e.Ingress.Namespace)
	}
	if e.NvidiaDevicePlugin.Install {
		claim("nvidiaDevicePlugin.namespace", e.NvidiaDevicePlugin.Namespace)
	}
}

func (c *checker) release(path string, r Release) {
	// Helm limits release names to 53 characters of a DNS subdomain.
	if len(r.Name) > 53 || len(validation.IsDNS1123Subdomain(r.Name)) > 0 {
		c.fail(path+".name", "%q is not a Helm release name; use at most 53 lower-case letters, digits and hyphens", r.Name)
	}
	c.chartVersion(path+".chartVersion", r.ChartVersion)
	d, err := time.ParseDuration(r.Timeout)
	switch {
	case err != nil:
		c.fail(path+".timeout", "%q is not a duration; use e.g. 10m or 1h30m", r.Timeout)
	case d < time.Minute || d > 24*time.Hour || d%time.Second != 0:
		c.fail(path+".timeout", "%q is out of range; use whole seconds from 1m to 24h", r.Timeout)
	}
}

// TimeoutSeconds is the release timeout in seconds; it assumes a validated value.
func (r Release) TimeoutSeconds() int {
	d, _ := time.ParseDuration(r.Timeout)
	return int(d / time.Second)
}

func (c *checker) chartVersion(path, v string) {
	if _, err := semver.StrictNewVersion(v); err != nil {
		c.fail(path, "%q is not an exact chart version; pin one such as 1.2.3 (no ranges, no \"latest\", no leading v)", v)
	}
}

func (c *checker) oneOf(path, v string, valid ...string) {
	for _, ok := range valid {
		if v == ok {
			return
		}
	}
	c.fail(path, "%q is not valid; use one of %s", v, strings.Join(valid, ", "))
}

func (c *checker) label(path, v string) {
	if msgs := validation.IsDNS1123Label(v); len(msgs) > 0 {
		c.fail(path, "%q is not a valid name: %s", v, strings.Join(msgs, "; "))
	}
}

func (c *checker) subdomain(path, v string) {
	if msgs := validation.IsDNS1123Subdomain(v); len(msgs) > 0 {
		c.fail(path, "%q is not a valid name: %s", v, strings.Join(msgs, "; "))
	}
}

func (c *checker) groups(path string, groups []string) {
	seen := map[string]bool{}
	for i, g := range groups {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case strings.TrimSpace(g) == "":
			c.fail(p, "is empty; give the group name your authenticator reports, e.g. platform-developers")
		case seen[g]:
			c.fail(p, "%q is listed twice; keep one", g)
		}
		seen[g] = true
	}
}

// quantity parses a Kubernetes quantity, reporting a bad one; ok is false then.
func (c *checker) quantity(path, v string) (q resource.Quantity, ok bool) {
	q, err := resource.ParseQuantity(v)
	if err != nil {
		c.fail(path, "%q is not a Kubernetes quantity; use a number with an optional suffix: binary Ki Mi Gi Ti, decimal k M G T, or m for thousandths (e.g. 4Gi, 500m)", v)
		return q, false
	}
	if q.Sign() < 0 {
		c.fail(path, "%q is negative; use a positive quantity", v)
		return q, false
	}
	return q, true
}

func (c *checker) persistence(path string, p Persistence) resource.Quantity {
	q, ok := c.quantity(path+".size", p.Size)
	if ok && q.IsZero() {
		c.fail(path+".size", "%q is zero; give the volume a size such as 10Gi", p.Size)
	}
	if p.StorageClass != "" {
		c.subdomain(path+".storageClass", p.StorageClass)
	}
	return q
}

// atMost reports a > b; both must be parsed.
func (c *checker) atMost(path string, a resource.Quantity, bPath string, b resource.Quantity) {
	if a.Cmp(b) > 0 {
		c.fail(path, "%s is more than %s (%s); lower it or raise %s", a.String(), bPath, b.String(), bPath)
	}
}

func (c *checker) cpuMemory(path string, v CPUMemory) (cpu, mem resource.Quantity, ok bool) {
	cpu, ok1 := c.quantity(path+".cpu", v.CPU)
	mem, ok2 := c.quantity(path+".memory", v.Memory)
	return cpu, mem, ok1 && ok2
}

func (c *checker) requestsWithinLimits(path string, req, lim CPUMemory, reqName, limName string) {
	rc, rm, ok1 := c.cpuMemory(path+"."+reqName, req)
	lc, lm, ok2 := c.cpuMemory(path+"."+limName, lim)
	if ok1 && ok2 {
		c.atMost(path+"."+reqName+".cpu", rc, path+"."+limName+".cpu", lc)
		c.atMost(path+"."+reqName+".memory", rm, path+"."+limName+".memory", lm)
	}
}

func (c *checker) resources(path string, r Resources) {
	c.requestsWithinLimits(path, r.Requests, r.Limits, "requests", "limits")
}

func (c *checker) limitRange(path string, l LimitRange) {
	c.requestsWithinLimits(path, l.DefaultRequest, l.Default, "defaultRequest", "default")
}

// share is a container's resources (at path), counted n times in its
// namespace's quota.
type share struct {
	path string
	r    Resources
	n    int
}

// quota checks a namespace's quota and that the app's containers, each as
// often as it may run at once, and its volumes fit in it.
func (c *checker) quota(path string, q Quota, shares []share, storage resource.Quantity, claims int) {
	c.requestsWithinLimits(path, q.Requests, q.Limits, "requests", "limits")
	if q.Pods < 1 {
		c.fail(path+".pods", "%d leaves no room for the app's pods; use 1 or more", q.Pods)
	}
	if q.PersistentVolumeClaims < claims {
		c.fail(path+".persistentVolumeClaims", "%d is fewer than the %d volume claims the app makes; raise it to at least %d", q.PersistentVolumeClaims, claims, claims)
	}
	if s, ok := c.quantity(path+".storage", q.Storage); ok {
		c.atMost(path+".storage", storage, path+".storage", s)
	}
	c.fits(path, "requests", q.Requests, shares)
	c.fits(path, "limits", q.Limits, shares)
}

// fits reports each of a quota's cpu and memory requests or limits (kind)
// that is less than the total of the shares'.
func (c *checker) fits(path, kind string, quota CPUMemory, shares []share) {
	qCPU, qMem, ok := parsed(quota)
	if !ok {
		return
	}
	var cpu, mem resource.Quantity
	for _, s := range shares {
		v := s.r.Requests
		if kind == "limits" {
			v = s.r.Limits
		}
		sCPU, sMem, ok := parsed(v)
		if !ok {
			return
		}
		for i := 0; i < s.n; i++ {
			cpu.Add(sCPU)
			mem.Add(sMem)
		}
	}
	for _, q := range []struct {
		name       string
		need, have resource.Quantity
	}{{"cpu", cpu, qCPU}, {"memory", mem, qMem}} {
		if q.need.Cmp(q.have) <= 0 {
			continue
		}
		parts := make([]string, len(shares))
		for i, s := range shares {
			parts[i] = s.path + "." + kind + "." + q.name
			if s.n > 1 {
				parts[i] += fmt.Sprintf(" ×%d (a rolling update runs a second pod)", s.n)
			}
		}
		needs := fmt.Sprintf("%s (%s); raise it or lower that", parts[0], q.need.String())
		if len(parts) > 1 {
			needs = fmt.Sprintf("%s, the total of %s and %s; raise it or lower those", q.need.String(), strings.Join(parts[:len(parts)-1], ", "), parts[len(parts)-1])
		}
		c.fail(path+"."+kind+"."+q.name, "%s is less than %s", q.have.String(), needs)
	}
}

// parsed parses a pair that was reported already where it is bad.
func parsed(v CPUMemory) (cpu, mem resource.Quantity, ok bool) {
	cpu, err1 := resource.ParseQuantity(v.CPU)
	mem, err2 := resource.ParseQuantity(v.Memory)
	return cpu, mem, err1 == nil && err2 == nil
}

func (c *checker) placement(path string, nodeSelector map[string]string, tolerations []Toleration) {
	for k, v := range nodeSelector {
		p := fmt.Sprintf("%s.nodeSelector[%q]", path, k)
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			c.fail(p, "%q is not a label key: %s", k, strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(v); len(msgs) > 0 {
			c.fail(p, "%q is not a label value: %s", v, strings.Join(msgs, "; "))
		}
	}
	for i, t := range tolerations {
		p := fmt.Sprintf("%s.tolerations[%d]", path, i)
		if t.Operator != "" {
			c.oneOf(p+".operator", t.Operator, "Equal", "Exists")
		}
		if t.Operator == "Exists" && t.Value != "" {
			c.fail(p+".value", "%q is set with operator Exists; remove it or use operator Equal", t.Value)
		}
		if t.Key == "" && t.Operator != "Exists" {
			c.fail(p+".key", "is empty; an empty key needs operator Exists")
		} else if t.Key != "" && len(validation.IsQualifiedName(t.Key)) > 0 {
			c.fail(p+".key", "%q is not a taint key, such as nvidia.com/gpu", t.Key)
		}
		if t.Effect != "" {
			c.oneOf(p+".effect", t.Effect, "NoSchedule", "PreferNoSchedule", "NoExecute")
		}
	}
}

func (c *checker) appIngress(path string, in AppIngress) {
	if !in.Enabled {
		return
	}
	if msgs := validation.IsDNS1123Subdomain(in.Host); len(msgs) > 0 || !strings.Contains(in.Host, ".") {
		c.fail(path+".host", "%q is not a host name; use a DNS name such as chat.example.com", in.Host)
	}
	if in.TLSSecretName != "" {
		c.subdomain(path+".tlsSecretName", in.TLSSecretName)
	}
	for k := range in.Annotations {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			c.fail(fmt.Sprintf("%s.annotations[%q]", path, k), "%q is not an annotation key: %s", k, strings.Join(msgs, "; "))
		}
		if strings.HasPrefix(k, "nginx.ingress.kubernetes.io/auth-") {
			c.fail(fmt.Sprintf("%s.annotations[%q]", path, k), "sets the ingress controller's authentication by hand; use %s.auth (type basic or external), which the base stack and the check keep in step", path)
		}
	}
	a := in.Auth
	c.oneOf(path+".auth.type", a.Type, AuthNone, AuthBasic, AuthExternal)
	if a.Type == AuthBasic && (a.Realm == "" || strings.ContainsAny(a.Realm, "\"\\\n")) {
		c.fail(path+".auth.realm", "%q is not a realm; give a short text without quotes, backslashes or line breaks, e.g. LLM platform", a.Realm)
	}
	if a.Type == AuthExternal {
		if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.fail(path+".auth.url", "%q is not an http(s) URL; give the auth service's check, e.g. http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth", a.URL)
		}
		if a.SignIn != "" {
			if u, err := url.Parse(a.SignIn); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				c.fail(path+".auth.signIn", "%q is not an http(s) URL; give the sign-in page, e.g. https://auth.example.com/oauth2/start?rd=$escaped_request_uri", a.SignIn)
			}
		}
	}
}

func (c *checker) cidrs(path string, cidrs []string) {
	if len(cidrs) == 0 {
		c.fail(path, "is empty; give the API server's addresses, e.g. [10.0.0.0/8] or the control plane's /32s")
	}
	for i, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			c.fail(fmt.Sprintf("%s[%d]", path, i), "%q is not a CIDR; use an address block such as 10.0.0.0/8 or 192.168.49.2/32", s)
		case p != p.Masked():
			c.fail(fmt.Sprintf("%s[%d]", path, i), "%q has bits set beyond its prefix length; use %s", s, p.Masked())
		case p.Addr().Is4In6():
			c.fail(fmt.Sprintf("%s[%d]", path, i), "%q is an IPv4-mapped IPv6 block, which CNIs treat differently; write the IPv4 block", s)
		}
	}
}

func (c *checker) acceptExposed(list []AcceptedExposure) {
	for i, a := range list {
		p := fmt.Sprintf("ingress.acceptExposed[%d]", i)
		if msgs := validation.IsDNS1123Subdomain(a.Host); len(msgs) > 0 {
			c.fail(p+".host", "%q is not a host name; give the Ingress host the exception is for, e.g. ollama.example.com", a.Host)
		}
		c.oneOf(p+".rule", a.Rule, ExposureRules...)
		if strings.TrimSpace(a.Reason) == "" {
			c.fail(p+".reason", "is empty; say why this exposure is deliberate, for reviewers")
		}
	}
}

func (c *checker) registration(path string, r Registration) {
	if r.Mode != "" {
		c.oneOf(path+".mode", r.Mode, SignUpClosed, SignUpOpen, SignUpDomains)
	}
	if r.Mode == SignUpDomains && len(r.AllowedDomains) == 0 {
		c.fail(path+".allowedDomains", "is empty with mode domains; list the email domains that may sign up, e.g. [example.com]")
	}
	if r.Mode != SignUpDomains && len(r.AllowedDomains) > 0 {
		c.fail(path+".allowedDomains", "is set with mode %q, which ignores it; use mode domains or remove the list", r.Mode)
	}
	for i, d := range r.AllowedDomains {
		if msgs := validation.IsDNS1123Subdomain(d); len(msgs) > 0 || !strings.Contains(d, ".") {
			c.fail(fmt.Sprintf("%s.allowedDomains[%d]", path, i), "%q is not an email domain; use one such as example.com", d)
		}
	}
}
