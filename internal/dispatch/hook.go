package dispatch

import "context"

// Hook is the contract of a migration hook, over the event type E and the
// read-only record type R.
type Hook[E, R any] interface {
	BeforeMigrate(ctx context.Context, e E) context.Context
	AfterMigrate(ctx context.Context, e E, migrated R)
	OnError(ctx context.Context, e E, err error)
}

// Validator is the optional interface of a hook that may fail a migration.
type Validator[E, R any] interface {
	ValidateMigration(ctx context.Context, e E, migrated R) error
}

// StepObserver is the optional interface of a hook called around each
// step (S) of a migration.
type StepObserver[E, S any] interface {
	BeforeStep(ctx context.Context, e E, s S) context.Context
	AfterStep(ctx context.Context, e E, s S, err error)
}

// BatchObserver is the optional interface of a hook called around a batch
// (B).
type BatchObserver[B any] interface {
	BeforeBatch(ctx context.Context, b B) context.Context
	AfterBatch(ctx context.Context, b B, err error)
}
