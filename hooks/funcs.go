package hooks

import (
	"context"

	"github.com/transmute-go/transmute/core"
)

// Funcs is a [core.Hook] made of plain functions; a nil field is skipped.
// Each field has the signature of the method it stands for: Before is
// BeforeMigrate (it returns the ctx for the rest of the migration; nil
// means ctx), After is AfterMigrate and Error is OnError.
//
// The functions are called concurrently when migrations run concurrently,
// so they must be safe for that. A Funcs value is not comparable, so core.Manager.RemoveHook cannot find
// it; add a *Funcs instead when the hook is to be removed later.
type Funcs struct {
	Before func(ctx context.Context, e core.Event) context.Context
	After  func(ctx context.Context, e core.Event, migrated core.Record)
	Error  func(ctx context.Context, e core.Event, err error)
}

var _ core.Hook = Funcs{}

// BeforeMigrate calls f.Before, if set, and returns its ctx (or ctx when
// it returns nil).
func (f Funcs) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if f.Before == nil {
		return ctx
	}
	if c := f.Before(ctx, e); c != nil {
		return c
	}
	return ctx
}

// AfterMigrate calls f.After, if set.
func (f Funcs) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if f.After != nil {
		f.After(ctx, e, migrated)
	}
}

// OnError calls f.Error, if set.
func (f Funcs) OnError(ctx context.Context, e core.Event, err error) {
	if f.Error != nil {
		f.Error(ctx, e, err)
	}
}
