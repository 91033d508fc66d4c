package transmutetest

import (
	"slices"
	"sync"
)

// Journal is one list, in call order, of the calls that several
// [Recorder]s got: give each recorder the same journal ([WithJournal]) and
// a name ([WithName]) to see the order across hooks, which one
// recorder's [Recorder.Calls] cannot show. It is safe for concurrent use;
// the zero Journal is ready to use.
type Journal struct {
	mu      sync.Mutex
	entries []Entry
}

// Entry is one call in a [Journal]: the name of the recorder that got it,
// and the call as that recorder recorded it.
type Entry struct {
	// Hook is the recorder's name ([WithName]), "" if it has none.
	Hook string
	Call
}

// Entries returns the calls journaled so far, in call order. As with
// [Recorder.Calls], what it returns is the caller's own copy.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, len(j.entries))
	for i, e := range j.entries {
		out[i] = Entry{Hook: e.Hook, Call: e.Call.own()}
	}
	return out
}

// Lines returns line(e) for each entry so far, in call order: the form a
// test compares with what it expects.
func (j *Journal) Lines(line func(Entry) string) []string {
	entries := j.Entries()
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = line(e)
	}
	return out
}

// Reset forgets the calls journaled so far.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = nil
}

// add journals c, already owned by the recorder, under hook.
func (j *Journal) add(hook string, c Call) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, Entry{Hook: hook, Call: c})
}

// Filter returns the entries of the hooks named, in call order.
func (j *Journal) Filter(hooks ...string) []Entry {
	return slices.DeleteFunc(j.Entries(), func(e Entry) bool { return !slices.Contains(hooks, e.Hook) })
}
