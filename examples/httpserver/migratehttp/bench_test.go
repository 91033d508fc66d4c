package migratehttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/otelhook"
)

// benchHandler is the handler over the demo models, with otelhook on the
// manager when traced.
func benchHandler(b *testing.B, tp trace.TracerProvider, traced bool) http.Handler {
	b.Helper()
	m := core.NewManager()
	if err := migratehttp.RegisterModels(m); err != nil {
		b.Fatal(err)
	}
	if traced {
		m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp),
			otelhook.WithBaggageAttributes(migratehttp.RequestIDKey, migratehttp.UserIDKey)))
	}
	return migratehttp.NewHandler(m, migratehttp.WithTracerProvider(tp))
}

// BenchmarkServeMigrate serves one POST /migrate of a user with an
// address (two migrations, three steps) per iteration, in process (no
// network). The baseline is "untraced": the same handler with a no-op
// tracer provider and no otelhook; compare the others with it.
func BenchmarkServeMigrate(b *testing.B) {
	body := []byte(userWithAddress)
	const target = "/migrate?model=User&from=1.0.0&to=3.0.0"
	sampled := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	b.Cleanup(func() {
		_ = sampled.Shutdown(context.Background())
		_ = unsampled.Shutdown(context.Background())
	})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"untraced", benchHandler(b, tracenoop.NewTracerProvider(), false)},
		{"otel-unsampled", benchHandler(b, unsampled, true)},
		{"otel-sampled", benchHandler(b, sampled, true)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
				req.Header.Set(migratehttp.HeaderUserID, "u1")
				rec := httptest.NewRecorder()
				bc.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
	// For scale: the migration alone, with no HTTP and no hook.
	b.Run("migrate-only", func(b *testing.B) {
		m := core.NewManager()
		if err := migratehttp.RegisterModels(m); err != nil {
			b.Fatal(err)
		}
		var d core.Data
		if err := json.Unmarshal(body, &d); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Migrate(context.Background(), d, "User", "1.0.0", "3.0.0"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
