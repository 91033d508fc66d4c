package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// UserV1 is version 1.0.0 of the User model.
type UserV1 struct {
	Name string `json:"name"`
}

// UserV2 splits the name and adds an optional email.
type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email,omitempty"`
}

// newManager returns a manager with User 1.0.0 → 2.0.0, whose migration
// fails when name is not a string.
func newManager() *core.Manager {
	m := core.NewManager()
	must(core.Register[UserV1](m, "User", "1.0.0"))
	must(core.Register[UserV2](m, "User", "2.0.0"))
	must(m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		name, ok := d["name"].(string)
		if !ok {
			return nil, errors.New("name is not a string")
		}
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	}))
	return m
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// textLogger logs to stdout without the time and the duration, so that
// the output of the examples does not change from run to run.
func textLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == "duration") {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// The LoggingHook and LifecycleHook of the hooks guide: a hook from
// plain functions.
func ExampleFuncs() {
	m := newManager()
	m.AddHook(hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			fmt.Printf("Migrating %s from %s to %s\n", e.Model, e.From, e.To)
			return ctx
		},
		After: func(_ context.Context, e core.Event, _ core.Record) {
			fmt.Printf("Successfully migrated %s\n", e.Model)
		},
		Error: func(_ context.Context, _ core.Event, err error) {
			fmt.Printf("Migration failed: %v\n", err)
		},
	})
	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Alice Liddell"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"invalid": "data"}, "User", "1.0.0", "2.0.0")
	// Output:
	// Migrating User from 1.0.0 to 2.0.0
	// Successfully migrated User
	// Migrating User from 1.0.0 to 2.0.0
	// Migration failed: migration failed for "User": 1.0.0 → 2.0.0: name is not a string
}

// Several hooks: BeforeMigrate runs in registration order, AfterMigrate
// in reverse order, and a hook added as a pointer can be removed.
func ExampleFuncs_order() {
	m := newManager()
	named := func(n int) *hooks.Funcs {
		return &hooks.Funcs{
			Before: func(ctx context.Context, _ core.Event) context.Context {
				fmt.Println("before", n)
				return ctx
			},
			After: func(context.Context, core.Event, core.Record) { fmt.Println("after", n) },
		}
	}
	h1, h2, h3 := named(1), named(2), named(3)
	m.AddHook(h1, h2, h3)
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alice"}, "User", "1.0.0", "2.0.0")
	fmt.Println("removed:", m.RemoveHook(h2))
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Bob"}, "User", "1.0.0", "2.0.0")
	// Output:
	// before 1
	// before 2
	// before 3
	// after 3
	// after 2
	// after 1
	// removed: true
	// before 1
	// before 3
	// after 3
	// after 1
}

// The InspectionHook of the hooks guide: a hook reads the data through a
// read-only core.Record.
func ExampleFuncs_inspect() {
	m := newManager()
	m.AddHook(hooks.Funcs{Before: func(ctx context.Context, e core.Event) context.Context {
		if e.Data.Has("email") {
			fmt.Println("Has email:", e.Data.Value("email"))
		}
		age, ok := e.Data.Get("age")
		if !ok {
			age = "unknown"
		}
		fmt.Println("Age:", age)
		for k, v := range e.Data.All() {
			fmt.Printf("%s: %v\n", k, v)
		}
		fmt.Println("Fields:", e.Data.Len())
		return ctx
	}})
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alice", "email": "alice@example.com"}, "User", "1.0.0", "2.0.0")
	// Output:
	// Has email: alice@example.com
	// Age: unknown
	// email: alice@example.com
	// name: Alice
	// Fields: 2
}

// Testing a hook, as the hooks guide recommends: run it through a real
// manager and look at what it saw.
func ExampleFuncs_testing() {
	m := newManager()
	var seen []string
	m.AddHook(hooks.Funcs{
		After: func(_ context.Context, e core.Event, migrated core.Record) {
			seen = append(seen, fmt.Sprintf("%s %s: %v", e.Model, e.To, migrated.Keys()))
		},
		Error: func(_ context.Context, e core.Event, err error) {
			seen = append(seen, fmt.Sprintf("%s %s: %s", e.Model, e.To, core.ErrorType(err)))
		},
	})
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(context.Background(), core.Data{"name": 42}, "User", "1.0.0", "2.0.0")
	fmt.Println(strings.Join(seen, "\n"))
	// Output:
	// User 2.0.0: [first_name last_name]
	// User 2.0.0: migration_function
}

// The StructuredLoggingHook of the hooks guide.
func ExampleNewLogger() {
	m := newManager()
	m.AddHook(hooks.NewLogger(textLogger(slog.LevelDebug)))
	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Alice Liddell"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": 7}, "User", "1.0.0", "2.0.0")
	// Output:
	// level=DEBUG msg="migration started" model=User from_version=1.0.0 to_version=2.0.0 steps=1
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=2.0.0 steps=1
	// level=DEBUG msg="migration started" model=User from_version=1.0.0 to_version=2.0.0 steps=1
	// level=ERROR msg="migration failed" model=User from_version=1.0.0 to_version=2.0.0 steps=1 error_type=migration_function error_message="migration failed for \"User\": 1.0.0 → 2.0.0: (error text withheld)"
}

// Levels and messages are options; a level the handler does not enable
// costs nothing.
func ExampleWithLevels() {
	m := newManager()
	m.AddHook(hooks.NewLogger(textLogger(slog.LevelInfo),
		hooks.WithLevels(slog.LevelDebug, slog.LevelDebug, slog.LevelWarn),
		hooks.WithMessages("", "", "record not migrated"),
	))
	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Alice Liddell"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"first_name": "Alice"}, "User", "1.0.0", "3.0.0")
	// Output:
	// level=WARN msg="record not migrated" model=User from_version=1.0.0 to_version=3.0.0 steps=0 error_type=model_not_found error_message="migration failed for \"User\": 1.0.0 → 3.0.0: model \"User\" version 3.0.0 not found"
}

