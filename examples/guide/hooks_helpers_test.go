package guide_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// say returns a hook that prints each call it gets, under its name. It is
// a pointer, so that the manager can find it again to remove it.
func say(name string) *hooks.Funcs {
	return &hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			fmt.Printf("%s: before %s %s → %s\n", name, e.Model, e.From, e.To)
			return ctx
		},
		After: func(_ context.Context, e core.Event, _ core.Record) {
			fmt.Printf("%s: after %s\n", name, e.Model)
		},
		Error: func(_ context.Context, e core.Event, err error) {
			fmt.Printf("%s: error %s (%s)\n", name, e.Model, core.ErrorType(err))
		},
	}
}

// newManagerWith is newManager with manager options.
func newManagerWith(opts ...core.Option) *core.Manager {
	m := core.NewManager(opts...)
	check(core.Register[UserV1](m, "User", "1.0.0"))
	check(core.Register[UserV2](m, "User", "2.0.0"))
	check(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	check(m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	return m
}

// stdoutLogger logs text to stdout from level up, without the time and the
// duration, so that the examples print the same at every run.
func stdoutLogger(level slog.Level) *slog.Logger {
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
