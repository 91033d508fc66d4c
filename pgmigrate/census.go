package pgmigrate

import (
	"context"

	"github.com/transmute-go/transmute/core"
)

// Census counts the rows of t by the version their document holds in the
// manager's version key ([core.Census]'s counts: registered versions,
// other version texts, no version, documents that are not objects or are
// NULL, and the registered versions no row holds), with one GROUP BY in
// the database: no document leaves it. t.Key is not needed.
func Census(ctx context.Context, q Querier, m *core.Manager, t Table, model string) (core.ModelCensus, error) {
	if m.VersionKey() == "" {
		return core.ModelCensus{}, ErrNoVersionKey
	}
	if _, err := m.Versions(model); err != nil {
		return core.ModelCensus{}, err
	}
	sh, err := describe(ctx, q, t, false)
	if err != nil {
		return core.ModelCensus{}, err
	}
	// Each group is represented by a document holding only the version
	// key (null when absent), or by null for what is not an object.
	doc := sh.col + "::jsonb"
	rows, err := q.Query(ctx, "SELECT CASE WHEN jsonb_typeof("+doc+") = 'object' THEN jsonb_build_object($1::text, "+doc+
		" -> $1::text)::text ELSE 'null' END AS pgmigrate_version, count(*) FROM "+sh.table+" GROUP BY 1", m.VersionKey())
	if err != nil {
		return core.ModelCensus{}, err
	}
	defer rows.Close()
	c := core.NewCensus(m)
	for rows.Next() {
		var rep []byte
		var n int
		if err := rows.Scan(&rep, &n); err != nil {
			return core.ModelCensus{}, err
		}
		c.AddJSONCount(model, rep, n)
	}
	if err := rows.Err(); err != nil {
		return core.ModelCensus{}, err
	}
	return c.Result(model)[0], nil
}
