package pgmigrate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/transmute-go/transmute/core"
)

// Querier is what *pgxpool.Pool, *pgx.Conn and pgx.Tx have in common.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Get runs a query that returns one row whose first column is a document
// of model (json, jsonb or text), and returns it migrated to the model's
// latest version as a T (the Go struct registered for it): the version
// comes from the record's version key, and the migration runs under ctx,
// so its spans are children of the caller's. No row is an error matching
// pgx.ErrNoRows, more than one pgx.ErrTooManyRows; a row that fails to
// decode or migrate is a *[RowError]. A [ReadOption] among args configures
// the call.
func Get[T any](ctx context.Context, q Querier, m *core.Manager, model, sql string, args ...any) (T, error) {
	var zero T
	raws, cfg, err := query(ctx, q, sql, args, 2)
	if err != nil {
		return zero, err
	}
	switch len(raws) {
	case 0:
		return zero, fmt.Errorf("pgmigrate: %w", pgx.ErrNoRows)
	case 1:
		return readRow[T](ctx, q, m, model, cfg, raws[0])
	}
	return zero, fmt.Errorf("pgmigrate: %w", pgx.ErrTooManyRows)
}

// List is [Get] for any number of rows: every row migrated to the latest
// version as a T, in the query's order. The first row that fails stops
// it with a *[RowError].
func List[T any](ctx context.Context, q Querier, m *core.Manager, model, sql string, args ...any) ([]T, error) {
	raws, cfg, err := query(ctx, q, sql, args, -1)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(raws))
	for i, r := range raws {
		if out[i], err = readRow[T](ctx, q, m, model, cfg, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// raw is a row as read: its position, its document and, for a write
// back, its key and the document column's name.
type raw struct {
	row    int
	doc    []byte
	key    any
	column string
}

// query runs sql and reads at most limit rows (-1: all) before anything is
// migrated, so that a write back may use the same connection.
func query(ctx context.Context, q Querier, sql string, args []any, limit int) ([]raw, readConfig, error) {
	var cfg readConfig
	pass := args[:0:0]
	for _, a := range args {
		switch o := a.(type) {
		case ReadOption:
			if o != nil {
				o.applyRead(&cfg)
			}
		default:
			pass = append(pass, a)
		}
	}
	rows, err := q.Query(ctx, sql, pass...)
	if err != nil {
		return nil, cfg, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	want := 1
	if cfg.writeBack != nil {
		want = 2
	}
	if len(fields) < want {
		return nil, cfg, fmt.Errorf("pgmigrate: the query returns %d columns; WithWriteBack needs the document and the key", len(fields))
	}
	var raws []raw
	for rows.Next() && (limit < 0 || len(raws) < limit) {
		r := raw{row: len(raws), column: fields[0].Name}
		dest := []any{&r.doc, &r.key}[:want]
		if err := rows.Scan(append(dest, skip(len(fields)-want)...)...); err != nil {
			return nil, cfg, &RowError{Row: r.row, Err: err}
		}
		raws = append(raws, r)
	}
	rows.Close()
	return raws, cfg, rows.Err()
}

// skip is n scan targets that keep nothing.
func skip(n int) []any {
	s := make([]any, n)
	for i := range s {
		s[i] = new(any)
	}
	return s
}

// readRow decodes and migrates one row, writing it back when asked.
func readRow[T any](ctx context.Context, q Querier, m *core.Manager, model string, cfg readConfig, r raw) (T, error) {
	var zero T
	if r.doc == nil {
		return zero, &RowError{Row: r.row, Err: &core.DecodeError{Reason: "the document is NULL"}}
	}
	d, err := core.DecodeJSON(r.doc)
	if err == nil && cfg.writeBack != nil {
		d, err = repair(ctx, q, m, model, *cfg.writeBack, r, d)
	}
	var t T
	if err == nil {
		// The version read from the record, as MigrateTo reads it (a
		// record without one fails there); a repaired one is at the
		// latest, validated with no migration.
		t, err = core.MigrateAs[T](ctx, m, d, model, "", core.Latest)
	}
	if err != nil {
		return zero, &RowError{Row: r.row, Err: err}
	}
	return t, nil
}

// repair migrates a record read at an old version to the latest and
// writes it back; a record at the latest, or without a readable version,
// is returned as it is.
func repair(ctx context.Context, q Querier, m *core.Manager, model string, t Table, r raw, d core.Data) (core.Data, error) {
	latest, err := m.ResolveVersion(model, core.Latest)
	if err != nil {
		return nil, err
	}
	if v, err := m.VersionOf(d); err != nil || v == latest {
		return d, nil
	}
	if d, err = m.MigrateTo(ctx, d, model, latest.String()); err != nil {
		return nil, err
	}
	return d, writeBack(ctx, q, t, r, d)
}

// writeBack writes d over the row read as r, if the row still holds what
// was read.
func writeBack(ctx context.Context, q Querier, t Table, r raw, d core.Data) error {
	b, err := encode(d)
	if err != nil {
		return err
	}
	col := quote(r.column)
	sql := "UPDATE " + t.ident() + " SET " + col + " = $1 WHERE " + quote(t.Key) + " = $2 AND " + col + "::text = $3"
	_, err = q.Exec(ctx, sql, string(b), r.key, string(r.doc))
	return err
}
