package sampling_test

// Speed is read as ratios within one run (the machine is noisy):
//
//	GOWORK=off go test -run '^$' -bench . -benchmem -count 6 .

import (
	"github.com/transmute-go/transmute/internal/cputime"

	"context"
	"testing"
	"time"

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
			interleave(b, "none", migrateOnce(b, none), migrateOnce(b, with))
		})
	}
}

// interleave runs base and f in alternating blocks and reports f's time
// over base's, for wall time (x-<name>) and process CPU time
// (x-<name>-cpu), with f's time per op in ns/op.
func interleave(b *testing.B, name string, base, f func()) {
	b.Helper()
	run := func(g func(), n int) (wall, cpu time.Duration) {
		c, start := cputime.Process(), time.Now()
		for range n {
			g()
		}
		return time.Since(start), cputime.Process() - c
	}
	const block = 256
	var wBase, cBase, wF, cF time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		w, c := run(base, n)
		wBase, cBase = wBase+w, cBase+c
		w, c = run(f, n)
		wF, cF = wF+w, cF+c
	}
	b.StopTimer()
	b.ReportMetric(float64(wF)/float64(b.N), "ns/op")
	b.ReportMetric(float64(wF)/float64(wBase), "x-"+name)
	if cBase > 0 {
		b.ReportMetric(float64(cF)/float64(cBase), "x-"+name+"-cpu")
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
