package jsiikernel

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// kernel is the app's child process that reads the pipe the app writes
// jsii requests to: the kernel, or the shell or launcher that runs it.
type kernel struct {
	pid       int
	startTime string // /proc/<pid>/stat field 22, so that a reused pid is not taken for it
	fd        int    // the app's write end of the kernel's stdin pipe
}

// find looks through /proc for the child that reads a pipe this process
// holds open for writing.
func find() (*kernel, error) {
	ours, err := writePipes()
	if err != nil {
		return nil, err
	}
	if len(ours) == 0 {
		return nil, nil
	}
	kids, err := children(os.Getpid())
	if err != nil {
		return nil, err
	}
	for _, pid := range kids {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, e := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
			if err != nil {
				continue
			}
			if fd, ok := ours[link]; ok {
				st, err := stat(pid)
				if err != nil {
					return nil, nil // it has just ended
				}
				return &kernel{pid: pid, startTime: st.startTime, fd: fd}, nil
			}
		}
	}
	return nil, nil
}

// writePipes maps each pipe this process made and holds open for writing
// ("pipe:[123]") to its descriptor. Made here means close-on-exec, as Go
// makes every descriptor: one inherited from the parent (a CI runner's
// pipe, which the kernel inherits too) cannot be, or it would not be here.
func writePipes() (map[string]int, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if os.IsNotExist(err) {
		return nil, ErrUnsupported
	}
	if err != nil {
		return nil, fmt.Errorf("jsiikernel: %w", err)
	}
	out := map[string]int{}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 { // never the app's own stdin, stdout, stderr
			continue
		}
		link, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(link, "pipe:") {
			continue
		}
		info, err := os.ReadFile(filepath.Join("/proc/self/fdinfo", e.Name()))
		if err != nil {
			continue
		}
		if flags, ok := field(string(info), "flags:"); ok {
			if f, err := strconv.ParseUint(flags, 8, 64); err == nil && f&syscall.O_ACCMODE == syscall.O_WRONLY && f&syscall.O_CLOEXEC != 0 {
				out[link] = fd
			}
		}
	}
	return out, nil
}

// children are the pids whose parent is ppid.
func children(ppid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("jsiikernel: %w", err)
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := stat(pid); err == nil && st.ppid == ppid {
			out = append(out, pid)
		}
	}
	return out, nil
}

type procStat struct {
	state     string
	ppid      int
	startTime string
}

// stat reads /proc/<pid>/stat: state (field 3), ppid (4), start time (22).
func stat(pid int) (procStat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return procStat{}, fmt.Errorf("jsiikernel: /proc/%d/stat: unexpected %q", pid, s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("jsiikernel: /proc/%d/stat: unexpected %q", pid, s)
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procStat{}, fmt.Errorf("jsiikernel: /proc/%d/stat: %w", pid, err)
	}
	return procStat{state: f[0], ppid: ppid, startTime: f[19]}, nil
}

func field(text, name string) (string, bool) {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// closeInput ends the kernel's input: the descriptor is pointed at
// /dev/null, which closes the pipe's only write end (the runtime's
// os.File keeps its descriptor, now harmless, and closes it later), so the
// kernel reads end-of-file and exits with status 0, as after jsii.Close().
func (k *kernel) closeInput() error {
	null, err := syscall.Open(os.DevNull, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("jsiikernel: %w", err)
	}
	defer syscall.Close(null)
	if err := syscall.Dup3(null, k.fd, syscall.O_CLOEXEC); err != nil {
		return fmt.Errorf("jsiikernel: closing the kernel's input (fd %d): %w", k.fd, err)
	}
	return nil
}

// waitReaped waits until the kernel's process is gone from /proc: it has
// exited and the runtime's goroutine has waited for it.
func (k *kernel) waitReaped(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 10*time.Millisecond) {
		st, err := stat(k.pid)
		if err != nil || st.startTime != k.startTime {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jsiikernel: jsii's kernel (pid %d, state %s) is still there %v after its input closed; it ends when this process exits", k.pid, st.state, timeout)
		}
		time.Sleep(delay)
	}
}
