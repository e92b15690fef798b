package contract

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// world is every rendered object of the stack, indexed.
type world struct {
	in       Input
	services []service
	pods     []podOf
	// configMaps and secrets are the rendered ones, by namespace/name.
	configMaps map[string]map[string]string
	secrets    map[string]map[string]string
	// hookSecrets are Secrets that a hook Job of a release creates when it
	// runs (e.g. ingress-nginx's admission certificate), by namespace/name.
	hookSecrets map[string]bool
}

type service struct {
	rel *render.Rendered
	// ns is the namespace the Service lands in.
	ns  string
	obj *corev1.Service
}

type podOf struct {
	rel *render.Rendered
	pod
}

func newWorld(in Input) *world {
	w := &world{in: in, configMaps: map[string]map[string]string{}, secrets: map[string]map[string]string{}, hookSecrets: map[string]bool{}}
	for _, r := range in.Releases {
		for _, o := range r.Objects {
			key := o.Namespace + "/" + o.Name
			switch t := o.Typed.(type) {
			case *corev1.Service:
				w.services = append(w.services, service{r, o.Namespace, t})
			case *corev1.ConfigMap:
				w.configMaps[key] = t.Data
			case *corev1.Secret:
				data := map[string]string{}
				for k, v := range t.Data {
					data[k] = string(v)
				}
				for k, v := range t.StringData {
					data[k] = v
				}
				w.secrets[key] = data
			}
		}
		for _, p := range pods(r) {
			w.pods = append(w.pods, podOf{r, p})
			if p.Object.Hook == "" {
				continue
			}
			for _, c := range p.Template.Spec.Containers {
				for _, a := range c.Args {
					if name, ok := strings.CutPrefix(a, "--secret-name="); ok {
						w.hookSecrets[p.Object.Namespace+"/"+name] = true
					}
				}
			}
		}
	}
	return w
}

// endpoint is a Service port resolved to the pods behind it.
type endpoint struct {
	svc  service
	port corev1.ServicePort
	// pods are the workloads the Service selects, each with the container
	// port the Service's target port names.
	pods []podOf
	// target is the container port number.
	target int32
}

// resolve finds Service ns/name's port, and the pods and container port behind it.
func (w *world) resolve(ns, name string, port intstr.IntOrString) (endpoint, error) {
	var names []string
	for _, s := range w.services {
		names = append(names, s.ns+"/"+s.obj.Name)
		if s.obj.Name != name || s.ns != ns {
			continue
		}
		for _, sp := range s.obj.Spec.Ports {
			if (port.Type == intstr.Int && sp.Port == port.IntVal) || (port.Type == intstr.String && sp.Name == port.StrVal) {
				return w.behind(s, sp)
			}
		}
		var ps []string
		for _, sp := range s.obj.Spec.Ports {
			ps = append(ps, strconv.Itoa(int(sp.Port)))
		}
		return endpoint{}, fmt.Errorf("Service %s/%s has no port %s (its ports: %s)", ns, name, port.String(), strings.Join(ps, ", "))
	}
	sort.Strings(names)
	return endpoint{}, fmt.Errorf("no release renders Service %s/%s (the stack's Services: %s)", ns, name, strings.Join(names, ", "))
}

func (w *world) behind(s service, sp corev1.ServicePort) (endpoint, error) {
	e := endpoint{svc: s, port: sp}
	sel := labels.SelectorFromSet(s.obj.Spec.Selector)
	for _, p := range w.pods {
		if p.Object.Namespace != s.ns || p.Object.Hook != "" || len(s.obj.Spec.Selector) == 0 || !sel.Matches(labels.Set(p.Template.Labels)) {
			continue
		}
		target, ok := targetPort(p.Template.Spec, sp)
		if !ok {
			return e, fmt.Errorf("Service %s/%s port %d targets %s, which no container of %s exposes", s.ns, s.obj.Name, sp.Port, sp.TargetPort.String(), p.Object.ID())
		}
		e.pods, e.target = append(e.pods, p), target
	}
	if len(e.pods) == 0 {
		return e, fmt.Errorf("Service %s/%s selects no rendered pod (selector %s)", s.ns, s.obj.Name, sel)
	}
	return e, nil
}

