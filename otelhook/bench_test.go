package otelhook_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// The benchmarks migrate one User record 1.0.0 → 3.0.0 (two steps: a
// function and an auto-migration, then validation). Compare, in one run:
//
//	Migrate/no-hooks                   the baseline
//	Migrate/unsampled-parent/*         ParentBased(NeverSample), ctx with an unsampled parent
//	Migrate/unsampled-root/*           ParentBased(NeverSample), no parent span
//	Migrate/sampled/*                  AlwaysSample, BatchSpanProcessor, exporter that drops
//	BareSpans                          the SDK's cost of the same 3 spans, without transmute
//
// "noop-meter" uses metric/noop; "sdk-meter" an SDK MeterProvider with a
// ManualReader.

// discard is a SpanExporter that drops every span.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

var benchInput = core.Data{"name": "Ada Lovelace"}

func neverSampled(tb testing.TB) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func alwaysSampled(tb testing.TB) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(discard{}),
	)
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

func sdkMeter(tb testing.TB) metric.MeterProvider {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp
}

// unsampledParent is the ctx of a request whose trace is not sampled.
func unsampledParent() context.Context {
	return trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 1}, SpanID: trace.SpanID{0x4b, 2}, Remote: true,
	}))
}

func benchMigrate(b *testing.B, m *core.Manager, ctx context.Context) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Migrate(ctx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMigrate(b *testing.B) {
	meters := []struct {
		name string
		mp   func(testing.TB) metric.MeterProvider
	}{
		{"noop-meter", func(testing.TB) metric.MeterProvider { return metricnoop.NewMeterProvider() }},
		{"sdk-meter", sdkMeter},
	}
	b.Run("no-hooks", func(b *testing.B) {
		benchMigrate(b, newManager(b, nil), context.Background())
	})
	for _, mt := range meters {
		b.Run("unsampled-parent/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, unsampledParent())
		})
	}
	for _, mt := range meters {
		b.Run("unsampled-root/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, context.Background())
		})
	}
	for _, mt := range meters {
		b.Run("sampled/"+mt.name, func(b *testing.B) {
			m := newManager(b, nil)
			m.AddHook(otelhook.New(otelhook.WithTracerProvider(alwaysSampled(b)), otelhook.WithMeterProvider(mt.mp(b))))
			benchMigrate(b, m, context.Background())
		})
	}
}

// BenchmarkBareSpans is the SDK's own cost of what the sampled benchmark
// traces: one span with 5 attributes and two child spans with 5 attributes
// each, started and ended on the same provider (attributes precomputed, as
// the hook does).
func BenchmarkBareSpans(b *testing.B) {
	spans := bareSpans(alwaysSampled(b))
	b.ReportAllocs()
	for b.Loop() {
		spans()
	}
}

// bareSpans returns a func that starts and ends the spans of one traced
// migration, without transmute.
func bareSpans(tp trace.TracerProvider) func() {
	tr := tp.Tracer("bare")
	parent := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
		attribute.String("migration.model", "User"), attribute.String("migration.version.from", "1.0.0"),
		attribute.String("migration.version.to", "3.0.0"), attribute.Int("migration.steps", 2),
		attribute.String("migration.direction", "up"),
	)}
	step := func(i int, from, to string, auto bool) []trace.SpanStartOption {
		return []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
			attribute.String("migration.model", "User"), attribute.Int("migration.step.index", i),
			attribute.String("migration.version.from", from), attribute.String("migration.version.to", to),
			attribute.Bool("migration.step.auto", auto),
		)}
	}
	steps := [][]trace.SpanStartOption{step(0, "1.0.0", "2.0.0", false), step(1, "2.0.0", "3.0.0", true)}
	ctx := context.Background()
	return func() {
		pctx, span := tr.Start(ctx, "migrate User", parent...)
		for _, opts := range steps {
			_, s := tr.Start(pctx, "migrate.step User", opts...)
			s.End()
		}
		span.End()
	}
}

