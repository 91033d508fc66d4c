package otelhook

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
)

// ScopeName is the instrumentation scope name of the tracer and the meter:
// the import path of this package.
const ScopeName = "github.com/transmute-go/transmute/otelhook"

// Version is the version of this package, set as the instrumentation
// scope version.
const Version = "0.1.0"

// Hook traces and measures migrations. It implements [core.Hook],
// [core.StepObserver] and [core.BatchObserver]; create it with [New] and
// add it to a manager ([core.Manager.AddHook]) or to one request's ctx
// ([core.WithHooks]). A Hook is safe for concurrent use: its configuration
// is fixed by New, and each migration's state (its span, its current step)
// travels in the ctx that BeforeMigrate returns.
type Hook struct {
	cfg          config
	tracer       trace.Tracer
	duration     metric.Float64Histogram
	stepDuration metric.Float64Histogram
	active       metric.Int64UpDownCounter

	migs    cache[migKey, *migInfo]
	steps   cache[stepKey, *stepInfo]
	batches cache[batchKey, *batchInfo]
}

var (
	_ core.Hook          = (*Hook)(nil)
	_ core.StepObserver  = (*Hook)(nil)
	_ core.BatchObserver = (*Hook)(nil)
)

// New returns a hook configured by opts. It creates the tracer and the
// instruments once; an instrument that cannot be created is reported to
// [otel.Handle] and replaced by a no-op one.
func New(opts ...Option) *Hook {
	h := &Hook{cfg: newConfig(opts)}
	tp := h.cfg.tp
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	mp := h.cfg.mp
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	h.tracer = tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version), trace.WithSchemaURL(semconv.SchemaURL))
	meter := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version), metric.WithSchemaURL(semconv.SchemaURL))
	h.duration = histogram(meter, DurationMetric, "Duration of migrations.")
	h.stepDuration = histogram(meter, StepDurationMetric, "Duration of the steps of migrations.")
	active, err := meter.Int64UpDownCounter(ActiveMetric,
		metric.WithUnit("{migration}"),
		metric.WithDescription("Number of migrations in progress."))
	if err != nil {
		otel.Handle(fmt.Errorf("otelhook: create %s: %w", ActiveMetric, err))
	}
	if active == nil {
		active = metricnoop.Int64UpDownCounter{}
	}
	h.active = active
	return h
}

func histogram(m metric.Meter, name, desc string) metric.Float64Histogram {
	hist, err := m.Float64Histogram(name,
		metric.WithUnit("s"),
		metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(durationBuckets()...))
	if err != nil {
		otel.Handle(fmt.Errorf("otelhook: create %s: %w", name, err))
	}
	if hist == nil {
		return metricnoop.Float64Histogram{}
	}
	return hist
}

// spanAllowed reports whether a span may start under ctx: with a valid
// parent that is sampled or recording, or with no parent unless
// WithRequireParentSpan. Under an unsampled, non-recording parent no span
// is started: the parent's decision is followed (as the ParentBased
// sampler does) without asking the tracer, which keeps that path free of
// allocations.
func (h *Hook) spanAllowed(ctx context.Context) bool {
	parent := trace.SpanFromContext(ctx)
	psc := parent.SpanContext()
	if !psc.IsValid() {
		return !h.cfg.requireParent
	}
	return psc.IsSampled() || parent.IsRecording()
}

