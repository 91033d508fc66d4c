package metricshook_test

import (
	"context"
	"errors"
	"maps"
	"math/bits"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/metricshook"
	"github.com/transmute-go/transmute/metricshook/internal/benchmodels"
	"github.com/transmute-go/transmute/metricshook/internal/cputime"
)

// The P3 workload (docs/benchmarks.md): V1{name, a} → V2 adds email, one
// function, a small record.

type p3V1 struct {
	Name string `json:"name"`
	A    int    `json:"a"`
}

type p3V2 struct {
	Name  string `json:"name"`
	A     int    `json:"a"`
	Email string `json:"email"`
}

func p3Manager(b *testing.B) *core.Manager {
	m := core.NewManager()
	err := errors.Join(
		core.Register[p3V1](m, "U", "1.0.0"),
		core.Register[p3V2](m, "U", "2.0.0"),
		m.RegisterMigration("U", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			out := maps.Clone(d)
			out["email"] = "a@example.com"
			return out, nil
		}),
	)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRatioP3 is P3: Migrate with metricshook over Migrate with no
// hooks, in alternating blocks. Target: x-none ≤ 1.2, no allocation added.
func BenchmarkRatioP3(b *testing.B) { p3Ratio(b, metricshook.New()) }

// p3Ratio runs the P3 workload with no hooks and with h, alternating.
func p3Ratio(b *testing.B, h core.Hook) {
	none, with := p3Manager(b), p3Manager(b)
	with.AddHook(h)
	cputime.Interleave(b, "none", p3Migrate(b, none), p3Migrate(b, with))
}

// BenchmarkRatioP3Engine is P3 with a hook that does nothing in place of
// metricshook: the engine's share of P3 (its clock reads and dispatch).
// No target of its own; make bench-check prints it beside P3.
func BenchmarkRatioP3Engine(b *testing.B) { p3Ratio(b, nopHook()[0]) }

// BenchmarkRatioP3ByHand is the floor of P3 on the machine: the same
// migration timed and counted by hand, as little as any hook could do (two
// clock reads, a start count, a histogram bucket and a sum, with no lookup,
// no dispatch and no panic safety), over Migrate with no hooks. P3 cannot
// go below it. No target of its own; make bench-check prints it beside P3.
func BenchmarkRatioP3ByHand(b *testing.B) {
	m := p3Manager(b)
	cputime.Interleave(b, "none", p3Migrate(b, m), p3ByHand(b, m))
}

// BenchmarkRatioP3OverByHand is Migrate with metricshook over the same
// migration timed and counted by hand (BenchmarkRatioP3ByHand's): what
// the hook and the engine cost beyond the least a hook must do.
func BenchmarkRatioP3OverByHand(b *testing.B) {
	m, with := p3Manager(b), p3Manager(b)
	with.AddHook(metricshook.New())
	cputime.Interleave(b, "byhand", p3ByHand(b, m), p3Migrate(b, with))
}

// p3Migrate returns a function that migrates P3's record with m.
func p3Migrate(b *testing.B, m *core.Manager) func() {
	ctx := context.Background()
	rec := core.Data{"name": "A", "a": 1.0}
	return func() {
		if _, err := m.Migrate(ctx, rec, "U", "1.0.0", "2.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

// p3ByHand returns a function that migrates P3's record with m (no hooks)
// and times and counts it by hand.
func p3ByHand(b *testing.B, m *core.Manager) func() {
	plain := p3Migrate(b, m)
	var started, sum atomic.Int64
	var hist [64]atomic.Uint64
	return func() {
		start := time.Now()
		started.Add(1)
		plain()
		d := time.Since(start)
		hist[bits.Len64(uint64(d))].Add(1)
		sum.Add(int64(d))
	}
}

// BenchmarkRatioT3 is T3 (docs/benchmarks.md): MigrateJSON of a line of the
// benchmodels workload with metricshook, typed steps over map steps, in
// alternating blocks. No target: the typed path must be the faster one
// (a ratio below 1).
func BenchmarkRatioT3(b *testing.B) {
	typed := core.NewManager(core.WithVersionKey("schema_version"))
	mapped := core.NewManager(core.WithVersionKey("schema_version"))
	if err := errors.Join(benchmodels.RegisterTyped(typed, "T"), benchmodels.Register(mapped, "T")); err != nil {
		b.Fatal(err)
	}
	typed.AddHook(metricshook.New())
	mapped.AddHook(metricshook.New())
	ctx := context.Background()
	line := []byte(benchmodels.Line(7))
	run := func(m *core.Manager) func() {
		return func() {
			if _, err := m.MigrateJSON(ctx, line, "T", "", "3.0.0"); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Interleave(b, "maps", run(mapped), run(typed))
}
