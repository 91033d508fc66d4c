// Command transmute-bench is the transmute command with the models of the
// command's benchmark (scripts/bench-cli.sh): the workload of
// internal/benchmodels with its in-place migrations (an 8-field record,
// version 1.0.0, whose two migrations each add a field: email in 2.0.0,
// age in 3.0.0), as model "Record", and the same with typed migrations
// on the Go structs as model "TypedRecord", records carrying their version
// in "schema_version".
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/benchmodels"
)

func main() {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	if err := errors.Join(benchmodels.RegisterInPlace(m, "Record"), benchmodels.RegisterTyped(m, "TypedRecord")); err != nil {
		fmt.Fprintln(os.Stderr, "transmute-bench:", err)
		os.Exit(cli.ExitUsage)
	}
	cli.Main(m, cli.WithName("transmute-bench"))
}
