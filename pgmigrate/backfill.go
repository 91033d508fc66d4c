package pgmigrate

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
)

// Stats is what a backfill did.
type Stats struct {
	Migrated int // rows written at the target version (in a dry run: that would be)
	Failed   int // rows that failed: left as they are, and reported
	Skipped  int // rows whose version text is not the target's, which need no change
	Pages    int // pages (transactions) that held rows
	Elapsed  time.Duration
}

// Progress is what [WithProgress] is told after each page.
type Progress struct {
	Stats
	// Left estimates the rows left: those to do when the backfill started
	// (a count, made only when there is a WithProgress function), less
	// those it has done since; never below 0.
	Left int
}

// Reject is a row that failed: its key (as text), why (value-free, see
// [core.ErrorMessage]) and the document as it is.
type Reject struct {
	Key      string
	Err      error
	Document []byte
}

// Backfill upgrades every row of t whose version (the manager's version
// key inside the document) is not to (a version, or [core.Latest]), in
// place: page by page in key order (keyset pagination), each page one
// transaction that selects its rows FOR UPDATE SKIP LOCKED, migrates them
// as one engine batch ([core.Manager.MigrateBatchJSON], validated, under
// ctx with its hooks) and writes them back.
//
// A killed run loses at most its open transactions, which PostgreSQL
// rolls back; running it again continues, as rows at to are not selected.
// Any number of processes may run the same backfill at once: SKIP LOCKED
// splits the rows between them, and a row is migrated exactly once (its
// version is checked again under its lock). A row a transaction holds
// when the last pass reaches it is left to that transaction (another
// worker's, or the application's, which is never overwritten); rerun, or
// see what is left with [Census].
//
// A row that fails (a failed migration or validation, a document that is
// not an object, no version) is left as it is and reported with
// [WithRejectsTable] or [WithRejects], and counted in Stats.Failed; it is
// not tried again in the same run. A database error, or ctx's end, stops
// the backfill with the pages committed so far kept and the Stats so far.
func Backfill(ctx context.Context, pool *pgxpool.Pool, m *core.Manager, t Table, model, to string, opts ...Option) (Stats, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	b, err := newBackfill(ctx, pool, m, t, model, to, newConfig(opts))
	if err != nil {
		return Stats{}, err
	}
	return b.run(ctx)
}

// backfill is one run: its queries, the shared cursor and the counts.
type backfill struct {
	pool  *pgxpool.Pool
	m     *core.Manager
	model string
	to    core.Version
	cfg   config
	q     queries
	start time.Time
	left  int

	batchOpts []core.BatchOption // each page's: the backfill's own, then WithBatchOptions'

	mu       sync.Mutex // the cursor, the pass and the rows to leave out
	cursor   *string    // the last key selected; nil: the start of a pass
	passRows int        // rows selected in this pass
	excluded []string   // keys failed or skipped in this run
	done     bool

	rmu   sync.Mutex // the counts and the calls of the callbacks
	stats Stats
}

func newBackfill(ctx context.Context, pool *pgxpool.Pool, m *core.Manager, t Table, model, to string, cfg config) (*backfill, error) {
	if m.VersionKey() == "" {
		return nil, ErrNoVersionKey
	}
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return nil, err
	}
	if _, err := m.Schema(model, tv.String()); err != nil {
		return nil, err
	}
	sh, err := describe(ctx, pool, t, true)
	if err != nil {
		return nil, err
	}
	b := &backfill{pool: pool, m: m, model: model, to: tv, cfg: cfg, start: time.Now(), excluded: []string{}} // not nil: pgx sends a nil slice as NULL
	b.q = newQueries(sh, cfg)
	b.batchOpts = append([]core.BatchOption{core.WithContinueOnError(), core.WithVersionFromRecord()}, cfg.batchOpts...)
	if cfg.rejects != "" && !cfg.dryRun {
		if err := createRejects(ctx, pool, b.q.rejectsTable); err != nil {
			return nil, err
		}
	}
	if cfg.progress != nil { // the estimate of Progress.Left: a scan of the table
		err = pool.QueryRow(ctx, b.q.count, b.args()...).Scan(&b.left)
	}
	return b, err
}

// args are the where condition's arguments, then the version key and the
// target, then more.
func (b *backfill) args(more ...any) []any {
	a := append([]any{}, b.cfg.whereArgs...)
	return append(append(a, b.m.VersionKey(), b.to.String()), more...)
}

