// Command apiversions is a users API with three API versions whose
// handlers are written once, for the newest: it serves them over a real
// HTTP server behind otelhttp, sends a user at each version with a real
// client, prints what each client sent and got, the changelog, the trace
// of one request (the request migrated up, the handler, the response
// migrated down) and which versions were used.
//
//	cd examples && go run ./apiversions
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transmute-go/transmute/examples/apiversions/usersapi"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/httpversion"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apiversions:", err)
		os.Exit(1)
	}
}

// bodies are the same user as a client at each version writes it.
var bodies = map[string]string{
	"2024-01-01": `{"name":"Ada Lovelace","email":"ada@example.com","nickname":"ada","address":{"street":"12 St James's Sq","city":"London"}}`,
	"2024-06-01": `{"first_name":"Grace","last_name":"Hopper","email_address":"grace@example.com","nickname":"amazing grace","address":{"street":"1 Navy Way","city":"Arlington"}}`,
	"2025-01-01": `{"first_name":"Alan","last_name":"Turing","email_address":"alan@example.com","address":{"street":"Bletchley Park","city":"Milton Keynes","country":"UK"}}`,
}

func run(ctx context.Context, w io.Writer) error {
	tree := consoletree.New()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tree))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	m, err := usersapi.NewManager()
	if err != nil {
		return err
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithMeterProvider(mp)))
	api, err := httpversion.New(m, usersapi.Versions, httpversion.WithMeterProvider(mp))
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(usersapi.NewHandler(api, tp.Tracer("usersapi")), "users", otelhttp.WithTracerProvider(tp))}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	base := "http://" + l.Addr().String()
	for i, v := range api.Versions() {
		status, got, err := call(ctx, "POST", base+fmt.Sprintf("/users/%d", i+1), v, bodies[v])
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "API-Version %s\n  sent %s\n  got  %d %s\n", v, bodies[v], status, got)
	}
	status, got, err := call(ctx, "GET", base+"/users/3", "2024-01-01", "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "a 2024-01-01 client reads Alan, written at 2025-01-01: %d %s\n", status, got)
	_, changelog, err := call(ctx, "GET", base+"/changelog", "", "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", changelog)
	if err := printTrace(w, tree); err != nil {
		return err
	}
	return printUsage(ctx, w, reader)
}

// call sends one request at an API version ("" for none).
func call(ctx context.Context, method, url, version, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if version != "" {
		req.Header.Set("API-Version", version)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

// printTrace prints the first request's trace.
func printTrace(w io.Writer, tree *consoletree.Exporter) error {
	t := consoletree.Build(tree.Spans())
	root := t.Find(consoletree.Named("POST /users/{id}"))
	if root == nil {
		return fmt.Errorf("no request span")
	}
	fmt.Fprintln(w, "the trace of the first request: up, the handler, down")
	return consoletree.Write(w, root, consoletree.Attributes("migration.version.from", "migration.version.to", "migration.direction"))
}

// printUsage prints transmute.api.requests: which versions are used.
func printUsage(ctx context.Context, w io.Writer, reader *sdkmetric.ManualReader) error {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ntransmute.api.requests:")
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if mt.Name != "transmute.api.requests" {
				continue
			}
			for _, dp := range mt.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value("api.version")
				r, _ := dp.Attributes.Value("http.route")
				o, _ := dp.Attributes.Value("outcome")
				fmt.Fprintf(w, "  %-10s %-18s %-8s %d\n", v.AsString(), r.AsString(), o.AsString(), dp.Value)
			}
		}
	}
	return nil
}
