package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distribution/reference"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// Unauthenticated are image repositories whose servers have no
// authentication of their own: whoever reaches one may use all of it. Keep
// it short: each entry is a documented fact.
var Unauthenticated = map[string]string{
	// Ollama's API (docs/api.md, docs/faq.md "How can I expose Ollama on my
	// network?") has no authentication: anyone who reaches it may run, pull
	// and delete models.
	"docker.io/ollama/ollama": "Ollama's API, which has no authentication (anyone who reaches it can run, pull and delete models and keep the GPUs busy)",
}

// nginxAnnotation is ingress-nginx's annotation prefix (its default
// --annotations-prefix).
const nginxAnnotation = "nginx.ingress.kubernetes.io/"

// publication is one host and path of an Ingress, resolved to the Service
// port and pods behind it.
type publication struct {
	rel  *render.Rendered
	ing  *networkingv1.Ingress
	ns   string
	host string
	// tls says a TLS entry of the Ingress covers host.
	tls bool
	// auth is the authentication the ingress controller enforces, in words;
	// "" for none.
	auth string
	// authSecret is basic auth's Secret, as namespace/name.
	authSecret string
	backend    endpoint
}

func (p publication) String() string {
	scheme := "plain HTTP"
	if p.tls {
		scheme = "HTTPS"
	}
	auth := p.auth
	if auth == "" {
		auth = "no authentication at the controller"
	}
	return fmt.Sprintf("Ingress %s/%s host %s, %s, %s", p.ns, p.ing.Name, p.host, scheme, auth)
}

// object is the Ingress as findings name it.
func (p publication) object() string { return "Ingress/" + p.ing.Name }

// published lists what a release's Ingresses publish; a rule that routes to
// nothing is reported.
func (w *world) published(r *render.Rendered, report func(Finding)) []publication {
	var out []publication
	for _, o := range r.Objects {
		ing, ok := o.Typed.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		auth, secret := ingressAuth(o.Namespace, ing.Annotations)
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			tls := false
			for _, t := range ing.Spec.TLS {
				tls = tls || (t.SecretName != "" && slices.Contains(t.Hosts, rule.Host))
			}
			for _, path := range rule.HTTP.Paths {
				b := path.Backend.Service
				if b == nil {
					continue
				}
				port := intstr.FromInt32(b.Port.Number)
				if b.Port.Name != "" {
					port = intstr.FromString(b.Port.Name)
				}
				e, err := w.resolve(o.Namespace, b.Name, port)
				if err != nil {
					report(Finding{Release: r.Release.Address, Object: o.ID(), Rule: RuleWiring,
						Problem: fmt.Sprintf("the Ingress for %s routes to nothing: %v", rule.Host, err),
						Fix:     fmt.Sprintf("the ingress values that constructs/%s writes must name the release's Service", constructPackage(r.Release.ID))})
					continue
				}
				out = append(out, publication{rel: r, ing: ing, ns: o.Namespace, host: rule.Host, tls: tls, auth: auth, authSecret: secret, backend: e})
			}
		}
	}
	return out
}

// ingressAuth is the authentication ingress-nginx enforces for an Ingress
// with these annotations, in words, and basic auth's Secret.
func ingressAuth(ns string, a map[string]string) (auth, secret string) {
	if u := a[nginxAnnotation+"auth-url"]; u != "" {
		return "external auth (" + u + ")", ""
	}
	switch t := a[nginxAnnotation+"auth-type"]; t {
	case "basic", "digest":
		s := a[nginxAnnotation+"auth-secret"]
		if s == "" {
			return "", ""
		}
		if !strings.Contains(s, "/") {
			s = ns + "/" + s
		}
		return t + " auth (Secret " + s + ")", s
	}
	return "", ""
}

// unauthenticated says what of Unauthenticated the pods behind e run, if any.
func unauthenticated(e endpoint) (string, bool) {
	for _, p := range e.pods {
		for _, c := range p.Template.Spec.Containers {
			ref, err := reference.ParseNormalizedNamed(c.Image)
			if err != nil {
				continue
			}
			if what, ok := Unauthenticated[ref.Name()]; ok {
				return what, true
			}
		}
	}
	return "", false
}

