// Command transmute-bench is the transmute command with the models of the
// command's benchmark (scripts/bench-cli.sh): an 8-field record, version
// 1.0.0, whose two migrations each add a field (email in 2.0.0, age in
// 3.0.0), records carrying their version in "schema_version".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

// V1 is the 8-field record.
type V1 struct {
	Name    string  `json:"name"`
	City    string  `json:"city"`
	Country string  `json:"country"`
	ID      int64   `json:"id"`
	Visits  int64   `json:"visits"`
	Active  bool    `json:"active"`
	Score   float64 `json:"score"`
	Note    string  `json:"note"`
}

// V2 adds an email.
type V2 struct {
	V1
	Email string `json:"email"`
}

// V3 adds an age.
type V3 struct {
	V2
	Age int64 `json:"age"`
}

func newManager() (*core.Manager, error) {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	return m, errors.Join(
		core.Register[V1](m, "Record", "1.0.0"),
		core.Register[V2](m, "Record", "2.0.0"),
		core.Register[V3](m, "Record", "3.0.0"),
		m.RegisterMigration("Record", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["email"] = "unknown@example.com"
			return d, nil
		}),
		m.RegisterMigration("Record", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["age"] = 0
			return d, nil
		}),
	)
}

func main() {
	m, err := newManager()
	if err != nil {
		fmt.Fprintln(os.Stderr, "transmute-bench:", err)
		os.Exit(cli.ExitUsage)
	}
	cli.Main(m, cli.WithName("transmute-bench"))
}
