// Package jsiikernel ends jsii's kernel process before the app exits, so
// that no process of the app outlives it, alive or as a zombie.
//
// jsii-runtime-go starts the kernel (a Node process; with the stock
// launcher a Node process that starts another) on the first jsii call, and
// a goroutine of its own waits for it. An app that exits without
// jsii.Close() leaves the kernel behind: it notices its closed input and
// exits a moment later, orphaned, and is a zombie wherever the orphans'
// reaper does not reap (a container whose PID 1 is not an init, a CI job
// run under a subreaper). jsii.Close() would end it, but in jsii-runtime-go
// 1.119.0 Close waits for the process too, racing that goroutine: when
// Close wins, the goroutine's wait fails and it prints "Runtime process
// exited abnormally: waitid: no child processes" (about one run in ten).
//
// Stop avoids the race instead of calling Close first: it closes the
// kernel's input itself (the write end of its stdin pipe, found through
// /proc), waits until the runtime's goroutine has reaped the kernel, and
// only then calls jsii.Close(), which finds nothing left to wait for and
// just releases the runtime (the stock launcher's temporary directory
// included).
package jsiikernel

import (
	"errors"
	"time"

	"github.com/aws/jsii-runtime-go"
)

// ErrUnsupported is Stop on a system without /proc: the kernel is left to
// end by itself, as before.
var ErrUnsupported = errors.New("jsiikernel: no /proc here; the kernel ends by itself after the app exits")

// Stop ends the kernel started by jsii-runtime-go, if any, and returns once
// it is gone (reaped), at most timeout later. Call it once, after the last
// jsii call, before the process exits.
func Stop(timeout time.Duration) error {
	k, err := find()
	if err != nil {
		return err
	}
	if k == nil { // never started, or already gone
		jsii.Close()
		return nil
	}
	if err := k.closeInput(); err != nil {
		return err
	}
	if err := k.waitReaped(timeout); err != nil {
		return err
	}
	jsii.Close()
	return nil
}
