package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// flushTimeout bounds the time spent sending the last spans: a collector
// that is down never hangs the command.
const flushTimeout = 5 * time.Second

// observer is what watches a run of migrate: the hooks of WithHooks, the
// audit trail of --audit, the OpenTelemetry tracing when the environment
// asks for OTLP, and the progress bar.
type observer struct {
	hooks       []core.Hook
	trail       *audit.Trail
	tp          *sdktrace.TracerProvider
	prevTP      trace.TracerProvider // the global one before the run, put back by close
	bar         *progressbar.ProgressBar
	interactive bool
}

func (a *app) observe(ctx context.Context, f migrateFlags) (*observer, error) {
	o := &observer{interactive: a.cfg.term(a.errOut())}
	if otlpEnabled() {
		tp, err := newTracerProvider(ctx, a.cfg.name)
		if err != nil {
			return nil, fmt.Errorf("OpenTelemetry: %w", err)
		}
		o.tp = tp
		// The migration functions' own spans (from otel.Tracer) join the
		// run's trace; close puts the previous provider back.
		o.prevTP = otel.GetTracerProvider()
		otel.SetTracerProvider(tp)
		o.hooks = append(o.hooks, otelhook.New(otelhook.WithTracerProvider(tp)))
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
	ctx = core.WithHooks(ctx, o.hooks...)
	if o.tp == nil {
		return ctx, func(error) {}
	}
	ctx, span := o.tp.Tracer(otelhook.ScopeName).Start(ctx, "transmute migrate", trace.WithAttributes(
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

// close flushes and closes what the run used. Spans that cannot be sent
// are a warning on w, never a failure of the run: telemetry does not
// decide the outcome of a migration.
func (o *observer) close(w io.Writer) error {
	var errs []error
	if o.bar != nil {
		errs = append(errs, o.bar.Finish())
	}
	if o.trail != nil {
		errs = append(errs, o.trail.Close())
	}
	if o.tp != nil {
		ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
		defer cancel()
		if err := o.tp.Shutdown(ctx); err != nil {
			fmt.Fprintf(w, "warning: OpenTelemetry: not every span was sent: %v\n", err)
		}
		otel.SetTracerProvider(o.prevTP)
	}
	return errors.Join(errs...)
}

// otlpEnabled reports whether the environment asks for OTLP traces.
func otlpEnabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// newTracerProvider exports spans over OTLP gRPC as the OTEL_*
// environment says (endpoint, headers, sampler, service name).
func newTracerProvider(ctx context.Context, name string) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(name)),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, err
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithMaxQueueSize(1<<16)),
		sdktrace.WithResource(res)), nil
}

// spanIDs gives each audit line the trace and span of its migration.
func spanIDs(ctx context.Context) (traceID, spanID string, ok bool) {
	sc := trace.SpanContextFromContext(ctx)
	return sc.TraceID().String(), sc.SpanID().String(), sc.IsValid()
}
