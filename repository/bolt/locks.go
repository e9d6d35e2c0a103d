package bolt

import (
	"slices"
	"strings"
	"sync"
)

// recordLocks orders the saves of each record without one lock for the
// whole store: a save holds its own record exclusively, and the records its
// checks depend on (an item's collection, a unit's parents) shared, from
// its version check through the record's write to storage to its bbolt
// transaction. Saves of different records go to storage at the same time;
// two saves of one record follow each other, so the version each checked
// is still the stored one when its record is written, and storage never
// holds a version that bbolt then refuses.
type recordLocks struct {
	mu   sync.Mutex
	held map[string]*recordLock
}

type recordLock struct {
	sync.RWMutex
	users int // saves holding or waiting for it
}

// lockSet names the records one save locks: mine exclusively, on shared.
type lockSet struct {
	mine, on []string
}

// lock takes every lock of the set, in name order so that two saves never
// wait for each other, and returns what releases them.
func (l *recordLocks) lock(set lockSet) (unlock func()) {
	excl := map[string]bool{}
	for _, n := range set.on {
		excl[n] = false
	}
	for _, n := range set.mine {
		excl[n] = true
	}
	names := make([]string, 0, len(excl))
	for n := range excl {
		names = append(names, n)
	}
	slices.SortFunc(names, strings.Compare)
	locks := make([]*recordLock, len(names))
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*recordLock{}
	}
	for i, n := range names {
		if l.held[n] == nil {
			l.held[n] = &recordLock{}
		}
		locks[i] = l.held[n]
		locks[i].users++
	}
	l.mu.Unlock()
	for i, n := range names {
		if excl[n] {
			locks[i].Lock()
		} else {
			locks[i].RLock()
		}
	}
	return func() {
		for i := len(names) - 1; i >= 0; i-- {
			if excl[names[i]] {
				locks[i].Unlock()
			} else {
				locks[i].RUnlock()
			}
		}
		l.mu.Lock()
		for i, n := range names {
			if locks[i].users--; locks[i].users == 0 {
				delete(l.held, n)
			}
		}
		l.mu.Unlock()
	}
}
