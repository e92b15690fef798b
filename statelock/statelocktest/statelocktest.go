// Package statelocktest holds a state file's lock from another process,
// as a running Terraform does (an fcntl write lock), for tests: the test
// binary is started again as the holder, so its TestMain calls Serve first.
package statelocktest

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

const holdEnv = "STATELOCKTEST_HOLD"

// Serve, called first in TestMain, makes the process the lock holder when
// Hold started it: it takes the lock, says so and keeps it until its stdin
// closes, then exits. Otherwise it returns.
func Serve() {
	path := os.Getenv(holdEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		os.Exit(3)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		os.Exit(4)
	}
	os.Stdout.WriteString("locked\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// Hold starts a process that holds path's lock until the test ends, and
// returns its pid.
func Hold(t testing.TB, path string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("the lock holder did not lock %s (%q)", path, line)
	}
	return cmd.Process.Pid
}