func targetPort(spec corev1.PodSpec, sp corev1.ServicePort) (int32, bool) {
	t := sp.TargetPort
	if t.Type == intstr.Int && t.IntVal == 0 {
		t = intstr.FromInt32(sp.Port)
	}
	for _, c := range spec.Containers {
		for _, cp := range c.Ports {
			if (t.Type == intstr.Int && cp.ContainerPort == t.IntVal) || (t.Type == intstr.String && cp.Name == t.StrVal) {
				return cp.ContainerPort, true
			}
		}
	}
	// A numeric target port needs no declared container port.
	return t.IntVal, t.Type == intstr.Int
}

// link is one client → Service connection the platform's wiring makes.
type link struct {
	client podOf
	// env is the environment variable that holds the address, if one does.
	env string
	// what says where the address comes from, e.g. "librechat.yaml endpoint Ollama".
	what string
	url  *url.URL
	to   endpoint
}

// tfExpression is a Terraform interpolation; fromVariable stands in for one.
var tfExpression = regexp.MustCompile(`\$\{[^}]*\}`)

const fromVariable = "terraform-expression"

// clusterHost matches <service>.<namespace>.svc[.cluster.local].
var clusterHost = regexp.MustCompile(`^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$`)

// checkWiring checks that every in-cluster address an app is given names a
// Service and port that a release renders, backed by pods; that every Secret
// a pod reads exists with the keys it reads; that every release's namespace
// is created by the base stack; and that GPU pods land on the GPU pool. It
// returns the links it resolved.
func checkWiring(w *world, report func(Finding)) []link {
	in := w.in
	links := w.links(report)
	w.authentication(links, report)
	w.secretRefs(report)
	for _, r := range in.Releases {
		if _, ok := in.Base.Namespaces[r.Release.Namespace]; !ok {
			report(Finding{Stack: r.Release.Stack, Release: r.Release.Address, Rule: RuleWiring,
				Problem: fmt.Sprintf("namespace %s is not created by %s", r.Release.Namespace, in.Base.Stack),
				Fix:     "give the release a namespace the base stack creates (the app's namespace field)"})
		}
	}
	w.gpuPlacement(report)
	return links
}

// links lists the client → Service connections: every in-cluster URL in a
// container's effective environment and in LibreChat's librechat.yaml.
func (w *world) links(report func(Finding)) []link {
	var out []link
	for _, p := range w.pods {
		if p.Object.Hook != "" {
			continue
		}
		for _, c := range p.Template.Spec.Containers {
			env := w.env(p, c)
			for _, k := range sortedKeys(env) {
				out = w.link(out, p, k, "environment variable "+k+" of container "+c.Name, env[k], report)
			}
		}
		for _, v := range p.Template.Spec.Volumes {
			if v.ConfigMap == nil {
				continue
			}
			data := w.configMaps[p.Object.Namespace+"/"+v.ConfigMap.Name]
			for _, file := range sortedKeys(data) {
				for _, u := range customEndpoints(data[file]) {
					out = w.link(out, p, "", fmt.Sprintf("%s (ConfigMap %s) endpoint %s", file, v.ConfigMap.Name, u[0]), u[1], report)
				}
			}
		}
	}
	return out
}

func (w *world) link(out []link, p podOf, env, what, address string, report func(Finding)) []link {
	// A value from the base stack may hold Terraform expressions, such as
	// a password from a variable: stand a placeholder in for each.
	u, err := url.Parse(tfExpression.ReplaceAllString(address, fromVariable))
	if err != nil || u.Host == "" {
		return out
	}
	m := clusterHost.FindStringSubmatch(u.Hostname())
	if m == nil {
		return out
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return out
	}
	to, err := w.resolve(m[2], m[1], intstr.FromInt(n))
	if err != nil {
		report(Finding{Release: p.rel.Release.Address, Object: p.Object.ID(), Rule: RuleWiring,
			Problem: fmt.Sprintf("%s is %s, but %v", what, redact(u), err),
			Fix:     wiringFix(w.in, m[2], m[1])})
		return out
	}
	return append(out, link{client: p, env: env, what: what, url: u, to: to})
}

