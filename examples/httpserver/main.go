// Command httpserver serves transmute migrations over HTTP, with every
// migration traced as a child of its request's span.
//
//	go run ./httpserver                       # self-test: serve, send itself a few requests, print, exit
//	go run ./httpserver -serve -addr :8080    # serve until Ctrl-C
//	curl -d '{"name":"Ada Lovelace"}' -H 'X-User-ID: ada' \
//	    'http://127.0.0.1:8080/migrate?model=User&from=1.0.0&to=3.0.0'
//
// The server is a [migratehttp.NewHandler] (an otelhttp-wrapped
// net/http handler) over a manager with the demo models and two hooks: an
// otelhook hook that copies the request's ids from the baggage onto the
// migration spans, and a slog logger whose records carry the same ids.
// Without OTEL_EXPORTER_OTLP_ENDPOINT, the self-test prints each request's
// trace as an indented tree; with it, the traces go there over OTLP gRPC
// (Jaeger, Tempo) under the service name transmute-httpserver (or
// OTEL_SERVICE_NAME).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	serve := flag.Bool("serve", false, "serve until interrupted (SIGINT, SIGTERM) instead of running the self-test and exiting")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, *addr, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "httpserver:", err)
		os.Exit(1)
	}
}

// serviceName is the default service.name of the traces.
const serviceName = "transmute-httpserver"

// run listens on addr and serves until ctx is done (serve) or until the
// self-test has run, then shuts the server down gracefully.
func run(ctx context.Context, out io.Writer, addr string, serve bool) (err error) {
	tp, console, err := newTracerProvider(ctx)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(err, tp.Shutdown(sctx))
	}()

	m := core.NewManager()
	if err := migratehttp.RegisterModels(m); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	m.AddHook(
		otelhook.New(otelhook.WithTracerProvider(tp),
			otelhook.WithBaggageAttributes(migratehttp.RequestIDKey, migratehttp.UserIDKey)),
		hooks.NewLogger(logger),
	)
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	handler := migratehttp.NewHandler(m, migratehttp.WithTracerProvider(tp), migratehttp.WithPropagators(prop))

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "listening on %s\n", base)

	var testErr error
	if serve {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "shutting down")
		case err := <-served:
			return err
		}
	} else {
		client := &http.Client{
			Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop)),
			Timeout:   10 * time.Second,
		}
		testErr = selfTest(ctx, out, client, base)
	}

	// Shutdown waits for the requests in flight, whose spans then have
	// all ended.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return errors.Join(testErr, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(testErr, err)
	}
	if testErr == nil && !serve {
		if console != nil {
			testErr = printTraces(out, console)
		} else {
			fmt.Fprintln(out, "traces sent over OTLP to", otlpEndpoint())
		}
	}
	return testErr
}

// newTracerProvider exports to OTLP gRPC when an endpoint is configured,
// and otherwise keeps the spans for the console (console is then not nil).
func newTracerProvider(ctx context.Context) (tp *sdktrace.TracerProvider, console *consoletree.Exporter, err error) {
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, nil, err
	}
	if otlpEndpoint() != "" {
		exp, err := otlptracegrpc.New(ctx) // endpoint, TLS and headers from the OTEL_EXPORTER_OTLP_* variables
		if err != nil {
			return nil, nil, err
		}
		return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil, nil
	}
	console = consoletree.New()
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(console), sdktrace.WithResource(res)), console, nil
}

func otlpEndpoint() string {
	if e := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); e != "" {
		return e
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
}

// call is one request of the self-test.
type call struct {
	what   string
	query  string
	body   string
	userID string
}

var calls = []call{
	{"a user with an address (the Address migrates inside User's auto step)", "model=User&from=1.0.0&to=3.0.0",
		`{"name":"Ada Lovelace","address":{"street":"12 St James's Square","city":"London","zip":"SW1Y 4JH"}}`, "ada"},
	{"to the latest version", "model=User&from=1.0.0",
		`{"name":"Grace Hopper"}`, "grace"},
	{"bad JSON", "model=User&from=1.0.0&to=3.0.0", `{"name":`, ""},
	{"an unknown model", "model=Invoice&from=1.0.0&to=2.0.0", `{}`, ""},
	{"a record that fails validation", "model=User&from=2.0.0&to=3.0.0", `{"last_name":"Turing"}`, "alan"},
	{"a migration function that fails", "model=User&from=1.0.0&to=3.0.0", `{"name":42}`, "alan"},
}

// selfTest sends the calls to the server and prints what came back.
func selfTest(ctx context.Context, out io.Writer, client *http.Client, base string) error {
	for i, c := range calls {
		fmt.Fprintf(out, "\n#%d %s\n→ POST /migrate?%s %s\n", i+1, c.what, c.query, c.body)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/migrate?"+c.query, strings.NewReader(c.body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(migratehttp.HeaderRequestID, fmt.Sprintf("self-test-%d", i+1))
		if c.userID != "" {
			req.Header.Set(migratehttp.HeaderUserID, c.userID)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "← %s %s=%s %s=%s %s", resp.Status,
			migratehttp.HeaderMigrations, resp.Header.Get(migratehttp.HeaderMigrations),
			migratehttp.HeaderMigrationSteps, resp.Header.Get(migratehttp.HeaderMigrationSteps), body)
	}
	return nil
}

// printTraces prints each request's trace, from the client's span down.
func printTraces(out io.Writer, console *consoletree.Exporter) error {
	tree := consoletree.Build(console.Spans())
	fmt.Fprintf(out, "\n%d traces (client span → otelhttp server span → migrations):\n", len(tree.Roots))
	for _, root := range tree.Roots {
		fmt.Fprintln(out)
		err := consoletree.Write(out, root, consoletree.Width(120), consoletree.Attributes(
			"http.response.status_code", "http.route", migratehttp.RequestIDKey, migratehttp.UserIDKey,
			"migration.version.from", "migration.version.to", "migration.steps", "migration.direction",
			"migration.step.index", "migration.step.auto", "error.type"))
		if err != nil {
			return err
		}
	}
	return nil
}

// dropTime leaves the time out of the log records, to keep the output
// short.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
