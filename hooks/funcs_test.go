package hooks_test

import (
	"context"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// Nil fields are skipped; a Before that returns nil keeps the ctx.
func TestFuncsNilFields(t *testing.T) {
	m := newTestManager(t, failOnError(t))
	var after []any
	m.AddHook(
		hooks.Funcs{},
		hooks.Funcs{Before: func(context.Context, core.Event) context.Context { return nil }},
		hooks.Funcs{After: func(ctx context.Context, _ core.Event, _ core.Record) {
			after = append(after, ctx.Value(ctxKey("k")))
		}},
	)
	ctx := context.WithValue(context.Background(), ctxKey("k"), "v")
	if err := migrateUser(t, m, ctx, "Ada"); err != nil {
		t.Fatal(err)
	}
	if err := migrateUser(t, m, ctx, 1); err == nil {
		t.Fatal("bad record migrated")
	}
	if len(after) != 1 || after[0] != "v" {
		t.Errorf("After saw %v, want the caller's ctx once", after)
	}
	// Called directly, outside a manager.
	f := hooks.Funcs{}
	if got := f.BeforeMigrate(ctx, core.Event{}); got != ctx {
		t.Error("empty Funcs changed the ctx")
	}
	f.AfterMigrate(ctx, core.Event{}, core.Record{})
	f.OnError(ctx, core.Event{}, nil)
}

// The ctx Before returns is the one After and Error get, per migration.
func TestFuncsContextPairing(t *testing.T) {
	type token struct{}
	m := newTestManager(t, failOnError(t))
	var mismatches, calls int
	m.AddHook(hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			return context.WithValue(ctx, token{}, e.Data.Value("name"))
		},
		After: func(ctx context.Context, e core.Event, _ core.Record) {
			calls++
			if ctx.Value(token{}) != e.Data.Value("name") {
				mismatches++
			}
		},
		Error: func(ctx context.Context, e core.Event, _ error) {
			calls++
			if ctx.Value(token{}) != e.Data.Value("name") {
				mismatches++
			}
		},
	})
	_ = migrateUser(t, m, context.Background(), "Ada")
	_ = migrateUser(t, m, context.Background(), 5)
	if calls != 2 || mismatches != 0 {
		t.Errorf("%d calls, %d with another migration's ctx", calls, mismatches)
	}
}
