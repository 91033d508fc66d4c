package pgmigrate_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
	"github.com/transmute-go/transmute/pgmigrate/internal/benchmodels"
)

// benchRows is the size of the backfill benchmark's table (100,000 by
// default; PGMIGRATE_BENCH_ROWS changes it).
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("PGMIGRATE_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchTable makes bench (the table backfilled) and bench_src (its
// original rows, to start each round again): rows of the benchmark record
// at 1.0.0, in a jsonb column.
func benchTable(b *testing.B, pool *pgxpool.Pool, n int) pgmigrate.Table {
	b.Helper()
	run(b, pool, "DROP TABLE IF EXISTS bench, bench_src")
	run(b, pool, "CREATE TABLE bench_src (id bigint PRIMARY KEY, doc jsonb NOT NULL)")
	ids, docs := make([]int64, n), make([]string, n)
	for i := range n {
		ids[i], docs[i] = int64(i), benchmodels.Line(i)
	}
	run(b, pool, "INSERT INTO bench_src SELECT * FROM unnest($1::bigint[], $2::text[]::jsonb[])", ids, docs)
	run(b, pool, "CREATE TABLE bench (LIKE bench_src INCLUDING ALL)")
	return pgmigrate.Table{Name: "bench", Key: "id", Column: "doc"}
}

// reset puts the original rows back, and vacuums, so that every round
// starts from the same table.
func reset(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	run(b, pool, "TRUNCATE bench")
	run(b, pool, "INSERT INTO bench SELECT * FROM bench_src")
	run(b, pool, "VACUUM ANALYZE bench")
}

// handWritten is the backfill as a careful user writes it with pgx: the
// same pages (keyset, FOR UPDATE SKIP LOCKED, one transaction each), the
// same engine batch, the same single UPDATE … FROM unnest per page.
func handWritten(ctx context.Context, pool *pgxpool.Pool, m *core.Manager, page int) (int, error) {
	const sel = `SELECT id, doc::text FROM bench WHERE (doc ->> 'schema_version') IS DISTINCT FROM '3.0.0' AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`
	const upd = `UPDATE bench AS t SET doc = u.d::jsonb FROM unnest($1::bigint[], $2::text[]) AS u(k, d) WHERE t.id = u.k`
	last, done := int64(-1), 0
	for {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return done, err
		}
		rows, _ := tx.Query(ctx, sel, last, page)
		var ids []int64
		var docs [][]byte
		for rows.Next() {
			var id int64
			var d []byte
			if err := rows.Scan(&id, &d); err != nil {
				return done, errors.Join(err, tx.Rollback(ctx))
			}
			ids, docs = append(ids, id), append(docs, d)
		}
		if err := rows.Err(); err != nil {
			return done, errors.Join(err, tx.Rollback(ctx))
		}
		if len(ids) == 0 {
			return done, tx.Rollback(ctx)
		}
		out, err := m.MigrateBatchJSON(ctx, docs, "B", "", "3.0.0", core.WithContinueOnError(), core.WithVersionFromRecord())
		if err != nil {
			return done, errors.Join(err, tx.Rollback(ctx))
		}
		if _, err := tx.Exec(ctx, upd, ids, out); err != nil {
			return done, errors.Join(err, tx.Rollback(ctx))
		}
		if err := tx.Commit(ctx); err != nil {
			return done, err
		}
		last, done = ids[len(ids)-1], done+len(ids)
	}
}

// BenchmarkRatioPG1 is PG1 (docs/benchmarks.md): Backfill of the
// benchmark table (100,000 rows of the benchmark record, typed steps,
// pages of 500, one worker) over the hand-written pgx loop doing the same
// pages, batch and writes, in alternating rounds (the table reset between
// them, untimed). x-hand is the median of the rounds' time ratios
// (target ≤ 1.25, a throughput ≥ 0.8 of the hand-written loop's); the
// rows/s of both, and of PostgreSQL making the same change itself in one
// UPDATE, are reported beside it. Run it with -benchtime 5x.
func BenchmarkRatioPG1(b *testing.B) {
	ctx := context.Background()
	pool := newPool(b)
	n := benchRows()
	tb := benchTable(b, pool, n)
	m := core.NewManager(core.WithVersionKey("schema_version"))
	if err := benchmodels.RegisterTyped(m, "B"); err != nil {
		b.Fatal(err)
	}
	timed := func(f func() (int, error)) time.Duration {
		b.StopTimer()
		reset(b, pool)
		b.StartTimer()
		start := time.Now()
		done, err := f()
		if err != nil || done != n {
			b.Fatalf("%d rows of %d: %v", done, n, err)
		}
		return time.Since(start)
	}
	var ratios []float64
	var hand, lib, sql time.Duration
	for b.Loop() {
		h := timed(func() (int, error) { return handWritten(ctx, pool, m, 500) })
		l := timed(func() (int, error) {
			s, err := pgmigrate.Backfill(ctx, pool, m, tb, "B", "3.0.0", pgmigrate.WithPageSize(500))
			return s.Migrated, err
		})
		s := timed(func() (int, error) {
			tag, err := pool.Exec(ctx, `UPDATE bench SET doc = doc || jsonb_build_object('schema_version', '3.0.0', 'email', 'unknown@example.com', 'age', 0) WHERE (doc ->> 'schema_version') IS DISTINCT FROM '3.0.0'`)
			return int(tag.RowsAffected()), err
		})
		hand, lib, sql = hand+h, lib+l, sql+s
		ratios = append(ratios, float64(l)/float64(h))
	}
	slices.Sort(ratios)
	rounds := float64(len(ratios))
	b.ReportMetric(ratios[len(ratios)/2], "x-hand")
	b.ReportMetric(float64(n)*rounds/lib.Seconds(), "rows/s")
	b.ReportMetric(float64(n)*rounds/hand.Seconds(), "hand-rows/s")
	b.ReportMetric(float64(n)*rounds/sql.Seconds(), "sql-rows/s")
}
