package pgmigrate

import "github.com/transmute-go/transmute/core"

// Option configures [Backfill]. Options are created by the With functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options set.
type config struct {
	pageSize  int
	workers   int
	progress  func(Progress)
	where     string
	whereArgs []any
	dryRun    bool
	rejects   string       // the rejects table, "" for none
	onReject  func(Reject) // the rejects callback
	batchOpts []core.BatchOption
}

const defaultPageSize = 500

func newConfig(opts []Option) config {
	c := config{pageSize: defaultPageSize, workers: 1}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithPageSize sets how many rows one page (one transaction) holds
// (default 500); n < 1 keeps the default.
func WithPageSize(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.pageSize = n
		}
	})
}

// WithWorkers sets how many pages run at once in this process, each on a
// connection of the pool (default 1); n < 1 keeps the default. Other
// processes may run the same backfill at the same time whatever n is.
func WithWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.workers = n
		}
	})
}

// WithProgress calls fn after each page, one call at a time, with the
// rows done so far and an estimate of the rows left. A nil fn is ignored.
func WithProgress(fn func(Progress)) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.progress = fn
		}
	})
}

// WithWhere restricts the backfill to the rows for which the SQL condition
// holds, with its own placeholders $1, $2, … for args: WithWhere("tenant
// = $1", 7). It is put into the backfill's queries in parentheses, as it
// is: it must come from the program, never from user input. An empty
// condition keeps every row.
func WithWhere(sql string, args ...any) Option {
	return optionFunc(func(c *config) { c.where, c.whereArgs = sql, args })
}

// WithDryRun migrates and validates every row the backfill would, and
// reports what it would do, but writes nothing: no row, no rejects table
// (the WithRejects function is called). It takes no row locks and runs
// one pass over the table.
func WithDryRun() Option {
	return optionFunc(func(c *config) { c.dryRun = true })
}

// WithRejectsTable records each row that fails in the table name (one
// identifier, quoted by pgmigrate; created if absent) in the same
// transaction as its page: its key (as text, the primary key: a row
// rejected again replaces its entry), the model, the error's value-free
// text and type, the original document as text, and the time. An empty
// name records nothing.
func WithRejectsTable(name string) Option {
	return optionFunc(func(c *config) { c.rejects = name })
}

// WithRejects calls fn for each row that fails, once its page has
// committed (at once in a dry run), one call at a time. A nil fn is
// ignored.
func WithRejects(fn func(Reject)) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.onReject = fn
		}
	})
}

// WithBatchOptions adds options to the engine batch each page is migrated
// as ([core.Manager.MigrateBatchJSON]): batch hooks, a JSON codec. The
// backfill's own (continue on error, the version from each record) are
// always set.
func WithBatchOptions(opts ...core.BatchOption) Option {
	return optionFunc(func(c *config) { c.batchOpts = append(c.batchOpts, opts...) })
}

// ReadOption configures [Get] and [List]: pass it among the query's
// arguments (as pgx takes its own QueryExecMode there); it is not sent to
// the server. Options are created by the With functions of this package;
// a nil ReadOption is ignored.
type ReadOption interface{ applyRead(*readConfig) }

type readOptionFunc func(*readConfig)

func (f readOptionFunc) applyRead(c *readConfig) { f(c) }

type readConfig struct {
	writeBack *Table
}

// WithWriteBack writes a row read at an old version back at the latest,
// in the same call: the query's second column must then be the row's key
// in keyColumn, and its first the document under its own column name.
// The write is conditional (the key, and the document still as it was
// read), so a writer that changed the row since is never overwritten; the
// call returns the migrated record either way.
func WithWriteBack(table, keyColumn string) ReadOption {
	return readOptionFunc(func(c *readConfig) { c.writeBack = &Table{Name: table, Key: keyColumn} })
}
