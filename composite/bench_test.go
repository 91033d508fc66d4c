package composite_test

// Speed is read as ratios within one run (the machine is noisy):
//
//	GOWORK=off go test -run '^$' -bench . -benchmem -count 6 . | awk -f ../scripts/benchmedians.awk

import (
	"github.com/transmute-go/transmute/composite/internal/cputime"

	"context"
	"fmt"
	"testing"

	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/composite/internal/dispatch"
	"github.com/transmute-go/transmute/core"
)

// nop is a hook that does nothing; a pointer so that each one is distinct.
type nop struct{ core.NopHook }

func nops(n int) []core.Hook {
	hooks := make([]core.Hook, n)
	for i := range hooks {
		hooks[i] = &nop{}
	}
	return hooks
}

// migrateOnce returns a function that runs one User migration with m.
func migrateOnce(b *testing.B, m *core.Manager) func() {
	ctx := context.Background()
	return func() {
		if _, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrate measures a migration with N no-op hooks added to the
// manager directly (direct) and with the same N hooks in one composite
// (composite); none is the baseline with no hooks at all. cpu-ns/op is
// the process CPU time per op, GC included.
func BenchmarkMigrate(b *testing.B) {
	run := func(b *testing.B, m *core.Manager) {
		f := migrateOnce(b, m)
		b.ReportAllocs()
		cpu := cputime.Process()
		for b.Loop() {
			f()
		}
		b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	}
	b.Run("none", func(b *testing.B) { run(b, exampleManager()) })
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("direct-%d", n), func(b *testing.B) {
			m := exampleManager()
			m.AddHook(nops(n)...)
			run(b, m)
		})
		b.Run(fmt.Sprintf("composite-%d", n), func(b *testing.B) {
			m := exampleManager()
			m.AddHook(composite.Of(nops(n)...))
			run(b, m)
		})
	}
}

// BenchmarkRatio runs a migration with N no-op hooks added to the manager
// directly and with the same N hooks in one composite, in alternating
// blocks of one benchmark, so that a noisy machine slows both alike. It
// reports composite / direct for wall time (x-direct) and for process CPU
// time (x-direct-cpu).
func BenchmarkRatio(b *testing.B) {
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprint("hooks=", n), func(b *testing.B) {
			direct, comp := exampleManager(), exampleManager()
			direct.AddHook(nops(n)...)
			comp.AddHook(composite.Of(nops(n)...))
			cputime.Interleave(b, "direct", migrateOnce(b, direct), migrateOnce(b, comp))
		})
	}
}

// BenchmarkDispatch measures the hook calls alone, without a migration:
// BeforeMigrate and AfterMigrate through the manager's dispatch of N no-op
// hooks (direct) and through one holding one composite of them.
func BenchmarkDispatch(b *testing.B) {
	ctx := context.Background()
	e := core.Event{Model: "User"}
	for _, n := range []int{4, 16} {
		for _, kind := range []string{"direct", "composite"} {
			hooks := nops(n)
			if kind == "composite" {
				hooks = []core.Hook{composite.Of(nops(n)...)}
			}
			set := dispatch.New[core.Hook, core.Event, core.Record, core.Step, core.Batch](hooks, dispatch.Options[core.Hook]{})
			b.Run(fmt.Sprintf("%s-%d", kind, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var inv dispatch.Invocation[core.Hook, core.Event, core.Record, core.Step, core.Batch]
					set.BeforeMigrate(ctx, &e, &inv)
					inv.AfterMigrate(&e, core.Record{})
				}
			})
		}
	}
}
