package core_test

// Benchmarks for the targets of the core engine, read as ratios of two
// benchmarks of the same run (machines are noisy):
//
//	GOWORK=off go test -run '^$' -bench . -benchmem -count 5 ./core | awk -f core/testdata/ratios.awk
//
// On a shared machine, rounds that interleave the benchmarks drift less:
//
//	GOWORK=off go test -c -o /tmp/core.test ./core &&
//	for i in 1 2 3 4 5; do /tmp/core.test -test.run '^$' -test.bench . -test.benchmem; done |
//	awk -f core/testdata/ratios.awk
//
// Each benchmark also reports cpu-ns/op, the process CPU time per
// operation (GC included), which other processes disturb less than wall
// time.
//
//   - Migrate / Direct ≤ 1.5: Migrate with no hooks on an 8-field record
//     through a 2-step chain, against calling the same two functions on a
//     deep copy of the record;
//   - MigrateHooks/n: each no-op hook adds no allocation and ≤ 5% time;
//   - Batch/workers=1 / Batch/workers=2 ≥ 1.6 on 2 cores (100k records);
//     DirectBatch shows what the machine allows for the same work with no
//     engine at all.

import (
	"github.com/transmute-go/transmute/internal/cputime"

	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
)

type benchV1 struct {
	ID      int            `json:"id"`
	Name    string         `json:"name"`
	Email   string         `json:"email"`
	Age     int            `json:"age"`
	Active  bool           `json:"active"`
	Score   float64        `json:"score"`
	Tags    []string       `json:"tags"`
	Address map[string]any `json:"address"`
}

type benchV2 struct {
	ID       int            `json:"id"`
	FullName string         `json:"full_name"`
	Email    string         `json:"email"`
	Age      int            `json:"age"`
	Active   bool           `json:"active"`
	Score    float64        `json:"score"`
	Tags     []string       `json:"tags"`
	Address  map[string]any `json:"address"`
}

type benchV3 struct {
	ID       int            `json:"id"`
	FullName string         `json:"full_name"`
	Email    string         `json:"email"`
	Age      int            `json:"age"`
	Status   string         `json:"status"`
	Score    float64        `json:"score"`
	Tags     []string       `json:"tags"`
	Address  map[string]any `json:"address"`
}

// benchRecord is an 8-field record as encoding/json decodes it.
func benchRecord(i int) core.Data {
	return core.Data{
		"id":      float64(i),
		"name":    "Ada Lovelace",
		"email":   "ada@example.com",
		"age":     36.0,
		"active":  true,
		"score":   9.5,
		"tags":    []any{"math", "poetry"},
		"address": map[string]any{"city": "London", "zip": "W1"},
	}
}

// The two steps: a rename, and a field that changes meaning.
func benchStep1(_ context.Context, d core.Data) (core.Data, error) {
	d["full_name"] = d["name"]
	delete(d, "name")
	return d, nil
}

func benchStep2(_ context.Context, d core.Data) (core.Data, error) {
	if d["active"] == true {
		d["status"] = "active"
	} else {
		d["status"] = "inactive"
	}
	delete(d, "active")
	return d, nil
}

func benchManager(b *testing.B) *core.Manager {
	m := core.NewManager()
	mustOK(b, core.Register[benchV1](m, "User", "1.0.0"))
	mustOK(b, core.Register[benchV2](m, "User", "2.0.0"))
	mustOK(b, core.Register[benchV3](m, "User", "3.0.0"))
	mustOK(b, m.RegisterMigration("User", "1.0.0", "2.0.0", benchStep1))
	mustOK(b, m.RegisterMigration("User", "2.0.0", "3.0.0", benchStep2))
	return m
}

// BenchmarkDirect is the baseline: the two functions called directly on a
// deep copy of the record.
func BenchmarkDirect(b *testing.B) {
	ctx := context.Background()
	rec := benchRecord(1)
	b.ReportAllocs()
	stop := cputime.Timer(b)
	for b.Loop() {
		d, err := benchStep1(ctx, clone(b, rec))
		if err != nil {
			b.Fatal(err)
		}
		if _, err = benchStep2(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	stop()
}

// BenchmarkMigrate is the same work through the manager, validation of
// the result included.
func BenchmarkMigrate(b *testing.B) {
	benchMigrate(b, benchManager(b).Migrate)
}

// BenchmarkMigrateData is Migrate with no validation.
func BenchmarkMigrateData(b *testing.B) {
	benchMigrate(b, benchManager(b).MigrateData)
}

// benchMigrate runs migrate (Migrate or MigrateData of a benchManager) on
// the 8-field record, 1.0.0 → 3.0.0, b.N times.
func benchMigrate(b *testing.B, migrate func(context.Context, core.Data, string, string, string) (core.Data, error)) {
	ctx := context.Background()
	rec := benchRecord(1)
	b.ReportAllocs()
	stop := cputime.Timer(b)
	for b.Loop() {
		if _, err := migrate(ctx, rec, "User", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
	stop()
}

// nopHook is a hook that does nothing, as a pointer (the common case).
type nopHook struct{ core.NopHook }

// BenchmarkMigrateHooks is Migrate with n no-op hooks.
func BenchmarkMigrateHooks(b *testing.B) {
	for _, n := range []int{0, 1, 2, 4, 8} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := benchManager(b)
			for range n {
				m.AddHook(&nopHook{})
			}
			benchMigrate(b, m.Migrate)
		})
	}
}

// BenchmarkMigrateStepObservers is Migrate with n no-op step observers.
func BenchmarkMigrateStepObservers(b *testing.B) {
	for _, n := range []int{0, 1, 4} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := benchManager(b)
			for range n {
				m.AddHook(&nopStepHook{})
			}
			benchMigrate(b, m.Migrate)
		})
	}
}