// run runs the workers until no row is left to select.
func (b *backfill) run(ctx context.Context) (Stats, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		first    error
		panicked any
	)
	for range b.cfg.workers {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil { // from a callback: raised again below
					once.Do(func() { panicked = r })
					cancel(errors.New("pgmigrate: a callback panicked"))
				}
			}()
			for {
				more, err := b.page(ctx)
				if err != nil {
					once.Do(func() { first = err })
					cancel(err)
					return
				}
				if !more {
					return
				}
			}
		})
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	b.rmu.Lock()
	defer b.rmu.Unlock()
	b.stats.Elapsed = time.Since(b.start)
	return b.stats, first
}

// page runs one page: select, migrate, write, commit. It returns whether
// there may be more.
func (b *backfill) page(ctx context.Context) (bool, error) {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit, a no-op
	keys, docs, more, err := b.next(ctx, tx)
	if err != nil || len(keys) == 0 {
		return more, err
	}
	p, err := b.migrate(ctx, keys, docs)
	if err != nil {
		return false, err
	}
	if b.cfg.dryRun {
		b.report(p)
		return true, nil
	}
	if err := b.write(ctx, tx, p); err != nil {
		return false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return false, err
	}
	b.report(p)
	return true, nil
}

// next selects the next page of rows, after the shared cursor; at the end
// of a pass that selected rows it starts another (rows that were locked
// by others may be left), and at the end of one that selected none the
// backfill is done.
func (b *backfill) next(ctx context.Context, tx pgx.Tx) ([]string, [][]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.done {
		sql, args := b.q.first, b.args(b.excluded, b.cfg.pageSize)
		if b.cursor != nil {
			sql, args = b.q.next, append(args, *b.cursor)
		}
		keys, docs, err := selectPage(ctx, tx, sql, args)
		if err != nil {
			return nil, nil, false, err
		}
		if len(keys) > 0 {
			b.cursor = &keys[len(keys)-1]
			b.passRows += len(keys)
			return keys, docs, true, nil
		}
		if b.passRows == 0 || b.cfg.dryRun {
			b.done = true
			break
		}
		b.cursor, b.passRows = nil, 0
	}
	return nil, nil, false, nil
}

func selectPage(ctx context.Context, tx pgx.Tx, sql string, args []any) ([]string, [][]byte, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var keys []string
	var docs [][]byte
	for rows.Next() {
		var k string
		var d []byte
		if err := rows.Scan(&k, &d); err != nil {
			return nil, nil, err
		}
		keys, docs = append(keys, k), append(docs, d)
	}
	return keys, docs, rows.Err()
}

// pageResult is a page migrated: the rows to write, the rejects, and the
// rows skipped.
type pageResult struct {
	keys, docs [][]byte
	rejects    []Reject
	skipped    int
}

// migrate migrates a page as one batch and sorts its rows. The keys of
// rows that failed or need no change are left out of the rest of the run
// before the page commits (until then their locks keep them out).
func (b *backfill) migrate(ctx context.Context, keys []string, docs [][]byte) (pageResult, error) {
	out, err := b.m.MigrateBatchJSON(ctx, docs, b.model, "", b.to.String(), b.batchOpts...)
	if cerr := context.Cause(ctx); cerr != nil {
		return pageResult{}, cerr
	}
	failed := map[int]error{}
	var be *core.BatchError
	switch {
	case err == nil:
	case errors.As(err, &be):
		for _, it := range be.Items {
			failed[it.Index] = it.Err
		}
	default:
		return pageResult{}, err
	}
	var p pageResult
	var leave []string
	for i, k := range keys {
		switch ferr, bad := failed[i]; {
		case bad:
			p.rejects = append(p.rejects, Reject{Key: k, Err: ferr, Document: docs[i]})
			leave = append(leave, k)
		case bytes.Equal(out[i], docs[i]):
			p.skipped++
			leave = append(leave, k)
		default:
			p.keys, p.docs = append(p.keys, []byte(k)), append(p.docs, out[i])
		}
	}
	if len(leave) > 0 {
		b.mu.Lock()
		b.excluded = append(b.excluded, leave...)
		b.mu.Unlock()
	}
	return p, nil
}

