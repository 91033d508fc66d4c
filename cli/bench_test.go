package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/cli/internal/benchmodels"
	"github.com/transmute-go/transmute/core"
)

// benchManager is the workload of scripts/bench-cli.sh.
func benchManager(b *testing.B) *core.Manager {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	if err := benchmodels.RegisterInPlace(m, "Record"); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkMigrateCommand runs migrate in process on 10,000 records per
// op (see scripts/bench-cli.sh for the figure against jq).
func BenchmarkMigrateCommand(b *testing.B) {
	var in bytes.Buffer
	const n = 10000
	for i := range n {
		fmt.Fprintln(&in, benchmodels.Line(i))
	}
	m := benchManager(b)
	for _, w := range []string{"1", "2"} {
		b.Run("workers="+w, func(b *testing.B) {
			for b.Loop() {
				code := cli.Run(context.Background(), m, []string{"migrate", "-m", "Record", "--to", "latest", "--workers", w},
					cli.WithIO(bytes.NewReader(in.Bytes()), io.Discard, io.Discard))
				if code != 0 {
					b.Fatal(code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
