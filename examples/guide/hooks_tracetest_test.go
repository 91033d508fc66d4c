package guide_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// spanAttr returns the value of a span's attribute, as a string.
func spanAttr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

func TestMigrationSpans(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	m := newManager()
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada", "country": 7}, "User", "1.0.0", "3.0.0")
	if err == nil {
		t.Fatal("want a validation error")
	}

	spans := recorder.Ended() // children end first
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3: two steps and the migration", len(spans))
	}
	mig := spans[2]
	if mig.Name() != "migrate User" || mig.Status().Code != codes.Error {
		t.Errorf("span %q status %v, want migrate User with an error", mig.Name(), mig.Status().Code)
	}
	if got := spanAttr(mig, "error.type"); got != "validation" {
		t.Errorf("error.type = %q, want validation", got)
	}
	for _, step := range spans[:2] {
		if step.Name() != "migrate.step User" || step.Parent().SpanID() != mig.SpanContext().SpanID() {
			t.Errorf("span %q is not a step of the migration", step.Name())
		}
		if step.Status().Code == codes.Error {
			t.Errorf("step %s failed; the steps succeeded, the validation failed", spanAttr(step, "migration.step.index"))
		}
	}
}
