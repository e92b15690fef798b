// Package ingress renders the ingress: section that the otwld and LibreChat
// charts share (the common helm-create layout).
package ingress

// Config exposes an app through the cluster's ingress controller.
type Config struct {
	// ClassName is the IngressClass. Required.
	ClassName string
	// Host is the DNS name. Required.
	Host string
	// TLSSecretName names the certificate Secret; empty serves plain HTTP.
	TLSSecretName string
	// Annotations go on the Ingress.
	Annotations map[string]string
	// Auth is the authentication ingress-nginx enforces. Default none.
	Auth Auth
}

// Auth is an ingress-nginx authentication, written as its annotations.
type Auth struct {
	// BasicSecret names the Secret (in the Ingress's namespace) whose key
	// auth holds htpasswd lines; set, it turns basic auth on.
	BasicSecret string
	// Realm is basic auth's realm.
	Realm string
	// URL turns external auth on: every request is first sent there and
	// let through on a 2xx answer.
	URL string
	// SignIn is where external auth sends a client that is not signed in.
	SignIn string
}

// nginx is ingress-nginx's annotation prefix.
const nginx = "nginx.ingress.kubernetes.io/"

// BasicAuthKey is the key of a basic-auth Secret that ingress-nginx reads.
const BasicAuthKey = "auth"

// BasicAuthSecret is the name of app's basic-auth Secret, which the base
// stack writes in the app's namespace.
func BasicAuthSecret(app string) string { return app + "-basic-auth" }

// annotations are a's annotations.
func (a Auth) annotations() map[string]string {
	switch {
	case a.URL != "":
		m := map[string]string{nginx + "auth-url": a.URL}
		if a.SignIn != "" {
			m[nginx+"auth-signin"] = a.SignIn
		}
		return m
	case a.BasicSecret != "":
		return map[string]string{nginx + "auth-type": "basic", nginx + "auth-secret": a.BasicSecret, nginx + "auth-realm": a.Realm}
	}
	return nil
}

// URL is where people reach the app.
func (c Config) URL() string {
	if c.TLSSecretName != "" {
		return "https://" + c.Host
	}
	return "http://" + c.Host
}

// Values is a chart's ingress: section.
type Values struct {
	Enabled     bool              `json:"enabled"`
	ClassName   string            `json:"className,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Hosts       []Host            `json:"hosts,omitempty"`
	// TLS is always written: the charts' defaults must not leak through.
	TLS []TLS `json:"tls"`
}

// Host is one ingress.hosts entry.
type Host struct {
	Host  string `json:"host"`
	Paths []Path `json:"paths"`
}

// Path is one ingress.hosts[].paths entry.
type Path struct {
	Path     string `json:"path"`
	PathType string `json:"pathType"`
}

// TLS is one ingress.tls entry.
type TLS struct {
	SecretName string   `json:"secretName"`
	Hosts      []string `json:"hosts"`
}

// ValuesFor renders c; nil disables the chart's ingress. pathType is the
// chart's own default, so that the API server stores what we wrote.
func ValuesFor(c *Config, release, pathType string) Values {
	if c == nil {
		return Values{Enabled: false, TLS: []TLS{}}
	}
	annotations := c.Auth.annotations()
	if len(annotations) == 0 {
		annotations = c.Annotations
	} else {
		for k, v := range c.Annotations {
			annotations[k] = v
		}
	}
	v := Values{
		Enabled:     true,
		ClassName:   c.ClassName,
		Annotations: annotations,
		Hosts:       []Host{{Host: c.Host, Paths: []Path{{Path: "/", PathType: pathType}}}},
		TLS:         []TLS{},
	}
	if c.TLSSecretName != "" {
		v.TLS = []TLS{{SecretName: c.TLSSecretName, Hosts: []string{c.Host}}}
	}
	return v
}
