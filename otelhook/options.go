package otelhook

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
)

// Option configures a [Hook]. Options are created by the With... functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp            trace.TracerProvider
	mp            metric.MeterProvider
	attrs         []attribute.KeyValue
	nameFn        func(context.Context, core.Event) string
	filter        func(context.Context, core.Event) bool
	requireParent bool
	noStepSpans   bool
	noItemSpans   bool
	redact        func(key string, v any) any
	baggageKeys   []string
	recordError   bool
	now           func() time.Time
}

func newConfig(opts []Option) config {
	c := config{}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithTracerProvider sets the provider of the tracer. The default (and a
// nil provider) is the global one, otel.GetTracerProvider().
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	})
}

// WithMeterProvider sets the provider of the meter. The default (and a nil
// provider) is the global one, otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	})
}

// WithAttributes adds attributes to every span the hook starts (migration,
// step and batch spans), at the start. They are not added to the metrics.
// Several WithAttributes add up.
func WithAttributes(kv ...attribute.KeyValue) Option {
	kv = slices.Clone(kv)
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, kv...) })
}

// WithSpanNameFormatter sets the function that names a migration's span
// (default "migrate {model}"). It is called once per traced migration with
// the migration's ctx; an empty result keeps the default name. Step and
// batch spans keep their names. A nil function keeps the default. Keep
// names low-cardinality: identifiers belong in attributes.
func WithSpanNameFormatter(fn func(ctx context.Context, e core.Event) string) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.nameFn = fn
		}
	})
}

// WithFilter sets a function that decides, per migration, whether it is
// traced: false means no span for the migration nor for its steps (a
// nested model's migration is decided on its own). Metrics are recorded
// for every migration whatever the filter says. Batch spans are not
// filtered. A nil function traces every migration. If the filter panics,
// the migration is traced.
func WithFilter(fn func(ctx context.Context, e core.Event) bool) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.filter = fn
		}
	})
}

// WithRequireParentSpan starts spans only under a valid parent span
// context in ctx (a request's span, say): a migration or batch run with no
// span in its ctx starts no trace of its own. By default root spans are
// allowed, since a command-line migration usually has no parent.
func WithRequireParentSpan() Option {
	return optionFunc(func(c *config) { c.requireParent = true })
}

// WithoutStepSpans starts no step spans: the migration functions then run
// under the migration's span. The step duration metric is still recorded.
func WithoutStepSpans() Option {
	return optionFunc(func(c *config) { c.noStepSpans = true })
}

// WithoutItemSpans starts no span for the items of a batch or a stream:
// only the "migrate.batch" span is started, and the items' migrations,
// their steps and any nested model's migration start none (spans that the
// migration functions start nest under the batch span); their metrics are
// recorded as usual. By default each item's migration has its
// "migrate {model}" span (and step spans) under the batch span.
func WithoutItemSpans() Option {
	return optionFunc(func(c *config) { c.noItemSpans = true })
}

// WithRecordValues puts the migrated data on the migration's span when it
// succeeds: one attribute "migration.data.<key>" per top-level key of the
// result, with the value that redact returns for it (return nil to leave
// the key out). Strings, booleans and numbers are kept as they are; other
// values (nested records, lists) are encoded as JSON. redact receives
// read-only views ([core.Record], [core.List]) and is called only for
// spans that are recorded. Off by default: data values never reach a span
// unless asked. A nil redact leaves it off, as if the option were left
// out; pass [core.KeepValues] to record every value unchanged. A failed
// span's status (and exception event) holds the error's value-free text
// ([core.ErrorMessage]), and its whole text only with [core.KeepValues].
func WithRecordValues(redact func(key string, v any) any) Option {
	return optionFunc(func(c *config) { c.redact = redact })
}

// WithBaggageAttributes copies the listed members of the ctx's baggage
// onto every span the hook starts, as string attributes named by the
// member's key, at the start. Keys absent from the baggage are skipped.
// Several WithBaggageAttributes add up.
func WithBaggageAttributes(keys ...string) Option {
	keys = slices.Clone(keys)
	return optionFunc(func(c *config) { c.baggageKeys = append(c.baggageKeys, keys...) })
}

// WithRecordError also adds an exception event (span.RecordError) to a
// failed span. Off by default, as the OpenTelemetry guidance advises: the
// status and error.type already say what failed, and exception span events
// are deprecated. Use it only for a backend that still needs the event.
func WithRecordError() Option {
	return optionFunc(func(c *config) { c.recordError = true })
}

// WithClock sets the clock that times the steps, and a migration called
// by hand without an [core.Event.Elapsed] (default [time.Now]); tests use
// it to move time by hand (transmutetest.Clock). The engine's own
// measure of a migration, Event.Elapsed, is recorded as it is. A nil now
// keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}
