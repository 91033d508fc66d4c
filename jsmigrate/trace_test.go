package jsmigrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/jsmigrate"
	"github.com/transmute-go/transmute/otelhook"
)

// The producer's trace goes through the worker: the migration's spans are
// in the producer's trace, and so is the published record's traceparent.
func TestTheProducersTraceIsCarriedThrough(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prop := propagation.TraceContext{}

	// The producer publishes under a span of its own.
	ctx, producer := tp.Tracer("producer").Start(context.Background(), "publish user")
	h := nats.Header{}
	prop.Inject(ctx, propagation.HeaderCarrier(h))
	if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: "users.created", Data: []byte(`{"schema_version":"1.0.0","name":"Ada Lovelace"}`), Header: h}); err != nil {
		t.Fatal(err)
	}
	producer.End()
	traceID := producer.SpanContext().TraceID()

	m := newManager(t)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	w, err := jsmigrate.New(m, js, config(), jsmigrate.WithPropagator(prop))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(runCtx) }()
	waitFor(t, "the record", func() bool { return w.Stats().Migrated == 1 })
	cancel()
	<-done

	var mig sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.Name() == "migrate User" {
			mig = sp
		}
	}
	if mig == nil || mig.SpanContext().TraceID() != traceID || mig.Parent().SpanID() != producer.SpanContext().SpanID() {
		t.Fatalf("the migration span is not a child of the producer's span (trace %s)", traceID)
	}
	out := readAll(t, js, "USERS_V3")
	if len(out) != 1 || !strings.Contains(out[0].Headers().Get("traceparent"), traceID.String()) {
		t.Fatalf("the published record's traceparent is %q, want trace %s", out[0].Headers().Get("traceparent"), traceID)
	}
	if out[0].Headers().Get(nats.MsgIdHdr) == "" {
		t.Fatal("the published record has no Nats-Msg-Id")
	}
}
