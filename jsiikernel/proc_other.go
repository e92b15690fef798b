//go:build !linux

package jsiikernel

import "time"

type kernel struct{}

func find() (*kernel, error) { return nil, ErrUnsupported }

func (*kernel) closeInput() error { return ErrUnsupported }

func (*kernel) waitReaped(time.Duration) error { return ErrUnsupported }
