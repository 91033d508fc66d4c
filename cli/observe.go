package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// observer is what watches a run of migrate: the hooks of WithHooks, the
// audit trail of --audit, the tracing of the command's TracerProvider,
// and the progress bar.
type observer struct {
	hooks       []core.Hook
	trail       *audit.Trail
	tracer      trace.Tracer // nil: no tracing
	bar         *progressbar.ProgressBar
	interactive bool
}

func (a *app) observe(f migrateFlags) (*observer, error) {
	o := &observer{interactive: a.cfg.term(a.errOut())}
	if tp := a.tracerProvider(); tp != nil {
		o.tracer = tp.Tracer(ScopeName, trace.WithInstrumentationVersion(otelhook.Version))
		o.hooks = append(o.hooks, otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithMeterProvider(a.meterProvider())))
	}
	if f.audit != "" {
		trail, err := audit.Open(f.audit,
			audit.WithErrorHandler(func(err error) { fmt.Fprintf(a.errOut(), "%s: audit: %v\n", a.cfg.name, err) }),
			audit.WithTraceIDs(spanIDs))
		if err != nil {
			return nil, fmt.Errorf("cannot open the audit trail: %w", err)
		}
		o.trail = trail
		o.hooks = append(o.hooks, trail)
	}
	o.hooks = append(o.hooks, a.cfg.hooks...)
	if o.interactive {
		o.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(a.errOut()),
			progressbar.OptionSetDescription("migrating"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
	}
	return o, nil
}

// start runs the migration's hooks for ctx and, with tracing, starts the
// run's root span; the function it returns ends it.
func (o *observer) start(ctx context.Context, f migrateFlags) (context.Context, func(error)) {
	ctx = core.ContextWithHooks(ctx, o.hooks...)
	if o.tracer == nil {
		return ctx, func(error) {}
	}
	ctx, span := o.tracer.Start(ctx, "transmute migrate", trace.WithAttributes(
		attribute.String(string(otelhook.ModelKey), f.model),
		attribute.String("migration.target", f.to),
		attribute.Int("migration.workers", f.workers),
	))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, core.ErrorMessage(err, nil))
		}
		span.End()
	}
}

// progress counts a finished record on the bar.
func (o *observer) progress(bool) {
	if o.bar != nil {
		_ = o.bar.Add(1)
	}
}

// close flushes and closes what the run used.
func (o *observer) close() error {
	var errs []error
	if o.bar != nil {
		errs = append(errs, o.bar.Finish())
	}
	if o.trail != nil {
		errs = append(errs, o.trail.Close())
	}
	return errors.Join(errs...)
}

// spanIDs gives each audit line the trace and span of its migration.
func spanIDs(ctx context.Context) (traceID, spanID string, ok bool) {
	sc := trace.SpanContextFromContext(ctx)
	return sc.TraceID().String(), sc.SpanID().String(), sc.IsValid()
}
