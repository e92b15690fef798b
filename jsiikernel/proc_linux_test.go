package jsiikernel

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestStopsTheChildThatReadsOurPipe starts a child as jsii-runtime-go
// does (a stdin pipe, a goroutine that waits for it) that, like
// tools/kernel/kernel, reads the pipe on another descriptor (here 5) with
// /dev/null as stdin, beside a pipe both hold without close-on-exec (child
// fd 3), as one inherited from a CI runner would be: find must pick the
// pipe the child reads, not the shared one, and the child must end and be
// reaped by its own waiter.
func TestStopsTheChildThatReadsOurPipe(t *testing.T) {
	r, inherited, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer inherited.Close()
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, inherited.Fd(), syscall.F_SETFD, 0); errno != 0 {
		t.Fatal(errno)
	}
	cmd := exec.Command("sh", "-c", "exec 5<&0 0</dev/null; exec cat /dev/fd/5 >/dev/null")
	cmd.ExtraFiles = []*os.File{inherited}
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	k, err := find()
	if err != nil || k == nil {
		t.Fatalf("find: %v, %v", k, err)
	}
	if k.pid != cmd.Process.Pid || k.fd == int(inherited.Fd()) {
		t.Fatalf("found pid %d fd %d; want pid %d and not the inherited pipe (fd %d)", k.pid, k.fd, cmd.Process.Pid, inherited.Fd())
	}
	if err := k.closeInput(); err != nil {
		t.Fatal(err)
	}
	if err := k.waitReaped(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("the child's own waiter got %v; want a clean exit", err)
		}
	case <-time.After(time.Second):
		t.Error("the child is gone but its waiter has not returned")
	}
	if _, err := inherited.Write([]byte("x")); err != nil {
		t.Errorf("the inherited pipe was touched: %v", err)
	}
}

func TestFindWithoutAChild(t *testing.T) {
	if k, err := find(); err != nil || k != nil {
		t.Errorf("find = %v, %v; want nothing", k, err)
	}
}
