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
	v := Values{
		Enabled:     true,
		ClassName:   c.ClassName,
		Annotations: c.Annotations,
		Hosts:       []Host{{Host: c.Host, Paths: []Path{{Path: "/", PathType: pathType}}}},
		TLS:         []TLS{},
	}
	if c.TLSSecretName != "" {
		v.TLS = []TLS{{SecretName: c.TLSSecretName, Hosts: []string{c.Host}}}
	}
	return v
}