// The ContextualHook of the hooks guide, without a hook per request: the
// request's attributes travel in the ctx.
func ExampleContextWithAttrs() {
	m := newManager()
	m.AddHook(hooks.NewLogger(textLogger(slog.LevelInfo)))

	migrateForRequest := func(ctx context.Context, data core.Data, userID, requestID string) {
		ctx = hooks.ContextWithAttrs(ctx, slog.String("user_id", userID), slog.String("request_id", requestID))
		_, _ = m.Migrate(ctx, data, "User", "1.0.0", "2.0.0")
	}
	migrateForRequest(context.Background(), core.Data{"name": "Alice Liddell"}, "u-1", "r-100")
	migrateForRequest(context.Background(), core.Data{"name": "Bob Dobbs"}, "u-2", "r-101")

	// Nested calls add to the attributes already there.
	ctx := hooks.ContextWithAttrs(context.Background(), slog.String("tenant", "acme"))
	ctx = hooks.ContextWithAttrs(ctx, slog.String("job", "backfill"))
	_, _ = m.Migrate(ctx, core.Data{"name": "Carol"}, "User", "1.0.0", "2.0.0")
	// Output:
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=2.0.0 steps=1 user_id=u-1 request_id=r-100
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=2.0.0 steps=1 user_id=u-2 request_id=r-101
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=2.0.0 steps=1 tenant=acme job=backfill
}

// The ValidationHook of the hooks guide: an error fails the migration.
func ExampleValidate() {
	errBadEmail := errors.New("invalid email format")
	m := newManager()
	m.AddHook(hooks.Validate(func(_ context.Context, e core.Event, migrated core.Record) error {
		if migrated.Len() == 0 {
			return errors.New("migration resulted in empty data")
		}
		if e.Model == "User" {
			if email, ok := migrated.Value("email").(string); ok && !strings.Contains(email, "@") {
				return fmt.Errorf("%w: %q", errBadEmail, email)
			}
		}
		return nil
	}))
	ctx := context.Background()
	out, err := m.Migrate(ctx, core.Data{"name": "Alice Liddell", "email": "alice@example.com"}, "User", "1.0.0", "2.0.0")
	fmt.Println(out["first_name"], err)
	_, err = m.Migrate(ctx, core.Data{"name": "Bob", "email": "bob"}, "User", "1.0.0", "2.0.0")
	fmt.Println(errors.Is(err, core.ErrValidation), errors.Is(err, errBadEmail))
	fmt.Println(err)
	// Output:
	// Alice <nil>
	// true true
	// migration failed for "User": 1.0.0 → 2.0.0: validation failed for "User" 2.0.0: rejected by *hooks.validator: invalid email format: "bob"
}

// The AlertingHook of the hooks guide: three failures within an hour
// alert, once per hour, without slowing a migration down.
func ExampleNewAlerting() {
	m := newManager()
	alerts := hooks.NewAlerting(hooks.Threshold(3, time.Hour),
		func(_ context.Context, a hooks.Alert) {
			fmt.Println("ALERT:", a) // in production: Slack, PagerDuty, ...
		},
		hooks.WithAlertCooldown(time.Hour),
	)
	defer alerts.Close()
	m.AddHook(alerts)

	for range 5 {
		_, _ = m.Migrate(context.Background(), core.Data{"invalid": "data"}, "User", "1.0.0", "2.0.0")
	}
	_ = alerts.Close() // delivers what is queued
	fmt.Println("dropped:", alerts.Dropped())
	// Output:
	// ALERT: 3 migration failures within 1h0m0s; last: User 1.0.0 → 2.0.0: migration_function: migration failed for "User": 1.0.0 → 2.0.0: (error text withheld)
	// dropped: 0
}

// The ConditionalHook of the hooks guide: a hook that runs only in
// development (here, when the environment says so).
func ExampleFilter() {
	environment := "development" // os.Getenv("ENVIRONMENT") in a real program
	dev := func(context.Context, core.Event) bool { return environment == "development" }

	m := newManager()
	m.AddHook(hooks.Filter(hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			fmt.Println("DEV: Migrating", e.Model)
			fmt.Println("DEV: Input data:", e.Data.Clone())
			return ctx
		},
		After: func(_ context.Context, _ core.Event, migrated core.Record) {
			fmt.Println("DEV: Output data:", migrated.Clone())
		},
	}, dev))
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alice Liddell"}, "User", "1.0.0", "2.0.0")
	environment = "production"
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Bob Dobbs"}, "User", "1.0.0", "2.0.0")
	// Output:
	// DEV: Migrating User
	// DEV: Input data: map[name:Alice Liddell]
	// DEV: Output data: map[first_name:Alice last_name:Liddell]
}

// When also picks migrations by model: here only User migrations are
// logged.
func ExampleFilter_model() {
	m := newManager()
	must(core.Register[UserV1](m, "Account", "1.0.0"))
	must(core.Register[UserV1](m, "Account", "2.0.0", core.WithBackwardCompatible()))
	onlyUsers := func(_ context.Context, e core.Event) bool { return e.Model == "User" }
	m.AddHook(hooks.Filter(hooks.NewLogger(textLogger(slog.LevelInfo)), onlyUsers))

	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alice"}, "Account", "1.0.0", "2.0.0")
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alice"}, "User", "1.0.0", "2.0.0")
	// Output:
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=2.0.0 steps=1
}
