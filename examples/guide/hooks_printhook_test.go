package guide_test

import (
	"context"
	"fmt"

	"github.com/transmute-go/transmute/core"
)

// printHook prints every migration: pyrmute's LoggingHook, in Go. It has
// no fields, so it is safe for concurrent use as it is.
type printHook struct{}

// BeforeMigrate is called once, before the first step. It returns the ctx
// for the rest of the migration: ctx itself when it has nothing to add.
func (printHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	fmt.Printf("Migrating %s from %s to %s\n", e.Model, e.From, e.To)
	return ctx
}

// AfterMigrate is called when the migration succeeded.
func (printHook) AfterMigrate(_ context.Context, e core.Event, migrated core.Record) {
	fmt.Printf("Successfully migrated %s: %v\n", e.Model, migrated.Keys())
}

// OnError is called when the migration failed, wherever it failed.
func (printHook) OnError(_ context.Context, e core.Event, err error) {
	fmt.Printf("Migration of %s failed: %v\n", e.Model, err)
}
