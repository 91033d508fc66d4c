package metricshook_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/internal/cputime"
	"github.com/transmute-go/transmute/metricshook"
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
	ctx := context.Background()
	rec := core.Data{"name": "A", "a": 1.0}
	migrate := func(m *core.Manager) func() {
		return func() {
			if _, err := m.Migrate(ctx, rec, "U", "1.0.0", "2.0.0"); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Interleave(b, "none", migrate(none), migrate(with))
}

// BenchmarkRatioP3Engine is P3 with a hook that does nothing in place of
// metricshook: the engine's share of P3 (its clock reads and dispatch).
// No target of its own; make bench-check prints it beside P3.
func BenchmarkRatioP3Engine(b *testing.B) { p3Ratio(b, nopHook()[0]) }
