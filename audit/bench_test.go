package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
)

// benchFile returns a bufio.Writer on a new file in b's temp dir.
func benchFile(b *testing.B) *bufio.Writer {
	b.Helper()
	f, err := os.Create(filepath.Join(b.TempDir(), "audit.log"))
	check(b, err)
	b.Cleanup(func() { f.Close() })
	return bufio.NewWriterSize(f, 64<<10)
}

func benchEvent() (core.Event, core.Record) {
	in := core.Data{"id": 1, "name": "Ada Lovelace", "email": "ada@example.com"}
	out := core.Data{"id": 1, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		Data: core.NewRecord(in), Start: time.Now()}
	return e, core.NewRecord(out)
}

func reportLines(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkLine measures one audit line to a buffered file. "baseline"
// writes a fixed line of the same length to the same kind of
// bufio.Writer: the ratio trail/baseline is the cost of encoding.
func BenchmarkLine(b *testing.B) {
	e, rec := benchEvent()
	ctx := context.Background()

	b.Run("baseline", func(b *testing.B) {
		var sample bytes.Buffer
		audit.New(&sample).AfterMigrate(ctx, e, rec)
		line := sample.Bytes()
		bw := benchFile(b)
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bw.Write(line); err != nil {
				b.Fatal(err)
			}
		}
		check(b, bw.Flush())
		reportLines(b)
	})
	run := func(name string, opts ...audit.Option) {
		b.Run(name, func(b *testing.B) {
			tr := audit.New(benchFile(b), opts...)
			b.ReportAllocs()
			for b.Loop() {
				tr.AfterMigrate(ctx, e, rec)
			}
			check(b, tr.Close())
			reportLines(b)
			if tr.Dropped() != 0 {
				b.Fatalf("%d lines dropped", tr.Dropped())
			}
		})
	}
	run("trail")
	run("trail-trace-ids", audit.WithTraceIDs(func(context.Context) (string, string, bool) {
		return "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true
	}))
	run("trail-values", audit.WithValues(core.KeepValues))

	b.Run("trail-parallel", func(b *testing.B) {
		tr := audit.New(benchFile(b))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tr.AfterMigrate(ctx, e, rec)
			}
		})
		check(b, tr.Close())
		reportLines(b)
	})
	b.Run("async", func(b *testing.B) {
		tr := audit.New(benchFile(b), audit.WithAsync(), audit.WithQueueSize(1<<16))
		b.ReportAllocs()
		for b.Loop() {
			tr.AfterMigrate(ctx, e, rec)
		}
		check(b, tr.Close())
		reportLines(b)
		b.ReportMetric(float64(tr.Dropped())/float64(b.N), "dropped/op")
	})
	b.Run("open-unbuffered", func(b *testing.B) {
		tr, err := audit.Open(filepath.Join(b.TempDir(), "audit.log"))
		check(b, err)
		b.ReportAllocs()
		for b.Loop() {
			tr.AfterMigrate(ctx, e, rec)
		}
		check(b, tr.Close())
		reportLines(b)
	})
}

// BenchmarkMigrate measures Manager.Migrate with no hooks, then with a
// trail to a buffered file, synchronous and Async.
func BenchmarkMigrate(b *testing.B) {
	ctx := context.Background()
	in := core.Data{"id": 1, "name": "Ada Lovelace"}
	run := func(name string, hook func(b *testing.B) *audit.Trail) {
		b.Run(name, func(b *testing.B) {
			m := newManager(b)
			var tr *audit.Trail
			if hook != nil {
				tr = hook(b)
				m.AddHook(tr)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0"); err != nil {
					b.Fatal(err)
				}
			}
			if tr != nil {
				check(b, tr.Close())
			}
		})
	}
	run("no-hooks", nil)
	run("audit", func(b *testing.B) *audit.Trail { return audit.New(benchFile(b)) })
	run("audit-async", func(b *testing.B) *audit.Trail {
		return audit.New(benchFile(b), audit.WithAsync(), audit.WithQueueSize(1<<16))
	})
	run("audit-strict", func(b *testing.B) *audit.Trail { return audit.New(benchFile(b), audit.WithFailOnWriteError()) })
}

// slowWriter stands for a slow disk or a remote log: each Write sleeps.
type slowWriter struct{ d time.Duration }

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(s.d)
	return len(p), nil
}

// BenchmarkSlowWriter shows that with Async a migration does not wait
// for the writer: with a writer that takes 100µs per line, a synchronous
// trail makes every migration wait for it, an Async one does not (the
// lines the writer cannot keep up with are dropped and counted).
func BenchmarkSlowWriter(b *testing.B) {
	ctx := context.Background()
	in := core.Data{"id": 1, "name": "Ada Lovelace"}
	run := func(name string, opts ...audit.Option) {
		b.Run(name, func(b *testing.B) {
			m := newManager(b)
			var tr *audit.Trail
			if opts != nil {
				tr = audit.New(slowWriter{100 * time.Microsecond}, append(opts, audit.WithErrorHandler(func(error) {}))...)
				m.AddHook(tr)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0"); err != nil {
					b.Fatal(err)
				}
			}
			if tr != nil {
				check(b, tr.Close())
				b.ReportMetric(float64(tr.Dropped())/float64(b.N), "dropped/op")
			}
		})
	}
	run("no-hooks")
	run("sync", audit.Option(nil))
	run("async", audit.WithAsync(), audit.WithQueueSize(256))
}