type nopStepHook struct{ core.NopHook }

func (*nopStepHook) BeforeStep(ctx context.Context, _ core.Event, _ core.Step) context.Context {
	return ctx
}
func (*nopStepHook) AfterStep(context.Context, core.Event, core.Step, error) {}

const batchSize = 100_000

// BenchmarkBatch migrates 100k records with 1 and 2 workers (and as many
// as there are CPUs).
func BenchmarkBatch(b *testing.B) {
	m := benchManager(b)
	items := make([]core.Data, batchSize)
	for i := range items {
		items[i] = benchRecord(i)
	}
	ctx := context.Background()
	workers := []int{1, 2}
	if n := runtime.GOMAXPROCS(0); n > 2 {
		workers = append(workers, n)
	}
	for _, w := range workers {
		b.Run(fmt.Sprint("workers=", w), func(b *testing.B) {
			b.ReportAllocs()
			stop := cputime.Timer(b)
			for b.Loop() {
				if _, err := m.MigrateBatch(ctx, items, "User", "1.0.0", "3.0.0", core.WithWorkers(w)); err != nil {
					b.Fatal(err)
				}
			}
			stop()
		})
	}
}

// BenchmarkDirectBatch is the ceiling of BenchmarkBatch: the same work
// with no engine (a deep copy and the two functions per record, the
// results kept), split between 1 or 2 goroutines. How much faster 2 are
// than 1 on a machine is the most any batch can gain there.
func BenchmarkDirectBatch(b *testing.B) {
	items := make([]core.Data, batchSize)
	for i := range items {
		items[i] = benchRecord(i)
	}
	ctx := context.Background()
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", w), func(b *testing.B) {
			b.ReportAllocs()
			stop := cputime.Timer(b)
			for b.Loop() {
				out := make([]core.Data, len(items))
				var wg sync.WaitGroup
				for k := range w {
					wg.Go(func() {
						lo, hi := k*len(items)/w, (k+1)*len(items)/w
						for i := lo; i < hi; i++ {
							in, _ := core.Copy(items[i])
							d, _ := benchStep1(ctx, in)
							out[i], _ = benchStep2(ctx, d)
						}
					})
				}
				wg.Wait()
			}
			stop()
		})
	}
}

// BenchmarkStream migrates 100k records as a stream.
func BenchmarkStream(b *testing.B) {
	m := benchManager(b)
	ctx := context.Background()
	seq := func(yield func(core.Data) bool) {
		for i := range batchSize {
			if !yield(benchRecord(i)) {
				return
			}
		}
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", w), func(b *testing.B) {
			b.ReportAllocs()
			stop := cputime.Timer(b)
			for b.Loop() {
				for _, err := range m.MigrateStream(ctx, seq, "User", "1.0.0", "3.0.0", core.WithWorkers(w)) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			stop()
		})
	}
}

func BenchmarkParseVersion(b *testing.B) {
	b.ReportAllocs()
	stop := cputime.Timer(b)
	for b.Loop() {
		if _, err := core.ParseVersion("12.3.45"); err != nil {
			b.Fatal(err)
		}
	}
	stop()
}

// BenchmarkRegisterVersions registers a model of n versions with a
// migration between each pair of neighbours, and finds one path.
func BenchmarkRegisterVersions(b *testing.B) {
	for _, n := range []int{10, 100, 200} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			stop := cputime.Timer(b)
			for b.Loop() {
				m := core.NewManager()
				for i := 1; i <= n; i++ {
					mustOK(b, core.Register[benchV1](m, "M", fmt.Sprintf("%d.0.0", i)))
					if i > 1 {
						mustOK(b, m.RegisterMigration("M", fmt.Sprintf("%d.0.0", i-1), fmt.Sprintf("%d.0.0", i), benchStep1))
					}
				}
				if !m.HasPath("M", "1.0.0", fmt.Sprintf("%d.0.0", n)) {
					b.Fatal("no path")
				}
			}
			stop()
		})
	}
}
