package transmutetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/transmute-go/transmute/core"
)

// The methods a [Recorder] records, as [Call.Method].
const (
	BeforeMigrate = "BeforeMigrate"
	AfterMigrate  = "AfterMigrate"
	OnError       = "OnError"
	BeforeStep    = "BeforeStep"
	AfterStep     = "AfterStep"
	BeforeBatch   = "BeforeBatch"
	AfterBatch    = "AfterBatch"
	// ValidateMigration is recorded by the recorders [NewValidator] makes.
	ValidateMigration = "ValidateMigration"
)

// Call is one call a [Recorder] got.
type Call struct {
	// Method is the name of the hook method, such as "BeforeMigrate".
	Method string
	// Event is the migration's event, for every method but BeforeBatch and
	// AfterBatch. Its Data is a copy of the input made at the call, so it
	// stays as the hook saw it.
	Event core.Event
	// Step is the step, for BeforeStep and AfterStep.
	Step core.Step
	// Batch is the batch, for BeforeBatch and AfterBatch.
	Batch core.Batch
	// Err is the error of OnError, AfterStep and AfterBatch (nil on
	// success).
	Err error
	// Migrated is a copy of the result, for AfterMigrate and
	// ValidateMigration.
	Migrated core.Data
}

// Recorder is a hook that records every call it gets, in call order. It
// implements [core.Hook], [core.StepObserver] and [core.BatchObserver] (not
// [core.Validator]: it never fails a migration) and is safe for concurrent
// use. The zero Recorder is ready to use.
//
// Each Before method returns a ctx that carries a token of its own, and
// [Recorder.CheckPairing] says whether every Before got exactly one end
// with that very ctx, as the hook contract promises: not a ctx that
// another hook's Before returned, nor one derived from it.
//
// Several recorders can write to one [Journal] ([WithJournal]), which
// keeps the order of the calls across hooks.
type Recorder struct {
	name    string
	journal *Journal

	mu     sync.Mutex
	calls  []Call
	next   int64
	ends   map[int64]int // token → ends seen
	faults []string
}

type tokenKey struct {
	r    *Recorder
	kind string // "migration", "step" or "batch"
}

// lastKey is the ctx key under which every recorder's Before puts its own
// mark, so that only the very ctx a Before returned carries that Before's
// mark under it.
type lastKey struct{}

type mark struct {
	r    *Recorder
	kind string
	tok  int64
}

var (
	_ core.Hook          = (*Recorder)(nil)
	_ core.StepObserver  = (*Recorder)(nil)
	_ core.BatchObserver = (*Recorder)(nil)
)

// NewRecorder returns an empty Recorder.
func NewRecorder(opts ...RecorderOption) *Recorder {
	r := &Recorder{}
	for _, o := range opts {
		if o != nil {
			o.applyRecorder(r)
		}
	}
	return r
}

// Calls returns the calls recorded so far, in call order. What it returns
// is the caller's: the slice, the events' data and paths and the migrated
// records are copies that nothing else shares, so changing them changes
// no later Calls.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Call, len(r.calls))
	for i, c := range r.calls {
		out[i] = c.own()
	}
	return out
}

// own returns c with copies of everything it holds by reference.
func (c Call) own() Call {
	if c.Method != BeforeBatch && c.Method != AfterBatch {
		c.Event = ownEvent(c.Event)
	}
	if c.Migrated != nil {
		c.Migrated, _ = core.Copy(c.Migrated)
	}
	return c
}

// Methods returns the Method of each call so far, in call order.
func (r *Recorder) Methods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.calls))
	for i, c := range r.calls {
		out[i] = c.Method
	}
	return out
}

// Reset forgets the calls recorded so far, and the pairing.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.ends, r.faults = nil, nil, nil
}

