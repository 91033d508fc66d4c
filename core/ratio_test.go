package core_test

import (
	"context"
	"encoding/json"
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

// BenchmarkRatioT1 is T1 (docs/benchmarks.md): Convert[V1, V3] of the
// benchmodels workload with typed steps and no hooks, over the two typed
// functions called by hand, in alternating blocks. Target: x-direct ≤ 2.0.
func BenchmarkRatioT1(b *testing.B) {
	m := core.NewManager()
	mustOK(b, benchmodels.RegisterTyped(m, "T"))
	ctx := context.Background()
	in := benchmodels.Struct(7)
	var sink benchmodels.V3
	direct := func() {
		v2, _ := benchmodels.TypedStep1(ctx, in)
		v3, err := benchmodels.TypedStep2(ctx, v2)
		if err != nil {
			b.Fatal(err)
		}
		sink = v3
	}
	engine := func() {
		v3, err := core.Convert[benchmodels.V1, benchmodels.V3](ctx, m, "T", in)
		if err != nil {
			b.Fatal(err)
		}
		sink = v3
	}
	cputime.Interleave(b, "direct", direct, engine)
	_ = sink
}

// BenchmarkConvert is Convert[V1, V3] alone, for its allocations.
func BenchmarkConvert(b *testing.B) {
	m := core.NewManager()
	mustOK(b, benchmodels.RegisterTyped(m, "T"))
	ctx := context.Background()
	in := benchmodels.Struct(7)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := core.Convert[benchmodels.V1, benchmodels.V3](ctx, m, "T", in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRatioT2 is T2 (docs/benchmarks.md): MigrateJSON of a record of
// the benchmodels workload with typed steps, over json.Unmarshal of the
// same line into V1, the two typed functions and json.Marshal of V3 by
// hand, in alternating blocks. Target: x-byhand ≤ 1.2.
func BenchmarkRatioT2(b *testing.B) {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	mustOK(b, benchmodels.RegisterTyped(m, "T"))
	ctx := context.Background()
	line := []byte(benchmodels.Line(7))
	byHand := func() {
		var v1 benchmodels.V1
		if err := json.Unmarshal(line, &v1); err != nil {
			b.Fatal(err)
		}
		v2, _ := benchmodels.TypedStep1(ctx, v1)
		v3, _ := benchmodels.TypedStep2(ctx, v2)
		if _, err := json.Marshal(v3); err != nil {
			b.Fatal(err)
		}
	}
	engine := func() {
		if _, err := m.MigrateJSON(ctx, line, "T", "", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Interleave(b, "byhand", byHand, engine)
}

// BenchmarkMigrateJSON is MigrateJSON alone, typed and map steps, for its
// allocations.
func BenchmarkMigrateJSON(b *testing.B) {
	ctx := context.Background()
	line := []byte(benchmodels.Line(7))
	for name, register := range map[string]func(*core.Manager, string) error{
		"typed": benchmodels.RegisterTyped,
		"maps":  benchmodels.Register,
	} {
		b.Run(name, func(b *testing.B) {
			m := core.NewManager(core.WithVersionKey("schema_version"))
			mustOK(b, register(m, "T"))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.MigrateJSON(ctx, line, "T", "", "3.0.0"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
