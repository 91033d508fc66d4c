//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// env returns a variable that `make integration` exports; a missing one
// fails the test (never a skip: under the integration tag, Jaeger must be
// there).
func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the integration tests with `make integration`", name)
	}
	return v
}

// jaegerSh runs scripts/jaeger.sh (stop, restart) for fault injection.
func jaegerSh(t *testing.T, cmd string) {
	t.Helper()
	script := filepath.Join(env(t, "TRANSMUTE_ROOT"), "scripts", "jaeger.sh")
	out, err := exec.Command(script, cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/jaeger.sh %s: %v\n%s", cmd, err, out)
	}
}

var serviceSeq atomic.Int64

// serviceName returns a service name that no other test (nor an earlier
// run against the same Jaeger) uses.
func serviceName(test string) string {
	return fmt.Sprintf("transmute-it-%s-%d-%d", test, time.Now().UnixNano(), serviceSeq.Add(1))
}

// newExporter returns an OTLP gRPC exporter to endpoint (host:port),
// without TLS, as a user sends to Jaeger or Tempo.
func newExporter(t *testing.T, endpoint string, opts ...otlptracegrpc.Option) sdktrace.SpanExporter {
	t.Helper()
	opts = append([]otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure()}, opts...)
	exp, err := otlptracegrpc.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// newProvider returns an always-sampling provider for service whose spans
// go to exp through a batch span processor (with a short batch timeout,
// so that spans leave soon), shut down at the end of the test (bounded:
// an unreachable collector must not hold the test).
func newProvider(t *testing.T, service string, exp sdktrace.SpanExporter, opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	t.Helper()
	return newProviderBSP(t, service, exp, nil, opts...)
}

func newProviderBSP(t *testing.T, service string, exp sdktrace.SpanExporter, bsp []sdktrace.BatchSpanProcessorOption, opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	t.Helper()
	bsp = append([]sdktrace.BatchSpanProcessorOption{sdktrace.WithBatchTimeout(100 * time.Millisecond)}, bsp...)
	opts = append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service))),
		sdktrace.WithBatcher(exp, bsp...),
	}, opts...)
	tp := sdktrace.NewTracerProvider(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
	})
	return tp
}

// Jaeger's query API JSON (GET /api/traces).
type jaegerTrace struct {
	TraceID   string                   `json:"traceID"`
	Spans     []jaegerSpan             `json:"spans"`
	Processes map[string]jaegerProcess `json:"processes"`
}

type jaegerSpan struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	References    []jaegerRef `json:"references"`
	Tags          []jaegerTag `json:"tags"`
	ProcessID     string      `json:"processID"`
	StartTime     int64       `json:"startTime"`
}

type jaegerRef struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type jaegerProcess struct {
	ServiceName string `json:"serviceName"`
}

// tag returns the value of a span's tag as text ("" when absent) and
// whether it is there.
func (s jaegerSpan) tag(key string) (string, bool) {
	for _, tg := range s.Tags {
		if tg.Key == key {
			return fmt.Sprint(tg.Value), true
		}
	}
	return "", false
}

func (s jaegerSpan) tagOr(key string) string {
	v, _ := s.tag(key)
	return v
}

// parent returns the span's CHILD_OF parent span id, or "".
func (s jaegerSpan) parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

// fetchTraces asks Jaeger for the traces of service (and the extra query
// parameters, such as tags).
func fetchTraces(ctx context.Context, base, service string, extra url.Values) ([]jaegerTrace, error) {
	q := url.Values{"service": {service}, "limit": {"5000"}, "lookback": {"1h"}}
	for k, v := range extra {
		q[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/traces?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/traces: %s: %s", resp.Status, b)
	}
	var body struct {
		Data []jaegerTrace `json:"data"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, fmt.Errorf("GET /api/traces: %w: %s", err, b)
	}
	return body.Data, nil
}

// waitTraces polls Jaeger (every 200 ms, for at most timeout) until done
// accepts the traces of service, and returns them; it fails the test with
// the last answer otherwise.
func waitTraces(t *testing.T, service string, extra url.Values, timeout time.Duration, done func([]jaegerTrace) bool) []jaegerTrace {
	t.Helper()
	base := env(t, "JAEGER_QUERY_URL")
	deadline := time.Now().Add(timeout)
	var last []jaegerTrace
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		traces, err := fetchTraces(ctx, base, service, extra)
		cancel()
		if err == nil {
			last = traces
			if done(traces) {
				return traces
			}
		}
		lastErr = err
		if time.Now().After(deadline) {
			t.Fatalf("Jaeger did not have the expected traces of %s after %s (last error: %v); it had:\n%s",
				service, timeout, lastErr, describe(last))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// spanCount returns the number of spans, in all traces, named name ("" for
// any name).
func spanCount(traces []jaegerTrace, name string) int {
	n := 0
	for _, tr := range traces {
		for _, s := range tr.Spans {
			if name == "" || s.OperationName == name {
				n++
			}
		}
	}
	return n
}

// traceByID returns the trace with the given id (as an OTel TraceID's
// String), if Jaeger has it.
func traceByID(traces []jaegerTrace, id string) (jaegerTrace, bool) {
	for _, tr := range traces {
		if strings.TrimLeft(tr.TraceID, "0") == strings.TrimLeft(id, "0") {
			return tr, true
		}
	}
	return jaegerTrace{}, false
}

func describe(traces []jaegerTrace) string {
	var b strings.Builder
	for _, tr := range traces {
		fmt.Fprintf(&b, "trace %s:\n", tr.TraceID)
		for _, s := range tr.Spans {
			fmt.Fprintf(&b, "  %s %s (parent %s)\n", s.OperationName, s.SpanID, s.parent())
		}
		if b.Len() > 20000 {
			b.WriteString("  ...\n")
			break
		}
	}
	return b.String()
}
