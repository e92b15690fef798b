package statelock

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Process is a Terraform (or OpenTofu) process running on this machine.
type Process struct {
	PID  int
	Name string
	// Dir is its working directory (Terraform changes into -chdir's
	// folder first); "" when the system does not say (another user's).
	Dir string
}

// Host is what Judge knows of this machine: its name (the host part of
// Who of a lock taken here), the time, and its Terraform processes.
type Host struct {
	Name      string
	Now       time.Time
	Processes []Process
	// Blind: this machine's processes could not be listed (no /proc), so
	// no lock taken here is judged by them.
	Blind bool
}

// programs are the names a process holding a state lock can have.
func programs(extra string) map[string]bool {
	names := map[string]bool{"terraform": true, "tofu": true}
	if extra != "" {
		names[filepath.Base(extra)] = true
	}
	return names
}

// ThisHost is this machine now: os.Hostname, time.Now and the processes
// /proc lists named terraform, tofu or extra ($TERRAFORM_BINARY_NAME);
// Blind without /proc (macOS).
func ThisHost(extra string) (Host, error) {
	name, err := os.Hostname()
	if err != nil {
		return Host{}, fmt.Errorf("reading the host name: %w", err)
	}
	if _, err := os.Stat("/proc/self"); err != nil {
		return Host{Name: name, Now: time.Now(), Blind: true}, nil
	}
	procs, err := Processes("/proc", extra)
	if err != nil {
		return Host{}, err
	}
	return Host{Name: name, Now: time.Now(), Processes: procs}, nil
}

// Processes lists the processes of a proc file system (root) whose program
// is terraform, tofu or extra, with their working directories. A process
// that ends while it is read is left out.
func Processes(root, extra string) ([]Process, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	names := programs(extra)
	var out []Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(root, e.Name(), "comm"))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(comm))
		if !names[name] {
			continue
		}
		dir, _ := os.Readlink(filepath.Join(root, e.Name(), "cwd"))
		out = append(out, Process{PID: pid, Name: name, Dir: dir})
	}
	return out, nil
}
