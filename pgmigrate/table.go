package pgmigrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Table names a table of records: its name (in Schema, or on the
// search_path when Schema is empty), its key column (unique and ordered:
// the primary key) and its document column (json or jsonb). Names are
// identifiers as PostgreSQL stores them (case and quotes kept), quoted
// by pgx.Identifier.Sanitize, never formatted into SQL as they are.
type Table struct {
	Schema string
	Name   string
	Key    string
	Column string
}

// ident is the table's quoted name.
func (t Table) ident() string {
	if t.Schema == "" {
		return pgx.Identifier{t.Name}.Sanitize()
	}
	return pgx.Identifier{t.Schema, t.Name}.Sanitize()
}

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// shape is what the catalog says of a table's key and document columns.
type shape struct {
	table, key, col string // quoted
	keyType         string // format_type of the key column
	colType         string // json or jsonb
}

// describe reads the key's (if needKey) and the document column's types.
func describe(ctx context.Context, q Querier, t Table, needKey bool) (shape, error) {
	s := shape{table: t.ident(), key: quote(t.Key), col: quote(t.Column)}
	if t.Name == "" || (needKey && t.Key == "") || t.Column == "" {
		return s, errors.New("pgmigrate: the table needs a name, a key column and a document column")
	}
	cols := []string{t.Column}
	if needKey {
		cols = append(cols, t.Key)
	}
	rows, err := q.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), ty.typname
		FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
		WHERE a.attrelid = $1::regclass AND a.attname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped`,
		s.table, cols)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42P01" {
			return s, fmt.Errorf("pgmigrate: table %s does not exist", s.table)
		}
		return s, fmt.Errorf("pgmigrate: table %s: %w", s.table, err)
	}
	found := map[string][2]string{}
	for rows.Next() {
		var name, formatted, base string
		if err := rows.Scan(&name, &formatted, &base); err != nil {
			rows.Close()
			return s, err
		}
		found[name] = [2]string{formatted, base}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	for _, c := range cols {
		if _, ok := found[c]; !ok {
			return s, fmt.Errorf("pgmigrate: table %s has no column %s", s.table, quote(c))
		}
	}
	s.keyType = found[t.Key][0]
	s.colType = found[t.Column][1]
	if s.colType != "json" && s.colType != "jsonb" {
		return s, fmt.Errorf("%w: %s.%s is %s", ErrColumnType, s.table, s.col, found[t.Column][0])
	}
	return s, nil
}
