package guide_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// newDatadogProviders returns the tracer and meter providers of a program
// whose traces and metrics go to the Datadog Agent over OTLP gRPC. endpoint
// is the Agent's OTLP receiver, such as "http://localhost:4317"; "" leaves
// it to OTEL_EXPORTER_OTLP_ENDPOINT. Shut both providers down before the
// program exits, or what is still queued is lost.
func newDatadogProviders(ctx context.Context, endpoint, service string) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider, error) {
	traceOpts := []otlptracegrpc.Option{}
	metricOpts := []otlpmetricgrpc.Option{
		// Datadog works best with delta temporality for counters and
		// histograms (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta
		// says the same).
		otlpmetricgrpc.WithTemporalitySelector(deltaTemporality),
	}
	if endpoint != "" {
		traceOpts = append(traceOpts, otlptracegrpc.WithEndpointURL(endpoint))
		metricOpts = append(metricOpts, otlpmetricgrpc.WithEndpointURL(endpoint))
	}
	spans, err := otlptracegrpc.New(ctx, traceOpts...)
	if err != nil {
		return nil, nil, err
	}
	metrics, err := otlpmetricgrpc.New(ctx, metricOpts...)
	if err != nil {
		return nil, nil, err
	}
	// service.name becomes the service, and its tag, in Datadog.
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(service))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)), sdkmetric.WithResource(res))
	return tp, mp, nil
}

// deltaTemporality is what the "delta" temporality preference of the
// OpenTelemetry spec selects: delta for counters and histograms,
// cumulative for up-down counters (a level, such as migration.active).
func deltaTemporality(kind sdkmetric.InstrumentKind) metricdata.Temporality {
	switch kind {
	case sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindHistogram, sdkmetric.InstrumentKindObservableCounter:
		return metricdata.DeltaTemporality
	}
	return metricdata.CumulativeTemporality
}

func Example_datadog() {
	agent := startFakeAgent() // stands in for the Datadog Agent on :4317
	defer agent.Stop()
	ctx := context.Background()

	tp, mp, err := newDatadogProviders(ctx, agent.URL, "importer")
	check(err)
	m := newManager()
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithMeterProvider(mp)))

	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": "Alan Turing", "country": 7}, "User", "1.0.0", "3.0.0")

	// At exit: send what is queued.
	check(tp.Shutdown(ctx))
	check(mp.Shutdown(ctx))
	fmt.Println(agent.Received())
	// Output:
	// service importer
	// span "migrate User" ×2
	// span "migrate.step User" ×4
	// metric migration.active: sum cumulative
	// metric migration.duration: histogram delta, 2 measurements
	// metric migration.step.duration: histogram delta, 4 measurements
}
