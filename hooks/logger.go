package hooks

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Logger is the structured logging hook: it logs the start of a migration
// at Debug, its completion at Info and its failure at Error (by default),
// with the attributes
//
//   - model, from_version, to_version and steps (the number of steps of
//     the path; 0 when no path was found), on every record;
//   - duration, the migration's [core.Event.Elapsed], on completion and failure;
//   - error_type ([core.ErrorType]) and error_message, on failure: the
//     error's value-free text ([core.ErrorMessage]), or its whole text,
//     which may quote record values, with WithValues([core.KeepValues]);
//   - then the request attributes that the migration's ctx carries (see
//     [ContextWithAttrs]).
//
// Records go through [slog.Logger.LogAttrs] with the migration's ctx, so
// a handler can read a trace id from it. A level the logger does not have
// enabled costs one Enabled call and no allocation. A Logger keeps no
// state between calls and is safe for concurrent use.
type Logger struct {
	l   *slog.Logger
	cfg loggerConfig
}

var _ core.Hook = (*Logger)(nil)

type loggerConfig struct {
	levels [3]slog.Level // start, success, failure
	msgs   [3]string
	redact func(key string, v any) any
}

const (
	phaseStart = iota
	phaseSuccess
	phaseFailure
)

// LoggerOption configures a [Logger]. Options are created by [WithLevels],
// [WithMessages] and [WithValues]; a nil LoggerOption is ignored.
type LoggerOption interface{ applyLogger(*loggerConfig) }

type loggerOptionFunc func(*loggerConfig)

func (f loggerOptionFunc) applyLogger(c *loggerConfig) { f(c) }

// WithLevels sets the levels of the three records: the start of a
// migration (default [slog.LevelDebug]), its completion (default
// [slog.LevelInfo]) and its failure (default [slog.LevelError]).
func WithLevels(start, success, failure slog.Level) LoggerOption {
	return loggerOptionFunc(func(c *loggerConfig) {
		c.levels = [3]slog.Level{start, success, failure}
	})
}

// WithMessages sets the messages of the three records (defaults:
// "migration started", "migration completed" and "migration failed"). An
// empty string keeps the default.
func WithMessages(start, success, failure string) LoggerOption {
	return loggerOptionFunc(func(c *loggerConfig) {
		for i, m := range [3]string{start, success, failure} {
			if m != "" {
				c.msgs[i] = m
			}
		}
	})
}

// WithValues says what the [Logger] may log of record values. It logs
// none (the records' keys and values never reach a log line), and an
// error's error_message is its value-free text, unless redact is
// [core.KeepValues]: then error_message is the error's whole text, which
// may quote values. A nil redact is as if the option were left out.
func WithValues(redact func(key string, v any) any) LoggerOption {
	return loggerOptionFunc(func(c *loggerConfig) { c.redact = redact })
}

// NewLogger returns a hook that logs every migration to l. A nil l means
// [slog.Default], as it is at the time of each record.
func NewLogger(l *slog.Logger, opts ...LoggerOption) *Logger {
	h := &Logger{l: l, cfg: loggerConfig{
		levels: [3]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelError},
		msgs:   [3]string{"migration started", "migration completed", "migration failed"},
	}}
	for _, o := range opts {
		if o != nil {
			o.applyLogger(&h.cfg)
		}
	}
	return h
}

func (h *Logger) logger() *slog.Logger {
	if h.l != nil {
		return h.l
	}
	return slog.Default()
}

// BeforeMigrate logs the start of the migration, and returns ctx.
func (h *Logger) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	h.log(ctx, phaseStart, e, nil)
	return ctx
}

// AfterMigrate logs the completion of the migration.
func (h *Logger) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	h.log(ctx, phaseSuccess, e, nil)
}

// OnError logs the failure of the migration.
func (h *Logger) OnError(ctx context.Context, e core.Event, err error) {
	h.log(ctx, phaseFailure, e, err)
}

func (h *Logger) log(ctx context.Context, phase int, e core.Event, err error) {
	l := h.logger()
	level := h.cfg.levels[phase]
	if !l.Enabled(ctx, level) {
		return
	}
	var buf [8]slog.Attr
	attrs := append(buf[:0],
		slog.String("model", e.Model),
		slog.String("from_version", e.From.String()),
		slog.String("to_version", e.To.String()),
		slog.Int("steps", e.Steps()),
	)
	if phase != phaseStart {
		if d := e.Elapsed; d != 0 {
			attrs = append(attrs, slog.Duration("duration", d))
		} else if !e.Start.IsZero() { // called by hand
			attrs = append(attrs, slog.Duration("duration", time.Since(e.Start)))
		}
	}
	if phase == phaseFailure && err != nil {
		attrs = append(attrs,
			slog.String("error_type", core.ErrorType(err)),
			slog.String("error_message", core.ErrorMessage(err, h.cfg.redact)),
		)
	}
	attrs = append(attrs, ctxAttrs(ctx)...)
	l.LogAttrs(ctx, level, h.cfg.msgs[phase], attrs...)
}

type attrsKey struct{}

// ContextWithAttrs returns a ctx that carries attrs, which the [Logger] adds to
// every record of a migration run with it (or with a ctx derived from
// it). Nested calls append to the attributes already in ctx; ctx itself
// is unchanged. This is how request-scoped attributes (a user id, a
// request id) reach the log without a hook per request.
func ContextWithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	if len(attrs) == 0 {
		return ctx
	}
	return context.WithValue(ctx, attrsKey{}, slices.Concat(ctxAttrs(ctx), attrs))
}

// AttrsFromContext returns the attributes that [ContextWithAttrs] put in ctx, in
// the order they were added, in a new slice.
func AttrsFromContext(ctx context.Context) []slog.Attr {
	return slices.Clone(ctxAttrs(ctx))
}

func ctxAttrs(ctx context.Context) []slog.Attr {
	a, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	return a
}
