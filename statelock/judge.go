package statelock

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// State is the verdict on a stack's lock.
type State int

const (
	// Free: no lock, nothing to do.
	Free State = iota
	// Stale: its holder is gone; releasing it is safe.
	Stale
	// Live: a Terraform process on this machine holds it.
	Live
	// Unknown: held, and its holder may still be at work (on another
	// machine, or not long enough ago to be sure); never released here.
	Unknown
	// NotRead: the backend's lock was not read.
	NotRead
)

func (s State) String() string {
	switch s {
	case Free:
		return "free"
	case Stale:
		return "stale"
	case Live:
		return "held"
	case NotRead:
		return "not read"
	}
	return "held, holder unknown"
}

// Verdict is what Judge says of a lock.
type Verdict struct {
	State State
	// Why says how it decided, for people.
	Why string
	// Blocks: the next plan or apply of the stack would fail on it.
	Blocks bool
}

// Judge decides whether a stack's lock is stale. dir is the stack's
// folder; bound is the longest an apply of it can hold the lock. In order:
//
//   - local backend: the system's lock on the state file is the truth: held
//     is Live (by that process); lock info without it is Stale, left by a
//     process that is gone (it blocks nothing; Terraform replaces it);
//   - a Terraform process here whose folder is dir holds it: Live;
//   - taken here (Who's host is this machine's name), its processes listed,
//     and no Terraform process here works in a folder of that stack's name
//     (another checkout of the project shares the backend) or in one the
//     system hides: Stale;
//   - taken longer ago than bound: Stale;
//   - otherwise Unknown.
func Judge(l Lock, dir string, bound time.Duration, h Host) Verdict {
	if l.NotRead != "" {
		return Verdict{State: NotRead, Why: l.NotRead}
	}
	if l.Backend.Type == "local" {
		return judgeLocal(l)
	}
	if !l.Held {
		return Verdict{State: Free}
	}
	v := Verdict{Blocks: true}
	stack := filepath.Base(dir)
	var sameName []Process
	hidden := 0
	for _, p := range h.Processes {
		switch {
		case p.Dir == "":
			hidden++
		case sameDir(p.Dir, dir):
			v.State, v.Why = Live, fmt.Sprintf("%s (pid %d) runs in %s on this machine", p.Name, p.PID, dir)
			return v
		case filepath.Base(p.Dir) == stack:
			sameName = append(sameName, p)
		}
	}
	info := l.Info
	if info == nil {
		info = &Info{}
	}
	age := h.Now.Sub(info.Created)
	taken := "taken " + ago(age)
	if info.Created.IsZero() {
		taken = "with no lock info (when it was taken is unknown)"
	}
	switch {
	case info.Host() != "" && info.Host() == h.Name && !h.Blind && len(sameName) == 0 && hidden == 0:
		v.State, v.Why = Stale, fmt.Sprintf("taken on this machine (%s), where no terraform or tofu process runs in %s: the holder is gone", h.Name, dir)
	case !info.Created.IsZero() && age > bound:
		v.State, v.Why = Stale, fmt.Sprintf("%s, longer than an apply of this stack can hold it (%s): the holder is gone", taken, minutes(bound))
	case info.Host() == h.Name && len(sameName) > 0:
		v.State, v.Why = Unknown, fmt.Sprintf("%s; %s (pid %d) runs in %s on this machine, which may hold it", taken, sameName[0].Name, sameName[0].PID, sameName[0].Dir)
	case info.Host() == h.Name && h.Blind:
		v.State, v.Why = Unknown, fmt.Sprintf("%s on this machine, whose processes cannot be listed (no /proc): it may still be running", taken)
	case info.Host() == h.Name:
		v.State, v.Why = Unknown, fmt.Sprintf("%s; %d terraform or tofu process(es) here hide their folders (another user's), one may hold it", taken, hidden)
	default:
		where := "another machine"
		if info.Host() != "" {
			where = info.Host()
		}
		v.State, v.Why = Unknown, fmt.Sprintf("%s on %s, whose processes this machine cannot see, within the %s an apply of this stack can take: it may still be running", taken, where, minutes(bound))
	}
	return v
}

func judgeLocal(l Lock) Verdict {
	switch {
	case l.Held && l.HolderPID > 0:
		return Verdict{State: Live, Blocks: true, Why: fmt.Sprintf("process %d holds the lock on %s", l.HolderPID, l.Backend.Path)}
	case l.Held:
		return Verdict{State: Live, Blocks: true, Why: fmt.Sprintf("a process holds the lock on %s", l.Backend.Path)}
	case l.Info != nil:
		return Verdict{State: Stale, Why: fmt.Sprintf("no process holds the lock on %s: the holder is gone and left its lock info behind (it blocks nothing; the next Terraform run replaces it)", l.Backend.Path)}
	}
	return Verdict{State: Free}
}

// sameDir compares two folders, following symbolic links where it can.
func sameDir(a, b string) bool {
	return filepath.Clean(a) == filepath.Clean(b) || resolve(a) == resolve(b)
}

func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// ago is a duration for people, to the minute: "1h31m ago".
func ago(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute ago"
	}
	return minutes(d) + " ago"
}

// minutes is a duration to the minute: 1h30m, 50m.
func minutes(d time.Duration) string {
	return strings.TrimSuffix(d.Truncate(time.Minute).String(), "0s")
}
