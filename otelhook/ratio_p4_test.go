package otelhook_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
	"github.com/transmute-go/transmute/otelhook/internal/cputime"
)

// The P4 workload (docs/benchmarks.md): V1{name} → V2{name, email} →
// V3{name, email, age}, two functions.

type p4V1 struct {
	Name string `json:"name"`
}

type p4V2 struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type p4V3 struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Age   int    `json:"age"`
}

func p4Manager(b *testing.B) *core.Manager {
	m := core.NewManager()
	add := func(key string, v any) core.MigrationFunc {
		return func(_ context.Context, d core.Data) (core.Data, error) {
			out := maps.Clone(d)
			out[key] = v
			return out, nil
		}
	}
	if err := errors.Join(
		core.Register[p4V1](m, "User", "1.0.0"),
		core.Register[p4V2](m, "User", "2.0.0"),
		core.Register[p4V3](m, "User", "3.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", add("email", "ada@example.com")),
		m.RegisterMigration("User", "2.0.0", "3.0.0", add("age", 36.0)),
	); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRatioP4 is P4: Migrate with otelhook under an unsampled parent
// (ParentBased(NeverSample)), with an SDK meter and a ManualReader, over
// the bare Migrate plus the same five measurements written by hand on the
// same meter (precomputed attribute sets, the same clock readings), in
// alternating blocks as every ratio benchmark of bench-check. Target:
// x-base ≤ 1.3.
func BenchmarkRatioP4(b *testing.B) {
	mp := sdkMeter(b)
	none, with := p4Manager(b), p4Manager(b)
	with.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(b)), otelhook.WithMeterProvider(mp)))
	measure := bareMeasurementsSteps(mp, [2]bool{false, false})
	ctx := unsampledParent()
	in := core.Data{"name": "Ada"}
	base := func() {
		if _, err := none.Migrate(context.Background(), in, "User", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
		measure()
	}
	hooked := func() {
		if _, err := with.Migrate(ctx, in, "User", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Interleave(b, "base", base, hooked)
}
