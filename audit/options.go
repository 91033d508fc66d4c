package audit

import (
	"context"
)

// Option configures a [Trail]. Options are created by the With functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultQueueSize is the queue size of a [WithAsync] trail unless
// [WithQueueSize] sets another.
const DefaultQueueSize = 4096

type config struct {
	onError   func(error)
	redact    func(key string, v any) any
	values    bool
	traceIDs  func(context.Context) (traceID, spanID string, ok bool)
	syncEvery int // < 0: only on Close and Sync
	strict    bool
	async     bool
	queueSize int
}

func newConfig(opts []Option) config {
	c := config{syncEvery: -1, queueSize: DefaultQueueSize}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.strict {
		c.async = false
	}
	return c
}

// WithErrorHandler sets the function that receives what the trail cannot
// return to anyone: a *[WriteError] for each line that was not written
// (or not flushed or synced), and an error for a redactor or a trace-ID
// function that panicked. It is called on the migration's goroutine, or
// on the writer's goroutine with [Async] (so it must not call the trail's
// Sync or Close), holding no lock of the trail; it must be safe for
// concurrent use and should be quick. A panic in it is recovered. The
// default logs with log/slog at Error level; a nil handler keeps it.
func WithErrorHandler(handler func(error)) Option {
	return optionFunc(func(c *config) {
		if handler != nil {
			c.onError = handler
		}
	})
}

// WithValues writes the values of the record under a "values" object, each
// passed through redact first: on a success line, the migrated record's
// top-level values (the keys of migrated_keys); on an error line, the
// input's (the keys of data_keys), since there is no result. redact gets
// each top-level key with its value as [core.Record.Get] returns it (a
// nested map is a read-only core.Record, a list a core.List) and returns
// what to write, such as "[REDACTED]" for a secret; nil writes null. A
// value that cannot be encoded as JSON (a NaN, a channel), or one whose
// redactor panicked, is written as null and reported to the error
// handler. A nil redact writes no values, as if the option were left out:
// pass [core.KeepValues] to write them as they are.
//
// Values are encoded with encoding/json unless they are a string, a
// number, a bool or nil, so this option costs time and allocations.
func WithValues(redact func(key string, v any) any) Option {
	return optionFunc(func(c *config) {
		c.values = redact != nil
		c.redact = redact
	})
}

// WithTraceIDs sets how a line gets its trace_id and span_id: fn is given
// the ctx of the migration as the trail sees it (the one its own
// BeforeMigrate received) and returns the IDs and whether ctx carries a
// span. With OpenTelemetry:
//
//	audit.WithTraceIDs(func(ctx context.Context) (string, string, bool) {
//		sc := trace.SpanContextFromContext(ctx)
//		return sc.TraceID().String(), sc.SpanID().String(), sc.IsValid()
//	})
//
// Register the trail after the tracing hook to get the migration's own
// span rather than its parent. A nil fn writes no IDs.
func WithTraceIDs(fn func(ctx context.Context) (traceID, spanID string, ok bool)) Option {
	return optionFunc(func(c *config) { c.traceIDs = fn })
}

// WithSyncEvery flushes the writer (when it has a Flush() error method) and
// commits it to stable storage (when it has a Sync() error method, as an
// *os.File does) after every n lines, so that a crash of the machine loses
// at most the last n-1 lines; n <= 1 syncs after every line. Without it,
// a trail syncs only on [Trail.Sync] and [Trail.Close]. A failed sync is
// reported as a *[WriteError] with Op "sync"; its line was written and is
// not counted as dropped.
func WithSyncEvery(n int) Option {
	return optionFunc(func(c *config) { c.syncEvery = max(n, 0) })
}

// WithFailOnWriteError makes a failed audit write fail the migration. The trail is then
// also a validator that writes the line of a successful migration in
// ValidateMigration, flushes it (and syncs it as [SyncEvery] says) and
// returns the *[WriteError] if any of that failed, so the migration fails
// with an error that matches [core.ErrValidation], the *WriteError (with
// errors.As) and the writer's own error (with errors.Is), and otherwise
// reports success only once its line is written. Failed migrations are
// still written in OnError.
//
// Validators run in registration order, so register a strict trail after
// every other validator: if one registered after it rejects a migration
// whose success line is already written, the trail then writes an error
// line for it too, and the later line is the outcome. Such a trail writes
// synchronously: this option overrides [WithAsync].
func WithFailOnWriteError() Option {
	return optionFunc(func(c *config) { c.strict = true })
}

// WithAsync writes lines on a goroutine of the trail, behind a bounded
// queue ([WithQueueSize], default [DefaultQueueSize]): a migration encodes its line
// and queues it without waiting for any write, and holds no lock while a
// write is in flight. When the queue is full the line is dropped, counted
// by [Trail.Dropped] and reported with [ErrQueueFull]: an audit trail must
// never slow migrations down to the speed of its disk. The goroutine
// writes what is queued in batches of whole lines (up to 64 KiB, one
// Write call each, so lines still never interleave) and flushes the
// writer when the queue runs empty, so a *bufio.Writer destination gets
// no stale lines when idle. [WithSyncEvery] counts lines and syncs after the
// batch that reaches n. [Trail.Close] drains the queue; a crash of the
// process loses what is queued.
func WithAsync() Option {
	return optionFunc(func(c *config) { c.async = true })
}

// WithQueueSize sets the number of lines a [WithAsync] trail can hold
// waiting for the writer; n < 1 keeps the default. It has no effect
// without WithAsync.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.queueSize = n
		}
	})
}