// CheckPairing returns nil when every BeforeMigrate, BeforeStep and
// BeforeBatch recorded so far got exactly one end (AfterMigrate or OnError,
// AfterStep, AfterBatch) called with the ctx it returned; otherwise an
// error that lists what went wrong. Check it once the migrations are over.
func (r *Recorder) CheckPairing() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	faults := slices.Clone(r.faults)
	open := 0
	for _, n := range r.ends {
		if n == 0 {
			open++
		}
	}
	if open > 0 {
		faults = append(faults, fmt.Sprintf("%d Before calls got no end", open))
	}
	if len(faults) == 0 {
		return nil
	}
	who := ""
	if r.name != "" {
		who = " (" + r.name + ")"
	}
	return errors.New("transmutetest: hook pairing broken" + who + ": " + strings.Join(faults, "; "))
}

// begin records a Before call and returns ctx with a new token.
func (r *Recorder) begin(ctx context.Context, kind string, c Call) context.Context {
	r.add(c)
	r.mu.Lock()
	r.next++
	tok := r.next
	if r.ends == nil {
		r.ends = map[int64]int{}
	}
	r.ends[tok] = 0
	r.mu.Unlock()
	ctx = context.WithValue(ctx, tokenKey{r, kind}, tok)
	return context.WithValue(ctx, lastKey{}, mark{r, kind, tok})
}

// end records an end call and checks its ctx carries a token of the
// Before it pairs with, seen for the first time.
func (r *Recorder) end(ctx context.Context, kind string, c Call) {
	r.add(c)
	tok, _ := ctx.Value(tokenKey{r, kind}).(int64)
	own := ctx.Value(lastKey{}) == mark{r, kind, tok}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch n, ok := r.ends[tok]; {
	case !ok:
		r.faults = append(r.faults, c.Method+" got a ctx that no "+kind+" Before of this recorder returned")
	case !own:
		r.faults = append(r.faults, c.Method+" got a ctx derived from its Before's, not the one it returned")
	case n > 0:
		r.faults = append(r.faults, fmt.Sprintf("%s: a %s ended %d times", c.Method, kind, n+1))
	}
	if _, ok := r.ends[tok]; ok {
		r.ends[tok]++
	}
}

func (r *Recorder) add(c Call) {
	if c.Method != BeforeBatch && c.Method != AfterBatch {
		c.Event = ownEvent(c.Event)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	r.journal.add(r.name, c)
}

// ownEvent returns e with its input and path copied, so that the call
// does not change when the caller reuses its map.
func ownEvent(e core.Event) core.Event {
	if !e.Data.IsNil() {
		e.Data = core.NewRecord(e.Data.Clone())
	}
	e.Path = slices.Clone(e.Path)
	return e
}

// BeforeMigrate records the call and returns ctx with the migration's
// token.
func (r *Recorder) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	return r.begin(ctx, "migration", Call{Method: BeforeMigrate, Event: e})
}

// AfterMigrate records the call with a copy of the result.
func (r *Recorder) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	r.end(ctx, "migration", Call{Method: AfterMigrate, Event: e, Migrated: migrated.Clone()})
}

// OnError records the call.
func (r *Recorder) OnError(ctx context.Context, e core.Event, err error) {
	r.end(ctx, "migration", Call{Method: OnError, Event: e, Err: err})
}

// BeforeStep records the call and returns ctx with the step's token.
func (r *Recorder) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	return r.begin(ctx, "step", Call{Method: BeforeStep, Event: e, Step: s})
}

// AfterStep records the call.
func (r *Recorder) AfterStep(ctx context.Context, e core.Event, s core.Step, err error) {
	r.end(ctx, "step", Call{Method: AfterStep, Event: e, Step: s, Err: err})
}

// BeforeBatch records the call and returns ctx with the batch's token.
func (r *Recorder) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	return r.begin(ctx, "batch", Call{Method: BeforeBatch, Batch: b})
}

// AfterBatch records the call.
func (r *Recorder) AfterBatch(ctx context.Context, b core.Batch, err error) {
	r.end(ctx, "batch", Call{Method: AfterBatch, Batch: b, Err: err})
}
