package otelhook_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/baggage"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// UserV1 is version 1.0.0 of the User model.
type UserV1 struct {
	Name string `json:"name"`
}

// UserV2 splits the name.
type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// UserV3 adds an email with a default: a compatible change, migrated
// automatically.
type UserV3 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email" default:"\"unknown@example.com\""`
}

// newUserManager registers User 1.0.0 → 2.0.0 (a function that looks the
// user up with the tracer it is given) → 3.0.0 (automatic).
func newUserManager(tp *sdktrace.TracerProvider) *core.Manager {
	m := core.NewManager()
	_ = core.Register[UserV1](m, "User", "1.0.0")
	_ = core.Register[UserV2](m, "User", "2.0.0")
	_ = core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible())
	_ = m.RegisterMigration("User", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		// The function runs under the step's span: a span it starts (a
		// database query, an HTTP call) is a child of the step.
		_, span := tp.Tracer("users-db").Start(ctx, "SELECT users")
		defer span.End()
		name, ok := d["name"].(string)
		if !ok {
			return nil, fmt.Errorf("name is %T, not a string", d["name"])
		}
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	})
	return m
}

// printTree prints spans as a tree, children in the order they started.
func printTree(spans []sdktrace.ReadOnlySpan) {
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	depth := map[[8]byte]int{}
	for _, s := range spans {
		d := 0
		if p, ok := depth[s.Parent().SpanID()]; ok {
			d = p + 1
		}
		depth[s.SpanContext().SpanID()] = d
		fmt.Printf("%s%s", strings.Repeat("  ", d), s.Name())
		if st := s.Status(); st.Description != "" {
			fmt.Printf(" [%s: %s]", st.Code, st.Description)
		}
		fmt.Println()
	}
}

func ExampleNew() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))

	// The request's span is the parent of the migration's.
	ctx, request := tp.Tracer("server").Start(context.Background(), "POST /users")
	out, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	request.End()
	fmt.Println(out, err)
	printTree(recorder.Ended())
	// Output:
	// map[email:unknown@example.com first_name:Ada last_name:Lovelace] <nil>
	// POST /users
	//   migrate User
	//     migrate.step User
	//       SELECT users
	//     migrate.step User
}

func ExampleNew_failure() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "3.0.0", "1.0.0")
	fmt.Println(core.ErrorType(err))
	for _, s := range recorder.Ended() {
		fmt.Println(s.Name(), s.Status().Code)
		for _, kv := range s.Attributes() {
			fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
		}
	}
	// Output:
	// no_migration_path
	// migrate User Error
	//   migration.model=User
	//   migration.version.from=3.0.0
	//   migration.version.to=1.0.0
	//   migration.steps=0
	//   migration.direction=down
	//   error.type=no_migration_path
}

func ExampleWithMeterProvider() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tp := sdktrace.NewTracerProvider()
	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithMeterProvider(mp)))

	items := []core.Data{{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"name": "Grace Hopper"}}
	_, err := m.MigrateBatch(context.Background(), items, "User", "1.0.0", "3.0.0", core.WithWorkers(2))
	fmt.Println(err)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, metric := range sm.Metrics {
			switch data := metric.Data.(type) {
			case metricdata.Histogram[float64]:
				n := uint64(0)
				for _, p := range data.DataPoints {
					n += p.Count
				}
				fmt.Printf("%s (%s): %d measurements in %d series\n", metric.Name, metric.Unit, n, len(data.DataPoints))
			case metricdata.Sum[int64]:
				fmt.Printf("%s (%s): %d\n", metric.Name, metric.Unit, data.DataPoints[0].Value)
			}
		}
	}
	// Output:
	// <nil>
	// migration.duration (s): 3 measurements in 1 series
	// migration.step.duration (s): 6 measurements in 2 series
	// migration.active ({migration}): 0
}

func ExampleWithoutItemSpans() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	// One span for the whole batch; the items' metrics are still recorded.
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithoutItemSpans()))

	items := []core.Data{{"name": "Ada Lovelace"}, {"name": "Alan Turing"}}
	_, err := m.MigrateBatch(context.Background(), items, "User", "1.0.0", "3.0.0")
	fmt.Println(err)
	printTree(recorder.Ended())
	for _, kv := range recorder.Ended()[2].Attributes() {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
	}
	// Output:
	// <nil>
	// migrate.batch User
	//   SELECT users
	//   SELECT users
	// migration.model=User
	// migration.version.from=1.0.0
	// migration.version.to=3.0.0
	// migration.batch.size=2
	// migration.batch.succeeded=2
	// migration.batch.failed=0
}

func ExampleWithRecordValues() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	m.AddHook(otelhook.New(
		otelhook.WithTracerProvider(tp),
		otelhook.WithoutStepSpans(),
		// Values are off by default; here every value but the email is
		// recorded, and the last name is masked.
		otelhook.WithRecordValues(func(key string, v any) any {
			switch key {
			case "email":
				return nil
			case "last_name":
				return "***"
			}
			return v
		}),
	))

	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	for _, s := range recorder.Ended() {
		for _, kv := range s.Attributes() {
			if strings.HasPrefix(string(kv.Key), otelhook.DataKeyPrefix) {
				fmt.Printf("%s %s=%s\n", s.Name(), kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// migrate User migration.data.first_name=Ada
	// migrate User migration.data.last_name=***
}

func ExampleWithBaggageAttributes() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithoutStepSpans(),
		otelhook.WithBaggageAttributes("tenant.id")))

	// Baggage set upstream (by a propagator, say) reaches the spans.
	tenant, _ := baggage.NewMember("tenant.id", "acme")
	bag, _ := baggage.New(tenant)
	ctx := baggage.ContextWithBaggage(context.Background(), bag)
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	span := recorder.Ended()[1]
	fmt.Println(span.Name(), span.Attributes()[len(span.Attributes())-1].Value.String())
	// Output:
	// migrate User acme
}

func ExampleWithFilter() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp),
		// Trace upgrades only; downgrades are measured, not traced.
		otelhook.WithFilter(func(_ context.Context, e core.Event) bool { return e.Direction() == "up" }),
		otelhook.WithRequireParentSpan(),
	))

	ctx, request := tp.Tracer("server").Start(context.Background(), "request")
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"first_name": "Ada", "last_name": "Lovelace"}, "User", "3.0.0", "2.0.0")
	request.End()
	// With WithRequireParentSpan, a migration with no span in its ctx
	// starts no span (the function's own span is then a root).
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alan Turing"}, "User", "1.0.0", "2.0.0")
	printTree(recorder.Ended())
	// Output:
	// request
	//   migrate User
	//     migrate.step User
	//       SELECT users
	// SELECT users
}

// The tracer provider of a program that sends its traces to Jaeger or
// Tempo: exporter is the OTLP exporter (otlptracegrpc.New(ctx), which reads
// OTEL_EXPORTER_OTLP_ENDPOINT), the resource names the service, and the
// sampler keeps 10% of the traces that start here and follows the
// decision of the traces that come in.
func newTracerProvider(exporter sdktrace.SpanExporter) (*sdktrace.TracerProvider, error) {
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("importer"),
		semconv.ServiceVersion("1.4.2"),
	))
	if err != nil {
		return nil, err
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))),
	), nil
}

func Example_setup() {
	exporter := tracetest.NewInMemoryExporter() // otlptracegrpc.New(ctx) in a real program
	tp, err := newTracerProvider(exporter)
	if err != nil {
		panic(err)
	}
	defer tp.Shutdown(context.Background()) // flushes the spans still queued

	m := newUserManager(tp)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
}