func wiringFix(in Input, ns, svc string) string {
	switch ns {
	case in.Env.Ollama.Namespace:
		return fmt.Sprintf("ollama.release.name names Ollama's Service (now %q) and ollama.namespace its namespace; the address and the release must agree (constructs/ollama.ServiceURL)", in.Env.Ollama.Release.Name)
	case in.Env.LibreChat.Namespace:
		return fmt.Sprintf("librechat.release.name (now %q) names the Services of LibreChat's release; the address and the release must agree", in.Env.LibreChat.Release.Name)
	}
	return "point the address at a Service a release renders, or render " + ns + "/" + svc
}

// authentication checks that the data stores the apps reach ask for
// credentials, and that the credentials come from Terraform variables: a
// MongoDB URL carries a user and a password from a variable, its server does
// not allow empty passwords, and Meilisearch and its client both have the
// master key. No container anywhere runs with ALLOW_EMPTY_PASSWORD=yes
// (Bitnami's switch for a data store without authentication).
func (w *world) authentication(links []link, report func(Finding)) {
	fix := "turn authentication on in the values that constructs/librechat writes (mongodb.auth.enabled: true, auth.existingSecret) and keep the credentials in the base stack's Secrets (constructs/credentials)"
	for _, p := range w.pods {
		for _, c := range containers(p.Template.Spec) {
			if w.env(p, c)["ALLOW_EMPTY_PASSWORD"] == "yes" {
				report(Finding{Release: p.rel.Release.Address, Object: p.Object.ID(), Rule: RuleAuth,
					Problem: fmt.Sprintf("container %s runs with ALLOW_EMPTY_PASSWORD=yes: the data store accepts anyone who reaches it", c.Name), Fix: fix})
			}
		}
	}
	for _, l := range links {
		f := Finding{Release: l.client.rel.Release.Address, Object: l.client.Object.ID(), Rule: RuleAuth, Fix: fix}
		pass, hasPass := l.url.User.Password()
		switch {
		case l.url.Scheme == "mongodb" && !hasPass:
			f.Problem = fmt.Sprintf("%s connects to MongoDB without credentials (%s)", l.what, redact(l.url))
		case l.url.Scheme == "mongodb" && !strings.Contains(pass, fromVariable):
			f.Problem = fmt.Sprintf("%s carries a literal MongoDB password; it must come from a sensitive variable of %s", l.what, w.in.Base.Stack)
		case l.env == "MEILI_HOST":
			if _, ok := w.env(l.client, mainContainer(l.client))["MEILI_MASTER_KEY"]; !ok {
				f.Problem = fmt.Sprintf("%s points at Meilisearch, but the client has no MEILI_MASTER_KEY", l.what)
			}
			for _, s := range l.to.pods {
				if _, ok := w.env(s, mainContainer(s))["MEILI_MASTER_KEY"]; !ok {
					f.Problem = fmt.Sprintf("Meilisearch (%s) runs without MEILI_MASTER_KEY, so it accepts anyone who reaches it", s.Object.ID())
				}
			}
		}
		if f.Problem != "" {
			report(f)
		}
	}
}

// mainContainer is a pod's first container, the one the Service serves.
func mainContainer(p podOf) corev1.Container {
	if len(p.Template.Spec.Containers) == 0 {
		return corev1.Container{}
	}
	return p.Template.Spec.Containers[0]
}

// redact drops the password of a URL for messages.
func redact(u *url.URL) string {
	if _, ok := u.User.Password(); ok {
		c := *u
		c.User = url.UserPassword(u.User.Username(), "xxx")
		return strings.Replace(c.String(), "xxx", "…", 1)
	}
	return u.String()
}

