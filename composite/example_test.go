package composite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/core"
)

// say is a hook that prints what it observes.
type say struct{ name string }

func (s say) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	fmt.Printf("%s: before %s %s → %s\n", s.name, e.Model, e.From, e.To)
	return ctx
}

func (s say) AfterMigrate(_ context.Context, e core.Event, migrated core.Record) {
	fmt.Printf("%s: after %s %v\n", s.name, e.Model, migrated.Keys())
}

func (s say) OnError(_ context.Context, e core.Event, err error) {
	fmt.Printf("%s: error %s %s\n", s.name, e.Model, core.ErrorType(err))
}

// exampleManager has a User model 1.0.0 → 2.0.0 that splits the name.
func exampleManager() *core.Manager {
	m := core.NewManager()
	_ = m.RegisterSchema("User", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true}}})
	_ = m.RegisterSchema("User", "2.0.0", core.Schema{Fields: []core.Field{{Name: "first", Required: true}, {Name: "last", Required: true}}})
	_ = m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		name, ok := d["name"].(string)
		if !ok {
			return nil, fmt.Errorf("name is %T, not a string", d["name"])
		}
		first, last, _ := strings.Cut(name, " ")
		return core.Data{"first": first, "last": last}, nil
	})
	return m
}

// Combine logging, metrics and auditing into one hook: the members run in
// order before the migration and in reverse order after it.
func Example() {
	m := exampleManager()
	m.AddHook(composite.Of(say{"logging"}, say{"metrics"}, say{"audit"}))

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println("err:", err)
	// Output:
	// logging: before User 1.0.0 → 2.0.0
	// metrics: before User 1.0.0 → 2.0.0
	// audit: before User 1.0.0 → 2.0.0
	// audit: after User [first last]
	// metrics: after User [first last]
	// logging: after User [first last]
	// err: <nil>
}

// flaky is a hook with a bug.
type flaky struct{ core.NopHook }

func (flaky) AfterMigrate(context.Context, core.Event, core.Record) {
	var counts map[string]int
	counts["oops"]++ //lint:ignore SA5000 the bug this example shows: assignment to entry in nil map
}

// A member that panics is reported to the error handler; the other members
// and the migration go on.
func ExampleWithErrorHandler() {
	report := func(err error) {
		if hp, ok := errors.AsType[*core.HookPanicError](err); ok {
			fmt.Printf("handler: %T panicked in %s\n", hp.Hook, hp.Method)
		}
	}
	m := exampleManager()
	m.AddHook(composite.New([]core.Hook{say{"logging"}, flaky{}}, composite.WithErrorHandler(report)))

	out, err := m.Migrate(context.Background(), core.Data{"name": "Grace Hopper"}, "User", "1.0.0", "2.0.0")
	fmt.Println(out, err)
	// Output:
	// logging: before User 1.0.0 → 2.0.0
	// handler: composite_test.flaky panicked in AfterMigrate
	// logging: after User [first last]
	// map[first:Grace last:Hopper] <nil>
}

// Members can be added and removed while migrations run; each migration
// finishes with the members it started with.
func ExampleHook_Add() {
	m := exampleManager()
	observers := composite.Of(say{"logging"})
	m.AddHook(observers)

	observers.Add(say{"tracing"})
	fmt.Println(observers.Len(), "members")
	_, _ = m.Migrate(context.Background(), core.Data{"name": 42}, "User", "1.0.0", "2.0.0")

	observers.Remove(say{"logging"})
	fmt.Println(observers.Len(), "member")
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alan Turing"}, "User", "1.0.0", "2.0.0")
	// Output:
	// 2 members
	// logging: before User 1.0.0 → 2.0.0
	// tracing: before User 1.0.0 → 2.0.0
	// tracing: error User migration_function
	// logging: error User migration_function
	// 1 member
	// tracing: before User 1.0.0 → 2.0.0
	// tracing: after User [first last]
}
