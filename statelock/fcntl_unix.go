//go:build unix

package statelock

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// fileLockHolder asks the system whether another process holds an fcntl
// lock on path (F_GETLK, which takes none), and which. A missing file is
// not locked.
func fileLockHolder(path string) (pid int, held bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return 0, false, err
	}
	if lk.Type == syscall.F_UNLCK {
		return 0, false, nil
	}
	return int(lk.Pid), true, nil
}
