package audit_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
)

const goroutines = 8

// runConcurrent runs goroutines × perG migrations of User 1.0.0 → 2.0.0
// through m; every 7th has a name that is not a string and fails. It
// returns the number of failures the callers saw.
func runConcurrent(t *testing.T, m *core.Manager, perG int) (failed int) {
	t.Helper()
	var wg sync.WaitGroup
	fails := make([]int, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			ctx := context.Background()
			for i := range perG {
				id := g*perG + i
				d := user(id)
				if id%7 == 0 {
					d["name"] = id
				}
				if _, err := m.Migrate(ctx, d, "User", "1.0.0", "2.0.0"); err != nil {
					fails[g]++
				}
			}
		})
	}
	wg.Wait()
	for _, f := range fails {
		failed += f
	}
	return failed
}

// checkTrail checks that every migration has exactly one whole line:
// every id appears once, with the right status and keys.
func checkTrail(t *testing.T, entries []audit.Entry, total, failed int) {
	t.Helper()
	if len(entries) != total {
		t.Fatalf("%d lines for %d migrations", len(entries), total)
	}
	seen := make([]int, total)
	var errorLines int
	for _, e := range entries {
		id := int(e.Values["id"].(float64))
		seen[id]++
		if e.Model != "User" || e.From.String() != "1.0.0" || e.To.String() != "2.0.0" {
			t.Fatalf("line of id %d: %+v", id, e)
		}
		wantErr := id%7 == 0
		switch {
		case wantErr && (e.Status != audit.StatusError || e.ErrorType != "migration_function" || len(e.DataKeys) != 2):
			t.Fatalf("id %d should be an error line: %+v", id, e)
		case !wantErr && (e.Status != audit.StatusSuccess || len(e.OriginalKeys) != 2 || len(e.MigratedKeys) != 3):
			t.Fatalf("id %d should be a success line: %+v", id, e)
		}
		redacted := "first_name"
		if wantErr {
			redacted = "name"
		}
		if e.Values[redacted] != "[REDACTED]" || len(e.Values) != len(e.MigratedKeys)+len(e.DataKeys) {
			t.Fatalf("id %d: values %v", id, e.Values)
		}
		if e.Status == audit.StatusError {
			errorLines++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("id %d has %d lines", id, n)
		}
	}
	if errorLines != failed {
		t.Fatalf("%d error lines, %d migrations failed", errorLines, failed)
	}
}

// keepID writes the id and redacts everything else.
func keepID(key string, v any) any {
	if key == "id" {
		return v
	}
	return "[REDACTED]"
}

func TestConcurrentMigrationsToFile(t *testing.T) {
	// 8 × 10k through Open, the main case; the others with 8 × 2.5k to
	// keep the test quick under -race.
	for _, tc := range []struct {
		name string
		perG int
		open func(t *testing.T, path string, opts ...audit.Option) *audit.Trail
	}{
		{"Open", 10_000, func(t *testing.T, path string, opts ...audit.Option) *audit.Trail {
			tr, err := audit.Open(path, opts...)
			check(t, err)
			return tr
		}},
		{"bufio", 2_500, func(t *testing.T, path string, opts ...audit.Option) *audit.Trail {
			f, err := os.Create(path)
			check(t, err)
			t.Cleanup(func() { f.Close() })
			return audit.New(bufio.NewWriter(f), opts...)
		}},
		{"Async", 2_500, func(t *testing.T, path string, opts ...audit.Option) *audit.Trail {
			tr, err := audit.Open(path, append(opts, audit.WithAsync(), audit.WithQueueSize(goroutines*2_500))...)
			check(t, err)
			return tr
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			var handled errs
			tr := tc.open(t, path, audit.WithValues(keepID), audit.WithErrorHandler(handled.handle))
			m := newManager(t)
			m.AddHook(tr)
			total := goroutines * tc.perG
			failed := runConcurrent(t, m, tc.perG)
			if want := (total + 6) / 7; failed != want {
				t.Fatalf("%d failures, want %d", failed, want)
			}
			check(t, tr.Close())
			_, entries := readFile(t, path)
			checkTrail(t, entries, total, failed)
			if tr.Written() != int64(total) || tr.Dropped() != 0 || len(handled.get()) != 0 {
				t.Fatalf("Written %d, Dropped %d, errors %v", tr.Written(), tr.Dropped(), handled.get())
			}
		})
	}
}

// With a small queue and a file, lines may be dropped, but never lost
// silently: the lines in the file are exactly the ones counted as
// written, each whole and unique, and written + dropped = migrations.
func TestConcurrentAsyncSmallQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	var handled errs
	tr, err := audit.Open(path, audit.WithValues(keepID), audit.WithAsync(), audit.WithQueueSize(8),
		audit.WithErrorHandler(handled.handle))
	check(t, err)
	m := newManager(t)
	m.AddHook(tr)
	const perG = 2_500
	runConcurrent(t, m, perG)
	check(t, tr.Close())
	_, entries := readFile(t, path)
	const total = goroutines * perG
	if got := int64(len(entries)); got != tr.Written() || tr.Written()+tr.Dropped() != total {
		t.Fatalf("%d lines, Written %d, Dropped %d, total %d", got, tr.Written(), tr.Dropped(), total)
	}
	if n := int64(len(handled.get())); n != tr.Dropped() {
		t.Fatalf("%d errors reported for %d drops", n, tr.Dropped())
	}
	seen := map[float64]bool{}
	for _, e := range entries {
		id := e.Values["id"].(float64)
		if seen[id] {
			t.Fatalf("id %v written twice", id)
		}
		seen[id] = true
	}
}
