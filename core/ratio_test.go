package core_test

import (
	"context"
	"maps"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/internal/benchmodels"
	"github.com/transmute-go/transmute/internal/cputime"
)

// BenchmarkRatioP1 is P1 (docs/benchmarks.md): Migrate with no hooks
// (validated, the input copied on entry) of the benchmodels workload,
// over the same two functions called directly on maps.Clone of the
// record, in alternating blocks. Target: x-direct ≤ 1.5.
func BenchmarkRatioP1(b *testing.B) {
	m := core.NewManager()
	mustOK(b, benchmodels.Register(m, "P"))
	ctx := context.Background()
	rec := benchmodels.Record(7)
	direct := func() {
		d, _ := benchmodels.Step1(ctx, maps.Clone(rec))
		if _, err := benchmodels.Step2(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	engine := func() {
		if _, err := m.Migrate(ctx, rec, "P", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Interleave(b, "direct", direct, engine)
}
