package migratehttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/otelhook"
)

// fixture is the example's server on a real loopback listener, traced
// into a span recorder, with a JSON logger writing to a buffer.
type fixture struct {
	srv  *httptest.Server
	m    *core.Manager
	sr   *tracetest.SpanRecorder
	tp   *sdktrace.TracerProvider
	logs *syncBuffer
}

var propagators = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

func newFixture(t *testing.T, opts ...migratehttp.Option) *fixture {
	t.Helper()
	f := &fixture{sr: tracetest.NewSpanRecorder(), logs: &syncBuffer{}}
	f.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.sr))
	// A hook that panics, or any error the manager cannot return, fails
	// the test.
	f.m = core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) }))
	if err := migratehttp.RegisterModels(f.m); err != nil {
		t.Fatal(err)
	}
	f.m.AddHook(
		otelhook.New(otelhook.WithTracerProvider(f.tp),
			otelhook.WithBaggageAttributes(migratehttp.RequestIDKey, migratehttp.UserIDKey)),
		hooks.NewLogger(slog.New(slog.NewJSONHandler(f.logs, nil))),
	)
	opts = append([]migratehttp.Option{
		migratehttp.WithTracerProvider(f.tp),
		migratehttp.WithPropagators(propagators),
	}, opts...)
	f.srv = httptest.NewServer(migratehttp.NewHandler(f.m, opts...))
	t.Cleanup(f.srv.Close)
	return f
}

// result is a response read whole.
type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// post sends body to /migrate with the query and headers given.
func (f *fixture) post(t *testing.T, ctx context.Context, query, body string, header map[string]string) result {
	t.Helper()
	r, err := f.send(ctx, query, body, header)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is post for any goroutine: it returns the error.
func (f *fixture) send(ctx context.Context, query, body string, header map[string]string) (result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL+"/migrate?"+query, strings.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return roundTrip(f.srv.Client(), req)
}

func do(t *testing.T, c *http.Client, req *http.Request) result {
	t.Helper()
	r, err := roundTrip(c, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func roundTrip(c *http.Client, req *http.Request) (result, error) {
	resp, err := c.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, err
	}
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			return r, fmt.Errorf("response body is not JSON: %v\n%s", err, raw)
		}
	}
	return r, nil
}

// waitEnded waits (at most 10 s) until the recorder holds spans for
// which done returns true, and returns them. The server span ends after
// the response is sent, so a test must wait for it.
func (f *fixture) waitEnded(t *testing.T, done func([]sdktrace.ReadOnlySpan) bool) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := f.sr.Ended()
		if done(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			t.Fatalf("spans not ended in time; have:\n%s", dump(spans))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// count returns the number of spans named name.
func count(spans []sdktrace.ReadOnlySpan, name string) int {
	n := 0
	for _, s := range spans {
		if s.Name() == name {
			n++
		}
	}
	return n
}

// named returns the spans named name.
func named(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// attr returns the value of a span's attribute, and whether it has it.
func attr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func attrString(s sdktrace.ReadOnlySpan, key string) string {
	v, _ := attr(s, key)
	return v.String()
}

func dump(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString("  " + s.Name() + " " + s.SpanContext().SpanID().String() + " parent " + s.Parent().SpanID().String() + "\n")
	}
	return b.String()
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records returns the JSON log records written so far.
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, rec)
	}
	return out
}
