//go:build integration

package integration

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/otelhook"
)

// phaseKey is the baggage member (copied onto the migration spans) that
// says in which phase of a test a migration ran.
const phaseKey = "test.phase"

// newTracedManager returns a manager with the demo models and an
// otelhook hook on tp; a migration of a user with an address makes five
// spans (User, its two steps, Address and its step).
func newTracedManager(t *testing.T, tp *sdktrace.TracerProvider) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) }))
	if err := migratehttp.RegisterModels(m); err != nil {
		t.Fatal(err)
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp), otelhook.WithBaggageAttributes(phaseKey)))
	return m
}

func user(i int) core.Data {
	return core.Data{"name": fmt.Sprintf("User %d", i), "address": map[string]any{"street": "1 Main St", "city": "Paris", "zip": "75001"}}
}

// inPhase returns a ctx whose migrations' spans carry test.phase=phase.
func inPhase(t *testing.T, phase string) context.Context {
	t.Helper()
	m, err := baggage.NewMember(phaseKey, phase)
	if err != nil {
		t.Fatal(err)
	}
	b, err := baggage.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return baggage.ContextWithBaggage(context.Background(), b)
}

// runs is the outcome of migrate.
type runs struct {
	total, slowest time.Duration
	failed         int
}

// migrate runs n migrations one after the other, timing each.
func migrate(ctx context.Context, m *core.Manager, n int) runs {
	var r runs
	start := time.Now()
	for i := range n {
		t0 := time.Now()
		if _, err := m.Migrate(ctx, user(i), "User", "1.0.0", "3.0.0"); err != nil {
			r.failed++
		}
		r.slowest = max(r.slowest, time.Since(t0))
	}
	r.total = time.Since(start)
	return r
}

// closedPort returns a loopback address that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// With no collector listening, migrations go on at the speed they have
// with an exporter that drops everything: none fails and none waits for
// the export (which fails and retries in the background).
func TestNoCollectorListening(t *testing.T) {
	const n = 2000
	down := newProvider(t, serviceName("no-collector"), newExporter(t, closedPort(t)))
	baseline := newProvider(t, serviceName("no-collector-baseline"), tracetest.NewNoopExporter())
	mDown, mBase := newTracedManager(t, down), newTracedManager(t, baseline)
	ctx := context.Background()
	migrate(ctx, mDown, 100) // warm up: caches, the exporter's first attempts
	migrate(ctx, mBase, 100)

	// Alternate the two, keeping the best of each, so that a noisy moment
	// of the machine does not decide.
	var best [2]runs
	for round := range 3 {
		for i, m := range []*core.Manager{mBase, mDown} {
			r := migrate(ctx, m, n)
			if r.failed > 0 {
				t.Fatalf("%d of %d migrations failed", r.failed, n)
			}
			if round == 0 || r.total < best[i].total {
				best[i].total = r.total
			}
			best[i].slowest = max(best[i].slowest, r.slowest)
		}
	}
	ratio := float64(best[1].total) / float64(best[0].total)
	t.Logf("%d migrations: %v with no collector, %v with a no-op exporter (ratio %.2f); slowest migration %v vs %v",
		n, best[1].total, best[0].total, ratio, best[1].slowest, best[0].slowest)
	if ratio > 3 {
		t.Errorf("migrations with no collector are %.1f× slower than with a no-op exporter", ratio)
	}
	// An export attempt takes seconds (connect, retry, time out): a
	// migration that waited for one would show it.
	if best[1].slowest > time.Second {
		t.Errorf("a migration took %v with no collector: it waited for the exporter", best[1].slowest)
	}

	// The collector really was unreachable: flushing fails.
	fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := down.ForceFlush(fctx); err == nil {
		t.Error("ForceFlush to a closed port succeeded: the fault was not injected")
	}
}

