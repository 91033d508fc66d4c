// Command jaeger sends the traces of a few migrations to Jaeger, Tempo or
// any OpenTelemetry collector, over OTLP gRPC. It is the smallest complete
// setup: copy it into your program.
//
//	go run ./jaeger -endpoint localhost:4317
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./jaeger
//
// Then open Jaeger (http://localhost:16686), pick the service
// "transmute-example" and look at the trace "import users": one
// "migrate User" span per record, each with its "migrate.step User".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	endpoint := flag.String("endpoint", "", "OTLP gRPC endpoint, such as localhost:4317 (default: $OTEL_EXPORTER_OTLP_ENDPOINT)")
	service := flag.String("service", "transmute-example", "service.name of the traces")
	n := flag.Int("n", 5, "number of records to migrate")
	flag.Parse()
	if err := run(context.Background(), *endpoint, *service, *n); err != nil {
		log.Fatal(err)
	}
}

// run migrates n records with otelhook and sends their spans over OTLP
// gRPC to endpoint: "host:port" (plaintext, as Jaeger and Tempo listen by
// default), "http://host:port" or "https://host:port". An empty endpoint
// leaves it to the OTEL_EXPORTER_OTLP_* variables. A collector that cannot
// be reached fails no migration: the export errors are logged, and run
// gives up sending after a few seconds at the end.
func run(ctx context.Context, endpoint, serviceName string, n int) error {
	// The exporter, and a tracer provider that sends spans in batches, in
	// the background, with a resource that names the service. The sampler
	// is the SDK's: ParentBased(AlwaysOn), or what OTEL_TRACES_SAMPLER says.
	var opts []otlptracegrpc.Option
	if endpoint != "" {
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint
		}
		opts = append(opts, otlptracegrpc.WithEndpointURL(endpoint))
	}
	exporter, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(serviceName))),
	)
	// Shutdown sends the spans still queued: without it they are lost.
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			log.Printf("sending the last spans: %v", err)
		}
	}()

	// The models, the migration, and the hook.
	type UserV1 struct {
		Name string `json:"name"`
	}
	type UserV2 struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	}
	m := core.NewManager()
	err = errors.Join(
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name is %T, not a string", d["name"])
			}
			first, last, _ := strings.Cut(name, " ")
			return core.Data{"first_name": first, "last_name": last}, nil
		}),
	)
	if err != nil {
		return err
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))

	// The migrations, under a span of the program: in a server, this is
	// the request's span.
	ctx, span := tp.Tracer("example/jaeger").Start(ctx, "import users")
	defer span.End()
	for i := range n {
		record := core.Data{"name": fmt.Sprintf("User %d", i)}
		if _, err := m.Migrate(ctx, record, "User", "1.0.0", "2.0.0"); err != nil {
			return err
		}
	}
	fmt.Printf("migrated %d records: trace %s, service %q\n", n, span.SpanContext().TraceID(), serviceName)
	return nil
}