// BeforeMigrate starts the migration's span (unless the migration is not
// to be traced) and adds 1 to migration.active. It returns the ctx that
// the migration's steps run under.
func (h *Hook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	parent := h.scopeOf(ctx)
	var mi *migInfo
	counted := false
	if h.active.Enabled(ctx) {
		mi = h.migInfo(e)
		h.active.Add(ctx, 1, mi.active...)
		counted = true
	}
	filtered := false
	if (parent == nil || !parent.noSpans) && h.spanAllowed(ctx) {
		if h.cfg.filter != nil && !h.callFilter(ctx, e) {
			filtered = true
		} else {
			if mi == nil {
				mi = h.migInfo(e)
			}
			name := mi.name
			if h.cfg.nameFn != nil {
				name = h.callNameFn(ctx, e, name)
			}
			sctx, span := h.tracer.Start(ctx, name, h.withBaggage(ctx, mi.start)...)
			if span.IsRecording() {
				return &scope{Context: sctx, h: h, kind: migrationScope, counted: counted, span: span, info: mi}
			}
			// Not sampled: keep the span as the parent of what follows,
			// so that the steps and the user's spans follow its decision.
			ctx = sctx
		}
	}
	// Untraced. A scope is needed to time the steps, to undo the active
	// count, to keep the steps of a filtered migration untraced, and to
	// hide a parent migration's scope from this migration's steps.
	if counted || filtered || h.stepDuration.Enabled(ctx) || (parent != nil && parent.kind == migrationScope) {
		return &scope{Context: ctx, h: h, kind: migrationScope, counted: counted, info: mi,
			noSpans: parent != nil && parent.noSpans}
	}
	return ctx
}

// AfterMigrate ends the migration's span and records its duration.
func (h *Hook) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	h.end(ctx, e, migrated, nil)
}

// OnError ends the migration's span with the status Error, the error's
// message and error.type, and records its duration with error.type.
func (h *Hook) OnError(ctx context.Context, e core.Event, err error) {
	h.end(ctx, e, core.Record{}, err)
}

func (h *Hook) end(ctx context.Context, e core.Event, migrated core.Record, err error) {
	s := h.own(ctx, migrationScope)
	errType := core.ErrorType(err)
	if s != nil && s.span != nil {
		if err != nil {
			h.fail(s.span, err, errType)
		} else if h.cfg.redact != nil {
			h.recordValues(s.span, migrated)
		}
		s.span.End()
	}
	var mi *migInfo
	if s != nil {
		mi = s.info
	}
	if d, ok := elapsed(e.Start, e.Elapsed, h.cfg.now); ok && h.duration.Enabled(ctx) {
		if mi == nil {
			mi = h.migInfo(e)
		}
		h.duration.Record(ctx, d.Seconds(), mi.metrics.record(errType)...)
	}
	if s != nil && s.counted {
		if mi == nil {
			mi = h.migInfo(e)
		}
		h.active.Add(ctx, -1, mi.active...)
	}
}

// fail marks a span as failed. Its status description (and the
// exception event's message) is the error's value-free text unless values
// are kept (see core.ErrorMessage).
func (h *Hook) fail(span trace.Span, err error, errType string) {
	span.SetAttributes(semconv.ErrorTypeKey.String(errType))
	msg := core.ErrorMessage(err, h.cfg.redact)
	span.SetStatus(codes.Error, msg)
	if h.cfg.recordError {
		span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
			semconv.ExceptionTypeKey.String(reflect.TypeOf(err).String()),
			semconv.ExceptionMessageKey.String(msg),
		))
	}
}

// BeforeStep starts the step's span under the migration's span, when the
// migration is traced, and notes the step's start time for the step
// duration metric.
func (h *Hook) BeforeStep(ctx context.Context, e core.Event, st core.Step) context.Context {
	s := h.scopeOf(ctx)
	if s == nil || s.kind != migrationScope {
		return ctx // untraced, with no step metric: nothing to do
	}
	s.stepSpan, s.stepInfo = nil, nil
	if s.span != nil && !h.cfg.noStepSpans {
		s.stepInfo = h.stepInfo(e.Model, st)
		sctx, span := h.tracer.Start(ctx, s.stepInfo.name, h.withBaggage(ctx, s.stepInfo.start)...)
		if span.IsRecording() {
			s.stepSpan = span
		}
		ctx = sctx
	}
	if h.stepDuration.Enabled(ctx) {
		s.stepTimer.start(e.Start, h.cfg.now)
	}
	return ctx
}

