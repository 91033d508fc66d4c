package guide_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

func Example_register() {
	m := core.NewManager()
	check(core.Register[UserV1](m, "User", "1.0.0"))
	check(core.Register[UserV2](m, "User", "2.0.0"))
	// 3.0.0 only adds a field with a default: no function needed.
	check(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))

	check(m.RegisterMigration("User", "1.0.0", "2.0.0",
		func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name is %T, not a string", d["name"])
			}
			first, last, _ := strings.Cut(name, " ")
			delete(d, "name")
			d["first_name"], d["last_name"] = first, last
			return d, nil
		}))

	path, err := m.Path("User", "1.0.0", "3.0.0")
	fmt.Println(path, err)
	// Output:
	// [1.0.0 2.0.0 3.0.0] <nil>
}

func Example_migrate() {
	m := newManager()
	ctx := context.Background()

	// A record as it was stored by version 1.0.0.
	old := core.Data{"name": "Ada Lovelace"}

	// Migrate returns the record as version 3.0.0, validated.
	out, err := m.Migrate(ctx, old, "User", "1.0.0", "3.0.0")
	fmt.Println(out, err)
	fmt.Println(old) // the input is never modified

	// MigrateAs decodes the result into the struct of the version.
	u, err := core.MigrateAs[UserV3](ctx, m, old, "User", "1.0.0", "3.0.0")
	fmt.Printf("%+v %v\n", u, err)
	// Output:
	// map[country:unknown first_name:Ada last_name:Lovelace] <nil>
	// map[name:Ada Lovelace]
	// {FirstName:Ada LastName:Lovelace Country:unknown} <nil>
}

func Example_firstHook() {
	m := newManager()

	// A structured log line per migration; time dropped for a stable output.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	m.AddHook(hooks.NewLogger(logger))

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	fmt.Println(err)
	// Output:
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=3.0.0 steps=2
	// <nil>
}
