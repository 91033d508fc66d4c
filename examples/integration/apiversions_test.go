//go:build integration

package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/examples/apiversions/usersapi"
	"github.com/transmute-go/transmute/httpversion"
	"github.com/transmute-go/transmute/otelhook"
)

// TestAPIVersionsInJaeger: a 2024-01-01 client creates a user through the
// apiversions service behind otelhttp; in Jaeger, under the server span:
// the request's migration up, the handler's span, the response's
// migration down, in that order. The version-usage metric is read
// through the Prometheus exporter.
func TestAPIVersionsInJaeger(t *testing.T) {
	service := serviceName("apiversions")
	tp := newProvider(t, service, newExporter(t, env(t, "JAEGER_OTLP_GRPC")))
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	m, err := usersapi.NewManager()
	if err != nil {
		t.Fatal(err)
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	api, err := httpversion.New(m, usersapi.Versions, httpversion.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	prop := otelhttp.WithPropagators(propagation.TraceContext{})
	srv := httptest.NewServer(otelhttp.NewHandler(usersapi.NewHandler(api, tp.Tracer("usersapi")), "users", otelhttp.WithTracerProvider(tp), prop))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp), prop)}

	ctx, span := tp.Tracer("it").Start(context.Background(), "client", trace.WithSpanKind(trace.SpanKindClient))
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/users/1",
		strings.NewReader(`{"name":"Ada Lovelace","email":"ada@example.com","nickname":"ada","address":{"street":"1 Main St","city":"London"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("API-Version", "2024-01-01")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	span.End()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("API-Version") != "2024-01-01" || !strings.Contains(string(body), `"name":"Ada Lovelace"`) {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	id := span.SpanContext().TraceID().String()
	traces := waitTraces(t, service, nil, 20*time.Second, func(traces []jaegerTrace) bool {
		tr, ok := traceByID(traces, id)
		return ok && spanCount([]jaegerTrace{tr}, "migrate.step User") == 4 && spanCount([]jaegerTrace{tr}, "store user") == 1
	})
	tr, _ := traceByID(traces, id)
	server := one(t, tr, "POST /users/{id}")
	store := one(t, tr, "store user")
	migs := all(tr, "migrate User")
	if len(migs) != 2 {
		t.Fatalf("%d migrate User spans:\n%s", len(migs), describe([]jaegerTrace{tr}))
	}
	up, down := migs[0], migs[1]
	if up.tagOr("migration.direction") != "up" {
		up, down = down, up
	}
	checkTags(t, "up", up, map[string]string{"migration.direction": "up", "migration.version.from": "1.0.0", "migration.version.to": "3.0.0"})
	checkTags(t, "down", down, map[string]string{"migration.direction": "down", "migration.version.from": "3.0.0", "migration.version.to": "1.0.0"})
	for _, s := range []jaegerSpan{up, store, down} {
		if s.parent() != server.SpanID {
			t.Fatalf("%s is not under the server span:\n%s", s.OperationName, describe([]jaegerTrace{tr}))
		}
	}
	if !(up.StartTime <= store.StartTime && store.StartTime <= down.StartTime) {
		t.Fatalf("not up, handler, down: %d %d %d", up.StartTime, store.StartTime, down.StartTime)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() != "transmute_api_requests_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["api_version"] == "2024-01-01" && labels["http_route"] == "POST /users/{id}" && labels["outcome"] == "ok" && mt.GetCounter().GetValue() == 1 {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("transmute_api_requests_total{api_version=2024-01-01,http_route=POST /users/{id},outcome=ok} 1 is not exported")
	}
}
