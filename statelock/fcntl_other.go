//go:build !unix

package statelock

import "errors"

func fileLockHolder(string) (int, bool, error) {
	return 0, false, errors.New("checking a file lock needs fcntl (unix)")
}
