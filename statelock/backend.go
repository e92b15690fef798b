// Package statelock reads the state lock of a synthesized stack, for each
// backend the config supports, and judges whether its holder is gone: a
// Terraform killed while it held the lock leaves it behind, and with the
// kubernetes backend (a Lease without expiry) every later plan and apply of
// the stack fails on it until someone runs terraform force-unlock.
//
// Reading is per backend (Local, Lease); Judge is a pure function of a lock,
// the stack's folder, a bound on how long an apply can hold it, and what
// this machine runs (Host), so that every verdict is testable without a
// cluster or a killed process.
package statelock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Info is Terraform's lock info (statemgr.LockInfo), as every backend
// stores it: JSON with Go's field names.
type Info struct {
	ID        string
	Operation string
	Info      string
	Who       string // user@host
	Version   string
	Created   time.Time
	Path      string
}

// Host is the host part of Who ("" when Who has none).
func (i Info) Host() string {
	if at := strings.LastIndex(i.Who, "@"); at >= 0 {
		return i.Who[at+1:]
	}
	return ""
}

// Backend is a stack's backend, as its cdk.tf.json has it.
type Backend struct {
	// Type is local, kubernetes or s3.
	Type string
	// Path is the local state file, absolute.
	Path string
	// Namespace and SecretSuffix place the kubernetes backend's Secret
	// and Lease; ConfigPath (as written, ~ not expanded) and ConfigContext
	// reach its cluster.
	Namespace, SecretSuffix, ConfigPath, ConfigContext string
	// Bucket and Key place the s3 backend's state (its lock is Key.tflock).
	Bucket, Key string
}

// Workspace is the only workspace the stacks use (cdktf's default).
const Workspace = "default"

// LeaseName is the kubernetes backend's lock: a Lease named
// lock-tfstate-<workspace>-<secret_suffix> in the backend's namespace
// (terraform internal/backend/remote-state/kubernetes, createLeaseName).
func (b Backend) LeaseName() string { return "lock-tfstate-" + Workspace + "-" + b.SecretSuffix }

// LockInfoPath is the local backend's lock info: .<state file>.lock.info
// next to the state file (statemgr.Filesystem.lockInfoPath).
func (b Backend) LockInfoPath() string {
	dir, name := filepath.Split(b.Path)
	return filepath.Join(dir, "."+strings.TrimPrefix(name, ".")+".lock.info")
}

// Where names the lock, for people.
func (b Backend) Where() string {
	switch b.Type {
	case "kubernetes":
		return fmt.Sprintf("Lease %s/%s", b.Namespace, b.LeaseName())
	case "s3":
		return fmt.Sprintf("s3://%s/%s.tflock", b.Bucket, b.Key)
	}
	return b.LockInfoPath()
}

// ReadBackend reads the backend of the synthesized stack in dir. A stack
// without one uses Terraform's default: local, terraform.tfstate in dir.
func ReadBackend(dir string) (Backend, error) {
	file := filepath.Join(dir, "cdk.tf.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return Backend{}, fmt.Errorf("reading the backend: %w", err)
	}
	var doc struct {
		Terraform struct {
			Backend map[string]map[string]any `json:"backend"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Backend{}, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(doc.Terraform.Backend) > 1 {
		return Backend{}, fmt.Errorf("%s: %d backends; Terraform takes one", file, len(doc.Terraform.Backend))
	}
	b := Backend{Type: "local"}
	var attrs map[string]any
	for typ, a := range doc.Terraform.Backend {
		b.Type, attrs = typ, a
	}
	str := func(key string) string { s, _ := attrs[key].(string); return s }
	switch b.Type {
	case "local":
		b.Path = str("path")
		if b.Path == "" {
			b.Path = "terraform.tfstate"
		}
		if !filepath.IsAbs(b.Path) {
			b.Path = filepath.Join(dir, b.Path)
		}
	case "kubernetes":
		b.Namespace, b.SecretSuffix = str("namespace"), str("secret_suffix")
		b.ConfigPath, b.ConfigContext = str("config_path"), str("config_context")
		if b.Namespace == "" {
			b.Namespace = "default"
		}
		if b.SecretSuffix == "" {
			return Backend{}, fmt.Errorf("%s: the kubernetes backend has no secret_suffix", file)
		}
	case "s3":
		b.Bucket, b.Key = str("bucket"), str("key")
	default:
		return Backend{}, fmt.Errorf("%s: backend %q is not one the config supports (local, kubernetes, s3)", file, b.Type)
	}
	return b, nil
}