// write writes a page's rows and its rejects in its transaction.
func (b *backfill) write(ctx context.Context, tx pgx.Tx, p pageResult) error {
	if len(p.keys) > 0 {
		if _, err := tx.Exec(ctx, b.q.update, p.keys, p.docs); err != nil {
			return err
		}
	}
	if len(p.rejects) == 0 || b.q.reject == "" {
		return nil
	}
	cols := make([][]string, 5)
	for _, r := range p.rejects {
		cols[0] = append(cols[0], r.Key)
		cols[1] = append(cols[1], b.model)
		cols[2] = append(cols[2], core.ErrorMessage(r.Err, nil))
		cols[3] = append(cols[3], core.ErrorType(r.Err))
		cols[4] = append(cols[4], string(r.Document))
	}
	_, err := tx.Exec(ctx, b.q.reject, cols[0], cols[1], cols[2], cols[3], cols[4])
	return err
}

// report counts a committed page and tells the callbacks, one page at a
// time.
func (b *backfill) report(p pageResult) {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	b.stats.Migrated += len(p.keys)
	b.stats.Failed += len(p.rejects)
	b.stats.Skipped += p.skipped
	b.stats.Pages++
	for _, r := range p.rejects {
		if b.cfg.onReject != nil {
			b.cfg.onReject(r)
		}
	}
	if b.cfg.progress != nil {
		s := b.stats
		s.Elapsed = time.Since(b.start)
		b.cfg.progress(Progress{Stats: s, Left: max(b.left-s.Migrated-s.Failed-s.Skipped, 0)})
	}
}

// queries are a backfill's SQL texts, built once from quoted identifiers.
type queries struct {
	count, first, next, update string
	reject, rejectsTable       string
}

func newQueries(sh shape, cfg config) queries {
	n := len(cfg.whereArgs)
	arg := func(i int) string { return "$" + strconv.Itoa(n+i) }
	// $n+1 the version key, $n+2 the target, $n+3 the keys left out, $n+4
	// the page size, $n+5 the cursor.
	where := "(" + sh.col + " ->> " + arg(1) + ") IS DISTINCT FROM " + arg(2)
	if cfg.where != "" {
		where += " AND (" + cfg.where + ")"
	}
	// The outputs are renamed: ORDER BY a name takes an output column
	// before a table's, and the key as text sorts as text.
	sel := "SELECT " + sh.key + "::text AS pgmigrate_key, " + sh.col + "::text AS pgmigrate_doc FROM " + sh.table + " WHERE " + where +
		" AND " + sh.key + " <> ALL(" + arg(3) + "::text[]::" + sh.keyType + "[])"
	tail := " ORDER BY " + sh.key + " LIMIT " + arg(4)
	if !cfg.dryRun {
		tail += " FOR UPDATE SKIP LOCKED"
	}
	q := queries{
		count:  "SELECT count(*) FROM " + sh.table + " WHERE " + where,
		first:  sel + tail,
		next:   sel + " AND " + sh.key + " > " + arg(5) + "::text::" + sh.keyType + tail,
		update: "UPDATE " + sh.table + " AS t SET " + sh.col + " = u.d::" + sh.colType + " FROM unnest($1::text[], $2::text[]) AS u(k, d) WHERE t." + sh.key + " = u.k::" + sh.keyType,
	}
	if cfg.rejects != "" {
		q.rejectsTable = quote(cfg.rejects)
		q.reject = "INSERT INTO " + q.rejectsTable + " (key, model, error, error_type, document) " +
			"SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) " +
			"ON CONFLICT (key) DO UPDATE SET model = EXCLUDED.model, error = EXCLUDED.error, " +
			"error_type = EXCLUDED.error_type, document = EXCLUDED.document, rejected_at = now()"
	}
	return q
}

// createRejects creates the rejects table if it is absent. Several
// processes may race to create it: one wins, and the others find it.
func createRejects(ctx context.Context, pool *pgxpool.Pool, table string) error {
	_, err := pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+table+` (
		key text PRIMARY KEY,
		model text NOT NULL,
		error text NOT NULL,
		error_type text NOT NULL,
		document text,
		rejected_at timestamptz NOT NULL DEFAULT now())`)
	if err == nil {
		return nil
	}
	var exists bool
	if qerr := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); qerr == nil && exists {
		return nil
	}
	return err
}
