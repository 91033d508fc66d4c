// Command postgres shows transmute on PostgreSQL: it starts a server of
// its own (initdb and pg_ctl from the postgresql package) unless
// DATABASE_URL names one, stores 1,000 users whose documents are User
// 1.0.0 and 2.0.0 records, serves them over HTTP at User 3.0.0 (migrated
// on read, old rows repaired as they are read), prints the trace of one
// request, then backfills the table in place and counts the rows by
// version before and after. With OTEL_EXPORTER_OTLP_ENDPOINT set, the
// spans go over OTLP instead.
//
//	make demo-postgres
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/examples/internal/pgserver"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/examples/postgres/usersdb"
	"github.com/transmute-go/transmute/otelhook"
	"github.com/transmute-go/transmute/pgmigrate"
)

func main() {
	n := flag.Int("n", 1000, "users to store")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "postgres:", err)
		os.Exit(1)
	}
}

// run is the whole demo.
func run(ctx context.Context, w io.Writer, n int) error {
	pool, stop, err := connect(ctx)
	if err != nil {
		return err
	}
	defer stop()
	tree, tp, err := tracing(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(context.WithoutCancel(ctx)) }()
	m, err := usermodels.NewTypedManager(tp.Tracer("postgres-demo"), core.WithVersionKey("schema_version"))
	if err != nil {
		return err
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	if err := errors.Join(usersdb.Create(ctx, pool), usersdb.Seed(ctx, pool, n)); err != nil {
		return err
	}
	fmt.Fprintf(w, "stored %d users (User 1.0.0 and 2.0.0, one that cannot migrate)\n", n+1)
	if err := census(ctx, w, pool, m, "before"); err != nil {
		return err
	}
	traceID, err := serve(ctx, w, pool, m, tp)
	if err != nil {
		return err
	}
	if err := printTrace(w, tree, tp, traceID); err != nil {
		return err
	}
	stats, err := pgmigrate.Backfill(ctx, pool, m, usersdb.Table, "User", core.Latest,
		pgmigrate.WithWorkers(2), pgmigrate.WithPageSize(100), pgmigrate.WithRejectsTable("users_rejects"),
		pgmigrate.WithRejects(func(r pgmigrate.Reject) {
			fmt.Fprintf(w, "  rejected user %s: %s\n", r.Key, core.ErrorMessage(r.Err, nil))
		}))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nbackfill: migrated %d, failed %d, in %d pages (see the users_rejects table)\n", stats.Migrated, stats.Failed, stats.Pages)
	return census(ctx, w, pool, m, "after")
}

// serve serves the users over a real HTTP server and reads two of them,
// one under a client span whose trace it returns.
func serve(ctx context.Context, w io.Writer, pool *pgxpool.Pool, m *core.Manager, tp trace.TracerProvider) (trace.TraceID, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return trace.TraceID{}, err
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(usersdb.NewHandler(pool, m), "users", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{}))}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{}))}
	ctx, span := tp.Tracer("postgres-demo").Start(ctx, "read user 1")
	id := span.SpanContext().TraceID()
	for _, user := range []string{"1", "3"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+l.Addr().String()+"/users/"+user, nil)
		if err != nil {
			return id, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return id, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(w, "GET /users/%s → %d %s", user, resp.StatusCode, body)
		span.End() // the first request only is under the span
		ctx = context.WithoutCancel(context.Background())
	}
	return id, nil
}

// census prints how many rows hold each version.
func census(ctx context.Context, w io.Writer, pool *pgxpool.Pool, m *core.Manager, when string) error {
	c, err := pgmigrate.Census(ctx, pool, m, usersdb.Table, "User")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "versions %s:", when)
	for _, v := range c.Versions {
		fmt.Fprintf(w, " %s×%d", v.Version, v.Count)
	}
	fmt.Fprintf(w, " (unused: %v)\n", c.Unused)
	return nil
}

// connect opens DATABASE_URL, or a server started for the demo.
func connect(ctx context.Context) (*pgxpool.Pool, func(), error) {
	dsn, stop := os.Getenv("DATABASE_URL"), func() {}
	if dsn == "" {
		s, err := pgserver.Start()
		if err != nil {
			return nil, nil, err
		}
		dsn, stop = s.DSN("postgres"), func() { _ = s.Stop() }
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return pool, func() { pool.Close(); stop() }, nil
}

// tracing keeps the spans for the console tree, or sends them over OTLP
// when the environment asks for it.
func tracing(ctx context.Context) (*consoletree.Exporter, *sdktrace.TracerProvider, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
		exp, err := otlptracegrpc.New(ctx)
		if err != nil {
			return nil, nil, err
		}
		return nil, sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp)), nil
	}
	tree := consoletree.New()
	return tree, sdktrace.NewTracerProvider(sdktrace.WithSyncer(tree)), nil
}

// printTrace prints the first request's trace: the client span, the
// request, the migration and its steps, the write back.
func printTrace(w io.Writer, tree *consoletree.Exporter, tp *sdktrace.TracerProvider, id trace.TraceID) error {
	if tree == nil {
		fmt.Fprintf(w, "\ntrace %s sent over OTLP\n", id)
		return nil
	}
	_ = tp.ForceFlush(context.Background())
	var spans []sdktrace.ReadOnlySpan
	for _, s := range tree.Spans() {
		if s.SpanContext().TraceID() == id {
			spans = append(spans, s)
		}
	}
	t := consoletree.Build(spans)
	if len(t.Roots) == 0 {
		return errors.New("the request's trace has no span")
	}
	fmt.Fprintf(w, "\ntrace %s: client → request → migration\n", id)
	return consoletree.Write(w, t.Roots[0])
}
