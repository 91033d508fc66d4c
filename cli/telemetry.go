package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of the command's own spans (the
// run's root span); the migrations' spans are otelhook's.
const ScopeName = "github.com/transmute-go/transmute/cli"

// flushTimeout bounds the time Main spends sending the last spans: a
// collector that is down never hangs the command.
const flushTimeout = 5 * time.Second

// tracerProvider is the command's TracerProvider: WithTracerProvider's,
// else the global one; nil when there is none to speak of (the global one
// before any otel.SetTracerProvider, or a no-op provider), so that a run
// without tracing pays for no hook.
func (a *app) tracerProvider() trace.TracerProvider {
	tp := a.cfg.tp
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	switch tp.(type) {
	case noop.TracerProvider, *noop.TracerProvider:
		return nil
	}
	if t := reflect.TypeOf(tp); t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "go.opentelemetry.io/otel/internal/global" {
		return nil // the API's default: no SDK installed
	}
	return tp
}

func (a *app) meterProvider() metric.MeterProvider {
	if a.cfg.mp != nil {
		return a.cfg.mp
	}
	return otel.GetMeterProvider()
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

// shutdown sends the last spans of tp. Spans that cannot be sent are a
// warning on w, never a failure of the run: telemetry does not decide the
// outcome of a migration.
func shutdown(tp *sdktrace.TracerProvider, w io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		fmt.Fprintf(w, "warning: OpenTelemetry: not every span was sent: %v\n", err)
	}
}
