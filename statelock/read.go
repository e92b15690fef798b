package statelock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
)

// LockInfoAnnotation holds the kubernetes backend's lock info on its Lease
// (tfstateLockInfoAnnotation); spec.holderIdentity holds the lock's ID.
const LockInfoAnnotation = "app.terraform.io/lock-info"

// Lock is what a stack's backend says of its state lock.
type Lock struct {
	Backend Backend
	// Held: the lock blocks Terraform (kubernetes: the Lease has a holder;
	// local: a process holds the state file's lock).
	Held bool
	// Info is the stored lock info; nil when there is none.
	Info *Info
	// HolderPID is the process holding a local state file's lock, when
	// the system says (0: unknown or not held).
	HolderPID int
	// NotRead says why the lock was not read (an s3 backend); empty when
	// it was.
	NotRead string
}

// ID is the lock's ID, "" without lock info.
func (l Lock) ID() string {
	if l.Info == nil {
		return ""
	}
	return l.Info.ID
}

// Local reads a local backend's lock: the lock info file next to the state
// file, and whether a process holds the state file's lock (Terraform takes
// an fcntl lock on it, which the system frees when the process ends, even
// killed; the info file stays behind and blocks nothing).
func Local(b Backend) (Lock, error) {
	l := Lock{Backend: b}
	data, err := os.ReadFile(b.LockInfoPath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return l, fmt.Errorf("reading the lock info: %w", err)
	default:
		info, err := parseInfo(data)
		if err != nil {
			return l, fmt.Errorf("%s: %w", b.LockInfoPath(), err)
		}
		l.Info = info
	}
	pid, held, err := fileLockHolder(b.Path)
	if err != nil {
		return l, fmt.Errorf("checking the lock on %s: %w", b.Path, err)
	}
	l.Held, l.HolderPID = held, pid
	return l, nil
}

// Lease reads a kubernetes backend's lock: its Lease, held while
// spec.holderIdentity is set; none is free.
func Lease(ctx context.Context, leases coordinationv1.LeasesGetter, b Backend) (Lock, error) {
	l := Lock{Backend: b}
	lease, err := leases.Leases(b.Namespace).Get(ctx, b.LeaseName(), metav1.GetOptions{})
	if k8serrors.IsNotFound(err) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("reading %s: %w", b.Where(), err)
	}
	l.Held = lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity != ""
	if data, ok := lease.Annotations[LockInfoAnnotation]; ok && data != "" {
		info, err := parseInfo([]byte(data))
		if err != nil {
			return l, fmt.Errorf("%s: annotation %s: %w", b.Where(), LockInfoAnnotation, err)
		}
		l.Info = info
	}
	if l.Held && l.Info == nil {
		l.Info = &Info{ID: *lease.Spec.HolderIdentity}
	}
	return l, nil
}

// S3 is an s3 backend's lock, not read: it is the object <key>.tflock,
// which this tool has no client for.
func S3(b Backend) Lock {
	return Lock{Backend: b, NotRead: fmt.Sprintf("the s3 backend's lock is the object %s, which ops does not read; `aws s3 cp %s -` shows it", b.Where(), b.Where())}
}

func parseInfo(data []byte) (*Info, error) {
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("reading Terraform's lock info: %w", err)
	}
	return &info, nil
}
