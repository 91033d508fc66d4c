package hooks

import (
	"context"

	"github.com/transmute-go/transmute/core"
)

// Validate returns a hook that checks every migrated record with fn, as a
// [core.Validator]: fn runs after the steps and the model's own validation
// and before any AfterMigrate, with the ctx of the hook's place in the
// chain. An error from fn fails the migration: the manager returns an
// error that matches both [core.ErrValidation] and fn's error (errors.Is
// and errors.As see both), and the hooks get OnError instead of
// AfterMigrate. fn must not keep migrated beyond the call, and is called
// concurrently when migrations run concurrently.
//
// A nil fn gives a nil hook, which core.Manager.AddHook ignores.
func Validate(fn func(ctx context.Context, e core.Event, migrated core.Record) error) core.Hook {
	if fn == nil {
		return nil
	}
	return &validator{fn: fn}
}

type validator struct {
	core.NopHook
	fn func(context.Context, core.Event, core.Record) error
}

var _ core.Validator = (*validator)(nil)

// ValidateMigration calls the validation function.
func (v *validator) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	return v.fn(ctx, e, migrated)
}