// env is a container's effective environment: envFrom sources in order,
// later ones winning, then env entries. Values from the base stack's Secrets
// are as written there (Terraform expressions kept).
func (w *world) env(p podOf, c corev1.Container) map[string]string {
	ns := p.Object.Namespace
	out := map[string]string{}
	for _, from := range c.EnvFrom {
		var src map[string]string
		switch {
		case from.ConfigMapRef != nil:
			src = w.configMaps[ns+"/"+from.ConfigMapRef.Name]
		case from.SecretRef != nil:
			src = w.secretData(ns, from.SecretRef.Name)
		}
		for k, v := range src {
			out[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			out[e.Name] = w.secretData(ns, e.ValueFrom.SecretKeyRef.Name)[e.ValueFrom.SecretKeyRef.Key]
		case e.ValueFrom.ConfigMapKeyRef != nil:
			out[e.Name] = w.configMaps[ns+"/"+e.ValueFrom.ConfigMapKeyRef.Name][e.ValueFrom.ConfigMapKeyRef.Key]
		}
	}
	return out
}

func (w *world) secretData(ns, name string) map[string]string {
	if d, ok := w.in.Base.Secrets[ns+"/"+name]; ok {
		return d
	}
	return w.secrets[ns+"/"+name]
}

// customEndpoints lists the name and baseURL of each custom endpoint of a
// librechat.yaml; nothing for a file that is not one.
func customEndpoints(content string) [][2]string {
	var doc struct {
		Endpoints struct {
			Custom []struct {
				Name    string `json:"name"`
				BaseURL string `json:"baseURL"`
			} `json:"custom"`
		} `json:"endpoints"`
	}
	if yaml.Unmarshal([]byte(content), &doc) != nil {
		return nil
	}
	var out [][2]string
	for _, e := range doc.Endpoints.Custom {
		out = append(out, [2]string{e.Name, e.BaseURL})
	}
	return out
}

// secretRefs reports Secrets, or keys of them, that pods read and nothing creates.
func (w *world) secretRefs(report func(Finding)) {
	for _, p := range w.pods {
		ns := p.Object.Namespace
		need := func(name, key, how string) {
			if w.hookSecrets[ns+"/"+name] {
				return
			}
			data, ok := w.in.Base.Secrets[ns+"/"+name]
			from := w.in.Base.Stack
			if !ok {
				data, ok = w.secrets[ns+"/"+name]
				from = "the release"
			}
			f := Finding{Release: p.rel.Release.Address, Object: p.Object.ID(), Rule: RuleWiring}
			switch {
			case !ok:
				f.Problem = fmt.Sprintf("%s reads Secret %s/%s, which neither %s nor any release creates", how, ns, name, w.in.Base.Stack)
				f.Fix = "create the Secret in the base stack (constructs/credentials) or point the values at one that exists"
			case key != "":
				if _, has := data[key]; has {
					return
				}
				f.Problem = fmt.Sprintf("%s reads key %s of Secret %s/%s, which %s creates without it (its keys: %s)", how, key, ns, name, from, strings.Join(sortedKeys(data), ", "))
				f.Fix = "add the key to the Secret (constructs/credentials) or read one it has"
			default:
				return
			}
			report(f)
		}
		spec := p.Template.Spec
		secretVolumes := map[string]string{}
		for _, v := range spec.Volumes {
			if v.Secret != nil && len(v.Secret.Items) == 0 {
				secretVolumes[v.Name] = v.Secret.SecretName
			}
		}
		for _, c := range containers(spec) {
			// A file of a mounted Secret named in the environment (Bitnami's
			// *_FILE variables) is a key the container reads.
			for _, m := range c.VolumeMounts {
				name, ok := secretVolumes[m.Name]
				if !ok {
					continue
				}
				for _, e := range c.Env {
					if key, ok := strings.CutPrefix(e.Value, strings.TrimSuffix(m.MountPath, "/")+"/"); ok && e.ValueFrom == nil && !strings.Contains(key, "/") {
						need(name, key, "container "+c.Name+" env "+e.Name+" (a file of volume "+m.Name+")")
					}
				}
			}
			for _, from := range c.EnvFrom {
				if from.SecretRef != nil {
					need(from.SecretRef.Name, "", "container "+c.Name+" envFrom")
				}
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					need(e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key, "container "+c.Name+" env "+e.Name)
				}
			}
		}
		for _, v := range spec.Volumes {
			switch {
			case v.Secret != nil:
				need(v.Secret.SecretName, "", "volume "+v.Name)
				for _, it := range v.Secret.Items {
					need(v.Secret.SecretName, it.Key, "volume "+v.Name)
				}
			case v.Projected != nil:
				for _, s := range v.Projected.Sources {
					if s.Secret != nil {
						need(s.Secret.Name, "", "volume "+v.Name)
						for _, it := range s.Secret.Items {
							need(s.Secret.Name, it.Key, "volume "+v.Name)
						}
					}
				}
			}
		}
	}
}

