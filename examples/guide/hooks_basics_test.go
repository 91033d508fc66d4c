package guide_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

func Example_simpleHook() {
	m := newManager()
	m.AddHook(printHook{})
	ctx := context.Background()

	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	// 3.0.0 wants a string country: the result fails validation.
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace", "country": 7}, "User", "1.0.0", "3.0.0")
	// Output:
	// Migrating User from 1.0.0 to 3.0.0
	// Successfully migrated User: [country first_name last_name]
	// Migrating User from 1.0.0 to 3.0.0
	// Migration of User failed: migration failed for "User": 1.0.0 → 3.0.0: validation failed for "User" 3.0.0: field "country": want string, got number
}

func Example_lifecycle() {
	m := newManager()
	m.AddHook(say("A"), say("B"))
	// A Validator checks the result before any AfterMigrate; its error
	// fails the migration.
	m.AddHook(hooks.Validate(func(_ context.Context, _ core.Event, migrated core.Record) error {
		if migrated.Value("last_name") == "" {
			return errors.New("no last name")
		}
		return nil
	}))
	ctx := context.Background()

	fmt.Println("-- success")
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	fmt.Println("-- no such version: the path cannot be found")
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "9.0.0")
	fmt.Println("-- the result does not fit the model")
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace", "country": 7}, "User", "1.0.0", "3.0.0")
	fmt.Println("-- a Validator rejects the result")
	_, _ = m.Migrate(ctx, core.Data{"name": "Plato"}, "User", "1.0.0", "3.0.0")
	fmt.Println("-- same version: nothing to migrate, no hooks")
	_, _ = m.Migrate(ctx, core.Data{"first_name": "Ada", "last_name": "Lovelace"}, "User", "3.0.0", "3.0.0")
	// Output:
	// -- success
	// A: before User 1.0.0 → 3.0.0
	// B: before User 1.0.0 → 3.0.0
	// B: after User
	// A: after User
	// -- no such version: the path cannot be found
	// A: before User 1.0.0 → 9.0.0
	// B: before User 1.0.0 → 9.0.0
	// B: error User (model_not_found)
	// A: error User (model_not_found)
	// -- the result does not fit the model
	// A: before User 1.0.0 → 3.0.0
	// B: before User 1.0.0 → 3.0.0
	// B: error User (validation)
	// A: error User (validation)
	// -- a Validator rejects the result
	// A: before User 1.0.0 → 3.0.0
	// B: before User 1.0.0 → 3.0.0
	// B: error User (validation)
	// A: error User (validation)
	// -- same version: nothing to migrate, no hooks
}

// idKey is the ctx key of the migration's id.
type idKey struct{}

func Example_perMigrationState() {
	m := core.NewManager()
	check(core.Register[AddressV1](m, "Address", "1.0.0"))
	check(core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()))
	check(core.Register[CustomerV1](m, "Customer", "1.0.0"))
	check(core.Register[CustomerV2](m, "Customer", "2.0.0", core.WithBackwardCompatible()))

	var next atomic.Int64
	m.AddHook(hooks.Funcs{
		// The state of one migration goes into the ctx that Before returns...
		Before: func(ctx context.Context, e core.Event) context.Context {
			id := next.Add(1)
			fmt.Printf("start #%d %s\n", id, e.Model)
			return context.WithValue(ctx, idKey{}, id)
		},
		// ...and comes back in the ctx of the same migration's After.
		After: func(ctx context.Context, e core.Event, _ core.Record) {
			fmt.Printf("end   #%d %s\n", ctx.Value(idKey{}), e.Model)
		},
	})

	// A customer with two addresses: three migrations, two of them nested
	// in the first.
	in := core.Data{
		"name":    "Ada",
		"address": core.Data{"city": "London"},
		"past":    []any{core.Data{"city": "Paris"}},
	}
	_, err := m.Migrate(context.Background(), in, "Customer", "1.0.0", "2.0.0")
	fmt.Println(err)
	// Output:
	// start #1 Customer
	// start #2 Address
	// end   #2 Address
	// start #3 Address
	// end   #3 Address
	// end   #1 Customer
	// <nil>
}

func Example_hookPanic() {
	// The manager's error handler gets what it cannot return to a caller,
	// such as a hook that panicked (the default logs it with log/slog).
	m := newManagerWith(core.WithErrorHandler(func(err error) {
		if hp, ok := errors.AsType[*core.HookPanicError](err); ok {
			fmt.Printf("reported: hook panicked in %s: %v\n", hp.Method, hp.Value)
		}
	}))
	m.AddHook(say("A"))
	m.AddHook(hooks.Funcs{After: func(context.Context, core.Event, core.Record) {
		var counts map[string]int
		counts["oops"]++ //lint:ignore SA5000 the bug this example shows: assignment to entry in nil map
	}})

	out, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println(out, err)
	// Output:
	// A: before User 1.0.0 → 2.0.0
	// reported: hook panicked in AfterMigrate: assignment to entry in nil map
	// A: after User
	// map[first_name:Ada last_name:Lovelace] <nil>
}
