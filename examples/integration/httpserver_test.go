//go:build integration

package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/otelhook"
)

// newMigrateServer is the httpserver example on a real loopback listener,
// its request and migration spans going to tp.
func newMigrateServer(t *testing.T, tp *sdktrace.TracerProvider) *httptest.Server {
	t.Helper()
	m := core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) }))
	if err := migratehttp.RegisterModels(m); err != nil {
		t.Fatal(err)
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp),
		otelhook.WithBaggageAttributes(migratehttp.RequestIDKey, migratehttp.UserIDKey)))
	srv := httptest.NewServer(migratehttp.NewHandler(m,
		migratehttp.WithTracerProvider(tp), migratehttp.WithPropagators(propagation.TraceContext{})))
	t.Cleanup(srv.Close)
	return srv
}

// request is one call to the server under a client span of its own,
// whose context goes in a traceparent header.
type request struct {
	id, body, query string
	status          int
	trace           trace.TraceID
	client          trace.SpanID
}

func TestHTTPServerTracesInJaeger(t *testing.T) {
	service := serviceName("httpserver")
	tp := newProvider(t, service, newExporter(t, env(t, "JAEGER_OTLP_GRPC")))
	srv := newMigrateServer(t, tp)

	reqs := []*request{
		{id: "ok", query: "model=User&from=1.0.0&to=3.0.0", status: 200,
			body: `{"name":"Ada Lovelace","address":{"street":"1 Main St","city":"London","zip":"N1"}}`},
		{id: "invalid", query: "model=User&from=2.0.0&to=3.0.0", status: 422, body: `{"last_name":"Turing"}`},
		{id: "failing", query: "model=User&from=1.0.0&to=3.0.0", status: 500, body: `{"name":42}`},
	}
	tracer := tp.Tracer("integration-client")
	for _, r := range reqs {
		ctx, span := tracer.Start(context.Background(), "client "+r.id, trace.WithSpanKind(trace.SpanKindClient))
		r.trace, r.client = span.SpanContext().TraceID(), span.SpanContext().SpanID()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/migrate?"+r.query, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
		req.Header.Set(migratehttp.HeaderRequestID, r.id)
		req.Header.Set(migratehttp.HeaderUserID, "user-"+r.id)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		span.End()
		if resp.StatusCode != r.status {
			t.Fatalf("%s: status %d, want %d: %s", r.id, resp.StatusCode, r.status, body)
		}
	}

	// And one request with no trace context: its request span is the root
	// of a trace of its own.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/migrate?model=User&from=1.0.0&to=2.0.0", strings.NewReader(`{"name":"Grace Hopper"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(migratehttp.HeaderRequestID, "no-parent")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("no-parent: status %d", resp.StatusCode)
	}
	rootTrace := func(traces []jaegerTrace) (jaegerTrace, bool) {
		for _, tr := range traces {
			for _, s := range tr.Spans {
				if s.OperationName == "POST /migrate" && s.tagOr(migratehttp.RequestIDKey) == "no-parent" {
					return tr, true
				}
			}
		}
		return jaegerTrace{}, false
	}

	// Every trace complete: client, request, migrations and steps.
	want := map[string]int{"ok": 7, "invalid": 4, "failing": 4}
	traces := waitTraces(t, service, nil, 20*time.Second, func(traces []jaegerTrace) bool {
		for _, r := range reqs {
			tr, ok := traceByID(traces, r.trace.String())
			if !ok || len(tr.Spans) < want[r.id] {
				return false
			}
		}
		tr, ok := rootTrace(traces)
		return ok && len(tr.Spans) >= 3
	})

	root, _ := rootTrace(traces)
	if len(root.Spans) != 3 {
		t.Errorf("no-parent: %d spans, want 3:\n%s", len(root.Spans), describe([]jaegerTrace{root}))
	}
	if s := one(t, root, "POST /migrate"); s.parent() != "" {
		t.Errorf("no-parent: the request span has a parent %s", s.parent())
	} else if mig := one(t, root, "migrate User"); mig.parent() != s.SpanID || one(t, root, "migrate.step User").parent() != mig.SpanID {
		t.Errorf("no-parent: the migration is not under the request span:\n%s", describe([]jaegerTrace{root}))
	}

	for _, r := range reqs {
		tr, _ := traceByID(traces, r.trace.String())
		if len(tr.Spans) != want[r.id] {
			t.Errorf("%s: %d spans in Jaeger, want %d:\n%s", r.id, len(tr.Spans), want[r.id], describe([]jaegerTrace{tr}))
		}
		for _, s := range tr.Spans {
			if p := tr.Processes[s.ProcessID]; p.ServiceName != service {
				t.Errorf("%s: span %s of service %q", r.id, s.OperationName, p.ServiceName)
			}
		}
		server := one(t, tr, "POST /migrate")
		if server.parent() != r.client.String() {
			t.Errorf("%s: the request span's parent is %q, want the client span %s", r.id, server.parent(), r.client)
		}
		if server.tagOr("span.kind") != "server" || server.tagOr("http.response.status_code") != strconv.Itoa(r.status) ||
			server.tagOr("http.route") != "/migrate" || server.tagOr(migratehttp.RequestIDKey) != r.id {
			t.Errorf("%s: request span tags %v", r.id, server.Tags)
		}
		mig := one(t, tr, "migrate User")
		if mig.parent() != server.SpanID {
			t.Errorf("%s: migrate User's parent is %q, want the request span %s", r.id, mig.parent(), server.SpanID)
		}
		if mig.tagOr("span.kind") != "internal" || mig.tagOr("migration.model") != "User" ||
			mig.tagOr("migration.direction") != "up" || mig.tagOr("migration.version.to") != "3.0.0" ||
			mig.tagOr(migratehttp.RequestIDKey) != r.id || mig.tagOr(migratehttp.UserIDKey) != "user-"+r.id {
			t.Errorf("%s: migrate User tags %v", r.id, mig.Tags)
		}
		for _, s := range tr.Spans {
			if s.OperationName == "migrate.step User" && s.parent() != mig.SpanID {
				t.Errorf("%s: a step's parent is %q, want migrate User %s", r.id, s.parent(), mig.SpanID)
			}
		}
	}

	// The successful request: two steps, and the nested Address under the
	// auto step.
	ok, _ := traceByID(traces, reqs[0].trace.String())
	mig := one(t, ok, "migrate User")
	checkTags(t, "ok: migrate User", mig, map[string]string{
		"migration.version.from": "1.0.0", "migration.steps": "2"})
	for _, k := range []string{"error", "error.type", "otel.status_code"} {
		if v, has := mig.tag(k); has {
			t.Errorf("ok: migrate User has %s=%s", k, v)
		}
	}
	steps := all(ok, "migrate.step User")
	if len(steps) != 2 {
		t.Fatalf("ok: %d migrate.step User spans, want 2", len(steps))
	}
	var auto jaegerSpan
	for _, s := range steps {
		if s.tagOr("migration.step.auto") == "true" {
			auto = s
		}
	}
	checkTags(t, "ok: auto step", auto, map[string]string{
		"migration.step.index": "1", "migration.version.from": "2.0.0", "migration.version.to": "3.0.0"})
	addr := one(t, ok, "migrate Address")
	if addr.parent() != auto.SpanID {
		t.Errorf("migrate Address's parent is %q, want the auto step %s", addr.parent(), auto.SpanID)
	}
	checkTags(t, "ok: migrate Address", addr, map[string]string{
		"migration.model": "Address", "migration.version.from": "1.0.0", "migration.version.to": "2.0.0",
		"migration.steps": "1", "migration.direction": "up", migratehttp.RequestIDKey: "ok"})
	if s := one(t, ok, "migrate.step Address"); s.parent() != addr.SpanID {
		t.Errorf("migrate.step Address's parent is %q, want migrate Address", s.parent())
	}

	// The failures: status error and error.type on the migration span; the
	// request span is an error for a 5xx only (otelhttp's server rule).
	invalid, _ := traceByID(traces, reqs[1].trace.String())
	checkTags(t, "invalid: migrate User", one(t, invalid, "migrate User"), map[string]string{
		"otel.status_code": "ERROR", "error": "true", "error.type": "validation", "migration.steps": "1"})
	if v, has := one(t, invalid, "POST /migrate").tag("otel.status_code"); has {
		t.Errorf("invalid: the 422 request span has status %s", v)
	}
	failing, _ := traceByID(traces, reqs[2].trace.String())
	checkTags(t, "failing: migrate User", one(t, failing, "migrate User"), map[string]string{
		"otel.status_code": "ERROR", "error": "true", "error.type": "migration_function"})
	checkTags(t, "failing: migrate.step User", one(t, failing, "migrate.step User"), map[string]string{
		"otel.status_code": "ERROR", "error.type": "migration_function", "migration.step.index": "0"})
	checkTags(t, "failing: POST /migrate", one(t, failing, "POST /migrate"), map[string]string{"otel.status_code": "ERROR"})
	// The status says what failed, and withholds the function's error
	// text, which may quote the record (here its "name" field's type).
	if d := one(t, failing, "migrate User").tagOr("otel.status_description"); d != `migration failed for "User": 1.0.0 → 2.0.0: (error text withheld)` {
		t.Errorf("failing: status description %q", d)
	}
}

func one(t *testing.T, tr jaegerTrace, name string) jaegerSpan {
	t.Helper()
	s := all(tr, name)
	if len(s) != 1 {
		t.Fatalf("%d spans named %q in trace %s, want 1:\n%s", len(s), name, tr.TraceID, describe([]jaegerTrace{tr}))
	}
	return s[0]
}

func all(tr jaegerTrace, name string) []jaegerSpan {
	var out []jaegerSpan
	for _, s := range tr.Spans {
		if s.OperationName == name {
			out = append(out, s)
		}
	}
	return out
}

func checkTags(t *testing.T, what string, s jaegerSpan, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, ok := s.tag(k); !ok || got != v {
			t.Errorf("%s: tag %s = %q (present %v), want %q; tags %v", what, k, got, ok, v, s.Tags)
		}
	}
}