// gpuPlacement checks that pods requesting GPUs select and tolerate the
// configured GPU pool, and that the device plugin runs there.
func (w *world) gpuPlacement(report func(Finding)) {
	o := w.in.Env.Ollama
	if !o.GPU.Enabled {
		return
	}
	gpu := corev1.ResourceName(o.GPU.ResourceName)
	node := gpuNode(o.NodeSelector, o.Tolerations)
	for _, p := range w.pods {
		if !requests(p.Template.Spec, gpu) {
			continue
		}
		f := Finding{Release: p.rel.Release.Address, Object: p.Object.ID(), Rule: RuleWiring}
		why := schedulable(p.Template.Spec, node)
		if why == "" && len(node.Labels) > 0 && schedulable(p.Template.Spec, &corev1.Node{}) == "" {
			why = "it does not select the pool: it could land on any node"
		}
		if why != "" {
			f.Problem = fmt.Sprintf("the pod requests %s but would not land on the GPU pool (labels %v, taints from ollama.tolerations): %s", gpu, node.Labels, why)
			f.Fix = "set ollama.nodeSelector and ollama.tolerations to the GPU pool's labels and taints; the ollama construct passes them to the chart"
			report(f)
		}
	}
	if !w.in.Env.NvidiaDevicePlugin.Install {
		return
	}
	d := w.in.Env.NvidiaDevicePlugin
	for _, p := range w.pods {
		// The chart names the plugin's DaemonSet after the release; its
		// other DaemonSets (MPS control, feature discovery) run only where
		// their own node labels are.
		if p.rel.Release.Namespace != d.Namespace || p.Object.Kind != "DaemonSet" || p.Object.Name != p.rel.Release.Name {
			continue
		}
		if why := schedulable(p.Template.Spec, node); why != "" {
			report(Finding{Release: p.rel.Release.Address, Object: p.Object.ID(), Rule: RuleWiring,
				Problem: fmt.Sprintf("the device plugin would not run on the GPU pool (labels %v), so %s is never advertised there: %s", node.Labels, gpu, why),
				Fix:     "the deviceplugin construct takes ollama.nodeSelector and ollama.tolerations; set them to the GPU pool's"})
		}
		return
	}
	report(Finding{Rule: RuleWiring, Problem: "nvidiaDevicePlugin.install is on but no release renders the device plugin's DaemonSet in namespace " + d.Namespace,
		Fix: "check nvidiaDevicePlugin.chartVersion and that its release is named after the chart"})
}

// gpuNode is a node of the GPU pool as the config describes it: the node
// selector's labels, and a taint for each toleration.
func gpuNode(selector map[string]string, tolerations []config.Toleration) *corev1.Node {
	n := &corev1.Node{}
	n.Labels = map[string]string{}
	for k, v := range selector {
		n.Labels[k] = v
	}
	for _, t := range tolerations {
		if t.Key == "" {
			continue
		}
		effect := corev1.TaintEffect(t.Effect)
		if effect == "" {
			effect = corev1.TaintEffectNoSchedule
		}
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: effect})
	}
	return n
}

// schedulable says why a pod would not be scheduled on node; "" when it would.
func schedulable(spec corev1.PodSpec, node *corev1.Node) string {
	pod := &corev1.Pod{Spec: spec}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); err != nil || !ok {
		return fmt.Sprintf("its node selector %v and required node affinity do not match", spec.NodeSelector)
	}
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		if !v1helper.TolerationsTolerateTaint(spec.Tolerations, &t) {
			return fmt.Sprintf("it does not tolerate the taint %s", t.ToString())
		}
	}
	return ""
}

func requests(spec corev1.PodSpec, res corev1.ResourceName) bool {
	for _, c := range containers(spec) {
		for _, l := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			if q, ok := l[res]; ok && !q.IsZero() {
				return true
			}
		}
	}
	return false
}

// ingressBackends lists the Service ports behind a release's Ingresses.
func (w *world) ingressBackends(r *render.Rendered, report func(Finding)) []endpoint {
	var out []endpoint
	for _, p := range w.published(r, report) {
		out = append(out, p.backend)
	}
	return out
}