// Jaeger stopped and started again while migrations run: the migrations
// go on, and the spans created after the restart reach the new Jaeger.
func TestCollectorRestartedMidRun(t *testing.T) {
	service := serviceName("restart")
	tp := newProvider(t, service, newExporter(t, env(t, "JAEGER_OTLP_GRPC")))
	m := newTracedManager(t, tp)
	const n = 20
	migrated := func(phase string) url.Values {
		return url.Values{"tags": {fmt.Sprintf(`{%q:%q}`, phaseKey, phase)}, "operation": {"migrate User"}}
	}

	if r := migrate(inPhase(t, "before"), m, n); r.failed > 0 {
		t.Fatalf("before: %d migrations failed", r.failed)
	}
	waitTraces(t, service, migrated("before"), 20*time.Second, func(tr []jaegerTrace) bool { return spanCount(tr, "migrate User") >= n })

	stopped := false
	t.Cleanup(func() {
		if stopped { // leave Jaeger up for the tests after this one
			jaegerSh(t, "restart")
		}
	})
	jaegerSh(t, "stop")
	stopped = true
	r := migrate(inPhase(t, "outage"), m, n)
	if r.failed > 0 {
		t.Fatalf("outage: %d migrations failed", r.failed)
	}
	if r.slowest > time.Second {
		t.Errorf("outage: a migration took %v: it waited for the exporter", r.slowest)
	}
	time.Sleep(500 * time.Millisecond) // let the exporter try, and fail, while Jaeger is down

	jaegerSh(t, "restart")
	stopped = false
	if r := migrate(inPhase(t, "after"), m, n); r.failed > 0 {
		t.Fatalf("after: %d migrations failed", r.failed)
	}
	start := time.Now()
	traces := waitTraces(t, service, migrated("after"), 60*time.Second, func(tr []jaegerTrace) bool { return spanCount(tr, "migrate User") >= n })
	t.Logf("the post-restart spans arrived %v after the migrations", time.Since(start).Round(time.Millisecond))
	if got := spanCount(traces, "migrate User"); got != n {
		t.Errorf("%d post-restart migrate User spans in Jaeger, want %d", got, n)
	}
	// Whole traces: each after-phase migration's five spans.
	for _, tr := range traces {
		if len(tr.Spans) != 5 {
			t.Errorf("post-restart trace %s has %d spans, want 5:\n%s", tr.TraceID, len(tr.Spans), describe([]jaegerTrace{tr}))
		}
	}
}

// gatedExporter is a slow exporter: ExportSpans waits until the gate is
// open (or the export times out), then exports. It counts what it is
// given and what it exported.
type gatedExporter struct {
	sdktrace.SpanExporter
	gate     chan struct{}
	calls    atomic.Int64
	exported atomic.Int64
}

func (g *gatedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	g.calls.Add(1)
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	err := g.SpanExporter.ExportSpans(ctx, spans)
	if err == nil {
		g.exported.Add(int64(len(spans)))
	}
	return err
}

// endCounter counts the spans that ended.
type endCounter struct {
	ended atomic.Int64
}

func (c *endCounter) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *endCounter) OnEnd(sdktrace.ReadOnlySpan)                     { c.ended.Add(1) }
func (c *endCounter) Shutdown(context.Context) error                  { return nil }
func (c *endCounter) ForceFlush(context.Context) error                { return nil }

// A slow exporter behind a batch span processor with a small queue: the
// queue fills and the processor drops spans, and the migrations never
// wait for it (they all finish while the exporter is blocked).
func TestSlowExporterDropsAndNeverBlocks(t *testing.T) {
	const (
		queue = 100
		batch = 20
		n     = 500
	)
	service := serviceName("slow-exporter")
	slow := &gatedExporter{SpanExporter: newExporter(t, env(t, "JAEGER_OTLP_GRPC")), gate: make(chan struct{})}
	ends := &endCounter{}
	tp := newProviderBSP(t, service, slow,
		[]sdktrace.BatchSpanProcessorOption{sdktrace.WithMaxQueueSize(queue), sdktrace.WithMaxExportBatchSize(batch)},
		sdktrace.WithSpanProcessor(ends))
	m := newTracedManager(t, tp)

	done := make(chan runs, 1)
	go func() { done <- migrate(context.Background(), m, n) }()
	var r runs
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		close(slow.gate)
		t.Fatal("the migrations did not finish while the exporter was blocked: they wait for it")
	}
	if r.failed > 0 {
		t.Fatalf("%d migrations failed", r.failed)
	}
	if slow.calls.Load() == 0 || slow.exported.Load() != 0 {
		t.Fatalf("the exporter was not blocked during the migrations (calls %d, exported %d)", slow.calls.Load(), slow.exported.Load())
	}
	t.Logf("%d migrations in %v while the exporter was blocked (slowest %v)", n, r.total, r.slowest)

	close(slow.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatalf("ForceFlush: %v", err)
	}
	ended, exported := ends.ended.Load(), slow.exported.Load()
	t.Logf("%d spans ended, %d exported, %d dropped by the full queue", ended, exported, ended-exported)
	if ended != 5*n {
		t.Errorf("%d spans ended, want %d", ended, 5*n)
	}
	// At most the queue and the batch that was waiting in the exporter
	// got through; the rest was dropped.
	if exported == 0 || exported > queue+batch {
		t.Errorf("%d spans exported, want between 1 and %d (queue + one batch)", exported, queue+batch)
	}

	// What was exported is in Jaeger, every span of it.
	waitTraces(t, service, nil, 20*time.Second, func(tr []jaegerTrace) bool { return spanCount(tr, "") == int(exported) })
}
