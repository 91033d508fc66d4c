package migratehttp

import (
	"context"
	"sync/atomic"

	"github.com/transmute-go/transmute/core"
)

// counter is the request-scoped hook: one is made for each request and
// added to that request's ctx only (core.WithHooks), so it counts the
// migrations and steps of its request and of no other. Its counters are
// the request's totals, not per-migration state, and are atomic so that a
// request's migrations may run concurrently (a batch with workers).
type counter struct {
	core.NopHook
	migrations atomic.Int64
	steps      atomic.Int64
}

var (
	_ core.Hook         = (*counter)(nil)
	_ core.StepObserver = (*counter)(nil)
)

// BeforeMigrate counts a migration.
func (c *counter) BeforeMigrate(ctx context.Context, _ core.Event) context.Context {
	c.migrations.Add(1)
	return ctx
}

// BeforeStep returns ctx.
func (c *counter) BeforeStep(ctx context.Context, _ core.Event, _ core.Step) context.Context {
	return ctx
}

// AfterStep counts a step that ran, whether it failed or not.
func (c *counter) AfterStep(context.Context, core.Event, core.Step, error) {
	c.steps.Add(1)
}
