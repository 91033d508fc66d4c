package core

import (
	"context"
	"time"
)

// Hook observes migrations. A hook is called once per migration (not per
// step): BeforeMigrate when it starts, then exactly one of AfterMigrate or
// OnError when it ends. Hooks are observers: they get the data as a
// read-only [Record] and cannot change the outcome (only a [Validator] can,
// by returning an error). A panic in a hook is recovered and reported to
// the manager's error handler; the migration goes on.
//
// Per-migration state (a start time, a span, a sampling decision) travels
// in the context: whatever ctx BeforeMigrate returns is the ctx that the
// same hook's AfterMigrate or OnError receives, and the migration function
// runs under the ctx produced by all the hooks. Hooks must be safe for
// concurrent use; embed [NopHook] to implement only some methods.
type Hook interface {
	// BeforeMigrate is called in registration order before the first step.
	// It returns the context for the rest of the migration (return ctx
	// itself when there is nothing to add; nil is taken to mean ctx).
	BeforeMigrate(ctx context.Context, e Event) context.Context
	// AfterMigrate is called, in reverse registration order, when the
	// migration succeeded, with the migrated data.
	AfterMigrate(ctx context.Context, e Event, migrated Record)
	// OnError is called, in reverse registration order, when the migration
	// failed anywhere: path, step, model validation or a Validator.
	OnError(ctx context.Context, e Event, err error)
}

// Validator is an optional interface of a [Hook]. ValidateMigration runs,
// in registration order, after the steps and the model validation and
// before any AfterMigrate. An error fails the migration with an error that
// matches both [ErrValidation] and the validator's own error.
type Validator interface {
	ValidateMigration(ctx context.Context, e Event, migrated Record) error
}

// StepObserver is an optional interface of a [Hook], called around each
// step of a migration's path. BeforeStep is called in registration order
// and its ctx is what the step's migration function runs under (so a span
// started here is the parent of whatever the function does); AfterStep is
// called in reverse order with the ctx that the same hook's BeforeStep
// returned, and the step's error (nil on success).
type StepObserver interface {
	BeforeStep(ctx context.Context, e Event, s Step) context.Context
	AfterStep(ctx context.Context, e Event, s Step, err error)
}

// BatchObserver is an optional interface of a [Hook], called around a
// whole [Manager.MigrateBatch] or [Manager.MigrateStream]. The items'
// migrations run under the ctx that BeforeBatch returned.
type BatchObserver interface {
	BeforeBatch(ctx context.Context, b Batch) context.Context
	AfterBatch(ctx context.Context, b Batch, err error)
}

// Event describes one migration. It is passed by value, and nothing in it
// reaches back into the engine or the caller's data: Data is a read-only
// view whose values are views or private copies, and Path, which the
// hooks of every migration of the same path share and must not write, is
// apart from the engine's own path ([Manager.Path], the steps run); a
// write to it is undone when the migration ends. Copy it to keep it.
type Event struct {
	Model    string
	From, To Version
	// Path is the chain of versions the migration goes through, From first
	// and To last. It is nil when the path could not be found.
	Path []Version
	// Data is the input record, read-only.
	Data Record
	// Start is when the migration started, with a monotonic clock
	// reading (see the package doc, "Time"). It is zero when the manager
	// has no hooks for the migration.
	Start time.Time
	// Elapsed is the migration's duration, from Start to its end (after
	// the validation of the result). The engine reads the clock once for
	// all the hooks: it is set for AfterMigrate and OnError, and zero in
	// BeforeMigrate and ValidateMigration.
	Elapsed time.Duration
}

// Steps returns the number of steps of the path.
func (e Event) Steps() int {
	if len(e.Path) == 0 {
		return 0
	}
	return len(e.Path) - 1
}

// Direction returns "up" for an upgrade and "down" for a downgrade.
func (e Event) Direction() string {
	if e.To.Compare(e.From) < 0 {
		return "down"
	}
	return "up"
}

// Step is one step of a migration's path.
type Step struct {
	Index    int // from 0
	From, To Version
	Auto     bool // true when the step is an auto-migration, with no function
}

// Batch describes a batch or a stream of migrations.
type Batch struct {
	Model string
	// From is the version of every item, unless MixedFrom is set.
	From, To Version
	// MixedFrom is set when the items carry their own versions
	// ([WithVersionFromRecord]): From is then zero, and each item's
	// [Event] has its own.
	MixedFrom bool
	// Size is the number of items, or -1 for a stream.
	Size int
	// Succeeded and Failed are counted at the end (zero in BeforeBatch).
	Succeeded, Failed int
	// Start is when the batch started.
	Start time.Time
	// Elapsed is the batch's duration, set at the end (zero in
	// BeforeBatch).
	Elapsed time.Duration
}

func (b *Batch) mixed(fromRecord bool) {
	if fromRecord {
		b.From, b.MixedFrom = Version{}, true
	}
}

// NopHook implements [Hook] with methods that do nothing. Embed it in a
// hook that needs only some of the methods.
type NopHook struct{}

// BeforeMigrate returns ctx.
func (NopHook) BeforeMigrate(ctx context.Context, _ Event) context.Context { return ctx }

// AfterMigrate does nothing.
func (NopHook) AfterMigrate(context.Context, Event, Record) {}

// OnError does nothing.
func (NopHook) OnError(context.Context, Event, error) {}
