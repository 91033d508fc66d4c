package sampling_test

// Speed is read as ratios within one run (the machine is noisy):
//
//	GOWORK=off go test -run '^$' -bench . -benchmem -count 6 .

import (
	"github.com/transmute-go/transmute/sampling/internal/cputime"

	"context"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/sampling"
)

// nop is the hook behind the sampler in the benchmarks.
type nop struct{ core.NopHook }

func byNameKey(r core.Record) string { s, _ := r.Value("name").(string); return s }

// samplers are the cases of the benchmarks: a no-op hook alone (hook), and
// behind a sampler that rejects the migration by chance, by key or by rate
// (unsampled...) or forwards it (sampled).
func samplers() []struct {
	name string
	hook core.Hook
} {
	return []struct {
		name string
		hook core.Hook
	}{
		{"hook", &nop{}},
		{"unsampled", sampling.New(&nop{}, sampling.WithRatio(0))},
		{"unsampled-ratio", sampling.New(&nop{}, sampling.WithRatio(1e-9))},
		{"unsampled-bykey", sampling.New(&nop{}, sampling.WithRatio(1e-9), sampling.WithKey(byNameKey))},
		{"unsampled-persecond", sampling.New(&nop{}, sampling.WithPerSecond(1e-9))},
		{"sampled", sampling.New(&nop{})},
	}
}

func migrateOnce(b *testing.B, m *core.Manager) func() {
	ctx := context.Background()
	return func() {
		if _, err := m.Migrate(ctx, core.Data{"name": "Ada", "contact": "ada@example.com"}, "User", "1.0.0", "2.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrate measures a whole migration with no hook (none) and
// with each case of samplers. cpu-ns/op is the process CPU time per op,
// GC included.
func BenchmarkMigrate(b *testing.B) {
	cases := append([]struct {
		name string
		hook core.Hook
	}{{"none", nil}}, samplers()...)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			m := exampleManager()
			m.AddHook(bc.hook)
			f := migrateOnce(b, m)
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkRatio runs a migration with no hook and with each case of
// samplers in alternating blocks of one benchmark, so that a noisy
// machine slows both alike, and reports the case's time over no hook's,
// for wall time (x-none) and process CPU time (x-none-cpu).
func BenchmarkRatio(b *testing.B) {
	for _, bc := range samplers() {
		b.Run(bc.name, func(b *testing.B) {
			none, with := exampleManager(), exampleManager()
			with.AddHook(bc.hook)
			cputime.Interleave(b, "none", migrateOnce(b, none), migrateOnce(b, with))
		})
	}
}

// BenchmarkHook measures the hook calls of one migration alone, without
// the engine: BeforeMigrate then AfterMigrate, for each case of samplers.
func BenchmarkHook(b *testing.B) {
	for _, bc := range samplers() {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			e := core.Event{Model: "User", Data: core.NewRecord(core.Data{"name": "user-2"})}
			b.ReportAllocs()
			for b.Loop() {
				c := bc.hook.BeforeMigrate(ctx, e)
				bc.hook.AfterMigrate(c, e, e.Data)
			}
		})
	}
}
