// Command transmute is the transmute command built with the examples'
// models (User 1.0.0 → 3.0.0 with a nested Address, records carrying their
// version in "schema_version"): what a team writes to get the command for
// its own models. docs/cli.md uses it.
//
//	go run ./cmd/transmute models
//	go run ./cmd/transmute migrate -m User --to latest users.jsonl
package main

import (
	"fmt"
	"os"

	"go.opentelemetry.io/otel"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
)

func main() {
	m, err := newManager()
	if err != nil {
		fmt.Fprintln(os.Stderr, "transmute:", err)
		os.Exit(cli.ExitUsage)
	}
	cli.Main(m)
}

// newManager is the examples' models, with records carrying their version
// in "schema_version". The migration function's spans go through the
// global TracerProvider, which the command sets when it exports traces.
func newManager() (*core.Manager, error) {
	return usermodels.NewManager(otel.Tracer("github.com/transmute-go/transmute/examples/cmd/transmute"),
		core.WithVersionKey("schema_version"))
}
