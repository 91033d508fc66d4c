package transmutetest

import (
	"context"

	"github.com/transmute-go/transmute/core"
)

// ValidatingRecorder is a [Recorder] that is also a [core.Validator]: it
// records each ValidateMigration call (with a copy of the result as
// [Call.Migrated]) and returns the error it was made with. Its
// [Recorder.CheckPairing] also reports a ValidateMigration that did not
// get the ctx its own BeforeMigrate returned, or came after the
// migration's end.
type ValidatingRecorder struct {
	*Recorder
	err error
}

var _ core.Validator = (*ValidatingRecorder)(nil)

// NewValidator returns a ValidatingRecorder whose ValidateMigration
// returns err (nil: every migration passes).
func NewValidator(err error, opts ...RecorderOption) *ValidatingRecorder {
	return &ValidatingRecorder{Recorder: NewRecorder(opts...), err: err}
}

// ValidateMigration records the call and returns the recorder's error.
func (v *ValidatingRecorder) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	r := v.Recorder
	r.add(Call{Method: ValidateMigration, Event: e, Migrated: migrated.Clone()})
	tok, _ := ctx.Value(tokenKey{r, "migration"}).(int64)
	own := ctx.Value(lastKey{}) == mark{r, "migration", tok}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.ends[tok]; !ok || !own || n > 0 {
		r.faults = append(r.faults, "ValidateMigration did not get the ctx of an open migration of this recorder")
	}
	return v.err
}
