//go:build integration

package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/pgserver"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/examples/postgres/usersdb"
	"github.com/transmute-go/transmute/otelhook"
)

// TestPostgresReadTracesInJaeger: a request reads an old row from a real
// PostgreSQL through pgmigrate.Get; in Jaeger, the migration's span is a
// child of the request's server span, itself a child of the client's.
func TestPostgresReadTracesInJaeger(t *testing.T) {
	service := serviceName("postgres")
	tp := newProvider(t, service, newExporter(t, env(t, "JAEGER_OTLP_GRPC")))
	s, err := pgserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := usersdb.Create(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := usersdb.Seed(ctx, pool, 5); err != nil {
		t.Fatal(err)
	}
	m, err := usermodels.NewTypedManager(tp.Tracer("postgres-it"), core.WithVersionKey("schema_version"))
	if err != nil {
		t.Fatal(err)
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	prop := otelhttp.WithPropagators(propagation.TraceContext{})
	srv := httptest.NewServer(otelhttp.NewHandler(usersdb.NewHandler(pool, m), "users", otelhttp.WithTracerProvider(tp), prop))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp), prop)}

	rctx, span := tp.Tracer("postgres-it").Start(ctx, "client read", trace.WithSpanKind(trace.SpanKindClient))
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, srv.URL+"/users/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	span.End()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /users/1: %d %s", resp.StatusCode, body)
	}
	id := span.SpanContext().TraceID().String()
	traces := waitTraces(t, service, nil, 20*time.Second, func(traces []jaegerTrace) bool {
		tr, ok := traceByID(traces, id)
		return ok && spanCount([]jaegerTrace{tr}, "migrate.step User") == 2
	})
	tr, _ := traceByID(traces, id)
	client0 := one(t, tr, "client read")
	get := one(t, tr, "HTTP GET")
	server := one(t, tr, "GET /users/{id}")
	mig := one(t, tr, "migrate User")
	if get.parent() != client0.SpanID || server.parent() != get.SpanID || mig.parent() != server.SpanID {
		t.Fatalf("the migration is not under the request span:\n%s", describe([]jaegerTrace{tr}))
	}
	checkTags(t, "migrate User", mig, map[string]string{
		"migration.version.from": "1.0.0", "migration.version.to": "3.0.0", "migration.direction": "up"})
	var written string
	if err := pool.QueryRow(ctx, "SELECT doc->>'schema_version' FROM users WHERE id = 1").Scan(&written); err != nil || written != "3.0.0" {
		t.Fatalf("the row read was not written back at 3.0.0: %q %v", written, err)
	}
}