// AfterStep ends the step's span (with the status Error and error.type on
// failure) and records the step's duration.
func (h *Hook) AfterStep(ctx context.Context, e core.Event, st core.Step, err error) {
	s := h.scopeOf(ctx)
	if s == nil || s.kind != migrationScope {
		return
	}
	errType := core.ErrorType(err)
	if span := s.stepSpan; span != nil {
		s.stepSpan = nil
		if err != nil {
			h.fail(span, err, errType)
		}
		span.End()
	}
	if d, ok := s.stepTimer.stop(h.cfg.now); ok && h.stepDuration.Enabled(ctx) {
		si := s.stepInfo
		if si == nil {
			si = h.stepInfo(e.Model, st)
		}
		h.stepDuration.Record(ctx, d.Seconds(), si.metrics.record(errType)...)
	}
	s.stepInfo = nil
}

// elapsed returns the duration the engine measured, or, for a hook called
// by hand with none, the time since start; false when there is no start.
func elapsed(start time.Time, d time.Duration, now func() time.Time) (time.Duration, bool) {
	switch {
	case d != 0:
		return d, true
	case start.IsZero():
		return 0, false
	default:
		return since(start, now), true
	}
}

// BeforeBatch starts the batch's span; the items' migrations run under it.
func (h *Hook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	parent := h.scopeOf(ctx)
	noSpans := h.cfg.noItemSpans || (parent != nil && parent.noSpans)
	var span trace.Span
	if (parent == nil || !parent.noSpans) && h.spanAllowed(ctx) {
		bi := h.batchInfo(b)
		attrs := bi.attrs
		if b.Size >= 0 {
			attrs = append(attrs[:len(attrs):len(attrs)], BatchSizeKey.Int(b.Size))
		}
		opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...)}
		sctx, sp := h.tracer.Start(ctx, bi.name, h.withBaggage(ctx, opts)...)
		ctx = sctx
		if sp.IsRecording() {
			span = sp
		}
	}
	if span != nil || noSpans {
		return &scope{Context: ctx, h: h, kind: batchScope, span: span, noSpans: noSpans}
	}
	return ctx
}

// AfterBatch ends the batch's span with the counts of succeeded and failed
// items (and, for a stream, the number of items seen), and the status
// Error with error.type when the batch failed.
func (h *Hook) AfterBatch(ctx context.Context, b core.Batch, err error) {
	s := h.own(ctx, batchScope)
	if s == nil || s.span == nil {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 3)
	if b.Size < 0 {
		attrs = append(attrs, BatchSizeKey.Int(b.Succeeded+b.Failed))
	}
	attrs = append(attrs, BatchSucceededKey.Int(b.Succeeded), BatchFailedKey.Int(b.Failed))
	s.span.SetAttributes(attrs...)
	if err != nil {
		h.fail(s.span, err, core.ErrorType(err))
	}
	s.span.End()
}

// withBaggage adds the baggage members named by WithBaggageAttributes to
// a span's start options.
func (h *Hook) withBaggage(ctx context.Context, opts []trace.SpanStartOption) []trace.SpanStartOption {
	if len(h.cfg.baggageKeys) == 0 {
		return opts
	}
	bag := baggage.FromContext(ctx)
	if bag.Len() == 0 {
		return opts
	}
	var kv []attribute.KeyValue
	for _, k := range h.cfg.baggageKeys {
		if m := bag.Member(k); m.Key() != "" {
			kv = append(kv, attribute.String(k, m.Value()))
		}
	}
	if len(kv) == 0 {
		return opts
	}
	return append(opts[:len(opts):len(opts)], trace.WithAttributes(kv...))
}

// The user's callbacks may panic: the panic is reported to the OTel error
// handler as a *core.HookPanicError and a safe default is used.

func (h *Hook) callFilter(ctx context.Context, e core.Event) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			h.report("BeforeMigrate (WithFilter)", r)
			ok = true
		}
	}()
	return h.cfg.filter(ctx, e)
}

func (h *Hook) callNameFn(ctx context.Context, e core.Event, def string) (name string) {
	defer func() {
		if r := recover(); r != nil {
			h.report("BeforeMigrate (WithSpanNameFormatter)", r)
			name = def
		}
	}()
	if n := h.cfg.nameFn(ctx, e); n != "" {
		return n
	}
	return def
}

func (h *Hook) report(method string, v any) {
	otel.Handle(&core.HookPanicError{Hook: h, Method: method, Value: v, Stack: debug.Stack()})
}