// BenchmarkRatio runs a migration with otelhook and its baseline in
// alternating blocks of the same benchmark and reports x-base, the median
// of the blocks' time ratios (1.00: no cost). Pairing neighbouring blocks
// and taking the median keeps the ratio steady on a noisy machine, where a
// block now and then loses the CPU. The baseline is Migrate with no hooks;
// for the sampled cases it is Migrate with no hooks plus BareSpans on a
// provider of the same configuration (AlwaysSample, BatchSpanProcessor, an
// exporter that drops). The vs-nop-hook cases compare with Migrate with a
// hook that does nothing (core's own cost of calling hooks taken out).
func BenchmarkRatio(b *testing.B) {
	meters := []struct {
		name string
		mp   func(testing.TB) metric.MeterProvider
	}{
		{"noop-meter", func(testing.TB) metric.MeterProvider { return metricnoop.NewMeterProvider() }},
		{"sdk-meter", sdkMeter},
	}
	for _, c := range []struct {
		name    string
		tp      func(testing.TB) *sdktrace.TracerProvider
		ctx     context.Context
		sampled bool
		nop     bool // baseline: a hook that does nothing
		bare    bool // baseline: plus the SDK's cost of the measurements
	}{
		{"unsampled-parent", neverSampled, unsampledParent(), false, false, false},
		{"unsampled-root", neverSampled, context.Background(), false, false, false},
		{"sampled", alwaysSampled, context.Background(), true, false, false},
		{"vs-nop-hook/unsampled-parent", neverSampled, unsampledParent(), false, true, false},
		{"vs-bare-measurements/unsampled-parent", neverSampled, unsampledParent(), false, false, true},
		{"vs-bare-measurements/sampled", alwaysSampled, context.Background(), true, false, true},
	} {
		for _, mt := range meters {
			if c.bare && mt.name != "sdk-meter" {
				continue
			}
			b.Run(c.name+"/"+mt.name, func(b *testing.B) {
				none, with := newManager(b, nil), newManager(b, nil)
				with.AddHook(otelhook.New(otelhook.WithTracerProvider(c.tp(b)), otelhook.WithMeterProvider(mt.mp(b))))
				baseCtx := context.Background()
				if c.nop {
					none.AddHook(nopHook{})
					baseCtx = c.ctx
				}
				spans, measure := func() {}, func() {}
				if c.sampled {
					spans = bareSpans(c.tp(b))
				}
				if c.bare {
					measure = bareMeasurements(mt.mp(b))
				}
				base := func(n int) time.Duration {
					start := time.Now()
					for range n {
						if _, err := none.Migrate(baseCtx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
							b.Fatal(err)
						}
						spans()
						measure()
					}
					return time.Since(start)
				}
				hooked := func(n int) time.Duration {
					start := time.Now()
					for range n {
						if _, err := with.Migrate(c.ctx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
							b.Fatal(err)
						}
					}
					return time.Since(start)
				}
				ratio, baseNs, hookNs := interleave(b, base, hooked)
				b.ReportMetric(ratio, "x-base")
				b.ReportMetric(baseNs, "base-ns/op")
				b.ReportMetric(hookNs, "hook-ns/op")
			})
		}
	}
}

// bareMeasurements returns a func that makes the measurements of one
// migration of two steps, without transmute: the same instruments and
// attribute sets (precomputed) as the hook's, and as many clock readings.
func bareMeasurements(mp metric.MeterProvider) func() {
	return bareMeasurementsSteps(mp, [2]bool{false, true})
}

// bareMeasurementsSteps is bareMeasurements for two steps whose auto flags
// are auto.
func bareMeasurementsSteps(mp metric.MeterProvider, auto [2]bool) func() {
	meter := mp.Meter("bare")
	buckets := metric.WithExplicitBucketBoundaries(wantBuckets...)
	dur, _ := meter.Float64Histogram("migration.duration", metric.WithUnit("s"), buckets)
	stepDur, _ := meter.Float64Histogram("migration.step.duration", metric.WithUnit("s"), buckets)
	active, _ := meter.Int64UpDownCounter("migration.active", metric.WithUnit("{migration}"))
	set := func(kv ...attribute.KeyValue) attribute.Set { return attribute.NewSet(kv...) }
	model := []metric.AddOption{metric.WithAttributeSet(set(attribute.String("migration.model", "User")))}
	mig := []metric.RecordOption{metric.WithAttributeSet(set(
		attribute.String("migration.model", "User"), attribute.String("migration.version.from", "1.0.0"),
		attribute.String("migration.version.to", "3.0.0"), attribute.String("migration.direction", "up")))}
	step := func(from, to string, auto bool) []metric.RecordOption {
		return []metric.RecordOption{metric.WithAttributeSet(set(
			attribute.String("migration.model", "User"), attribute.String("migration.version.from", from),
			attribute.String("migration.version.to", to), attribute.Bool("migration.step.auto", auto)))}
	}
	steps := [][]metric.RecordOption{step("1.0.0", "2.0.0", auto[0]), step("2.0.0", "3.0.0", auto[1])}
	ctx := context.Background()
	return func() {
		start := time.Now()
		active.Add(ctx, 1, model...)
		for _, opts := range steps {
			s := time.Now()
			stepDur.Record(ctx, time.Since(s).Seconds(), opts...)
		}
		dur.Record(ctx, time.Since(start).Seconds(), mig...)
		active.Add(ctx, -1, model...)
	}
}

// nopHook observes migrations and steps and does nothing: what core costs
// to call a hook.
type nopHook struct{ core.NopHook }

func (nopHook) BeforeStep(ctx context.Context, _ core.Event, _ core.Step) context.Context { return ctx }
func (nopHook) AfterStep(context.Context, core.Event, core.Step, error)                   {}

// interleave runs b.N iterations of base and of with, in alternating
// blocks (in alternating order), and returns the median of the blocks'
// time ratios with/base and the median times per iteration.
func interleave(b *testing.B, base, with func(n int) time.Duration) (ratio, baseNs, withNs float64) {
	const block = 100
	var ratios, bs, ws []float64
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; done, i = done+block, i+1 {
		n := min(block, b.N-done)
		var tb, tw time.Duration
		if i%2 == 0 {
			tb, tw = base(n), with(n)
		} else {
			tw, tb = with(n), base(n)
		}
		ratios = append(ratios, float64(tw)/float64(tb))
		bs = append(bs, float64(tb.Nanoseconds())/float64(n))
		ws = append(ws, float64(tw.Nanoseconds())/float64(n))
	}
	return median(ratios), median(bs), median(ws)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)/2]
}