// checkEdge holds the public edge to its promises, for every Ingress of
// every release: a backend with no authentication of its own is published
// only with an authentication the controller enforces, basic auth reads a
// Secret the base stack writes from a variable, a host that is not local
// has TLS, and LibreChat's sign-up is not open on a host that is not local.
// What the config accepts knowingly (ingress.acceptExposed) is returned for
// the report, as is what each host exposes.
func checkEdge(w *world, report func(Finding)) (accepted, exposed []string) {
	in := w.in
	edge := func(p publication, rule, problem, fix string) {
		if a, ok := in.Env.Ingress.Accepted(p.host, rule); ok {
			accepted = append(accepted, fmt.Sprintf("%s: %s: %s: %s host %s accepted: %s", p.rel.Release.Stack, p.rel.Release.Address, p.object(), rule, p.host, a.Reason))
			return
		}
		report(Finding{Release: p.rel.Release.Address, Object: p.object(), Rule: RuleEdge, Problem: problem,
			Fix: fix + fmt.Sprintf(", or accept it knowingly in the config: ingress.acceptExposed: [{host: %s, rule: %s, reason: …}]", p.host, rule)})
	}
	for _, r := range in.Releases {
		for _, p := range w.published(r, func(Finding) {}) {
			section := appSection(in.Env, p.ns)
			if what, ok := unauthenticated(p.backend); ok && p.auth == "" {
				edge(p, config.ExposeUnauthenticated,
					fmt.Sprintf("%s publishes %s (%s/%s) without an authentication the ingress controller enforces", p, what, p.backend.svc.ns, p.backend.svc.obj.Name),
					fmt.Sprintf("set %s.ingress.auth.type to basic (the base stack writes the htpasswd Secret from its ollama_htpasswd variable) or external (auth.url, e.g. oauth2-proxy)", section))
			}
			if p.authSecret != "" {
				w.checkAuthSecret(p, section, report)
			}
			if !p.tls && !config.LocalHost(p.host) {
				edge(p, config.ExposePlainHTTP,
					fmt.Sprintf("%s: host %s is not local (*.localhost, .local, .test, .internal or an IP) but is served without TLS, so passwords and chats cross the network in the clear", p, p.host),
					fmt.Sprintf("set %s.ingress.tlsSecretName (with cert-manager: also %s.ingress.annotations cert-manager.io/cluster-issuer)", section, section))
			}
			line := fmt.Sprintf("%s: %s: %s → %s/%s port %s", p.rel.Release.Stack, p.rel.Release.Address, p, p.backend.svc.ns, p.backend.svc.obj.Name, portName(p.backend.port))
			if mode, where, ok := w.signUp(p); ok {
				line += ", sign-up " + mode + " (" + where + ")"
				if mode == config.SignUpOpen && !config.LocalHost(p.host) {
					edge(p, config.ExposeOpenSignUp,
						fmt.Sprintf("%s: LibreChat lets anyone who reaches host %s sign up (%s), and use the models", p, p.host, where),
						"set librechat.registration.mode to closed (accounts made by an operator, README: the first account) or domains (librechat.registration.allowedDomains)")
				}
			}
			exposed = append(exposed, line)
		}
	}
	return accepted, exposed
}

// appSection is the config section of the app in namespace ns.
func appSection(env config.Environment, ns string) string {
	if a, ok := appOf(env, ns); ok {
		return a.Section
	}
	return "the app's"
}

// checkAuthSecret checks that basic auth's Secret is the base stack's, with
// the htpasswd key auth, from a Terraform variable.
func (w *world) checkAuthSecret(p publication, section string, report func(Finding)) {
	f := Finding{Release: p.rel.Release.Address, Object: p.object(), Rule: RuleEdge,
		Fix: fmt.Sprintf("keep %s.ingress.auth.type basic and let the base stack write the Secret (constructs/credentials, variable ollama_htpasswd)", section)}
	data, ok := w.in.Base.Secrets[p.authSecret]
	switch {
	case !ok && w.secrets[p.authSecret] != nil:
		f.Problem = fmt.Sprintf("%s reads its users from Secret %s, which the release renders (its passwords are in the chart's values, the Helm release and the state), not %s write-only", p, p.authSecret, w.in.Base.Stack)
	case !ok:
		f.Problem = fmt.Sprintf("%s reads its users from Secret %s, which neither %s nor any release creates: ingress-nginx then answers every request with 503", p, p.authSecret, w.in.Base.Stack)
	case !strings.Contains(data["auth"], "${var."):
		f.Problem = fmt.Sprintf("%s reads Secret %s, whose key auth (the htpasswd lines ingress-nginx reads) is missing or not from a sensitive variable", p, p.authSecret)
	case !w.in.Base.WriteOnly[p.authSecret]["auth"]:
		f.Problem = fmt.Sprintf("%s reads Secret %s, whose key auth %s writes into data, so the htpasswd line lands in Terraform's state; write it through data_wo", p, p.authSecret, w.in.Base.Stack)
	default:
		return
	}
	report(f)
}

// libreChatImage is LibreChat's image repository, whose sign-up the check
// reads.
const libreChatImage = "registry.librechat.ai/danny-avila/librechat"

// signUp is LibreChat's effective sign-up policy behind p, from the
// environment its pods run with (ALLOW_REGISTRATION) and the
// registration.allowedDomains of their librechat.yaml, and where it comes
// from; ok is false for a backend that is not LibreChat. Unset, sign-up is
// open: whatever the image does is not a decision.
func (w *world) signUp(p publication) (mode, where string, ok bool) {
	for _, pod := range p.backend.pods {
		for _, c := range pod.Template.Spec.Containers {
			ref, err := reference.ParseNormalizedNamed(c.Image)
			if err != nil || ref.Name() != libreChatImage {
				continue
			}
			allow, set := w.env(pod, c)["ALLOW_REGISTRATION"]
			switch {
			case !set:
				return config.SignUpOpen, "ALLOW_REGISTRATION unset: whatever the image defaults to", true
			case allow != "true":
				return config.SignUpClosed, "ALLOW_REGISTRATION=" + allow, true
			}
			if domains := w.allowedDomains(pod); len(domains) > 0 {
				return config.SignUpDomains, "ALLOW_REGISTRATION=true, librechat.yaml registration.allowedDomains " + strings.Join(domains, ", "), true
			}
			return config.SignUpOpen, "ALLOW_REGISTRATION=true, no registration.allowedDomains", true
		}
	}
	return "", "", false
}

// allowedDomains is registration.allowedDomains of the librechat.yaml a
// pod mounts from a ConfigMap.
func (w *world) allowedDomains(p podOf) []string {
	for _, v := range p.Template.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		for _, content := range w.configMaps[p.Object.Namespace+"/"+v.ConfigMap.Name] {
			var doc struct {
				Registration struct {
					AllowedDomains []string `json:"allowedDomains"`
				} `json:"registration"`
			}
			if yaml.Unmarshal([]byte(content), &doc) == nil && len(doc.Registration.AllowedDomains) > 0 {
				return doc.Registration.AllowedDomains
			}
		}
	}
	return nil
}
