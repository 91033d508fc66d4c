package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

type bV1 struct {
	Name    string  `json:"name"`
	City    string  `json:"city"`
	Country string  `json:"country"`
	ID      int64   `json:"id"`
	Visits  int64   `json:"visits"`
	Active  bool    `json:"active"`
	Score   float64 `json:"score"`
	Note    string  `json:"note"`
}

type bV2 struct {
	bV1
	Email string `json:"email"`
}

type bV3 struct {
	bV2
	Age int64 `json:"age"`
}

// benchManager is the workload of scripts/bench-cli.sh.
func benchManager(b *testing.B) *core.Manager {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[bV1](m, "Record", "1.0.0"),
		core.Register[bV2](m, "Record", "2.0.0"),
		core.Register[bV3](m, "Record", "3.0.0"),
		m.RegisterMigration("Record", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["email"] = "unknown@example.com"
			return d, nil
		}),
		m.RegisterMigration("Record", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["age"] = 0
			return d, nil
		}),
	)
	if err != nil {
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
		fmt.Fprintf(&in, `{"schema_version":"1.0.0","name":"User %d","city":"Paris","country":"FR","id":%d,"visits":%d,"active":true,"score":%d.5,"note":"none"}`+"\n", i, i, i%1000, i%100)
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
