package otelhook_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
	"github.com/transmute-go/transmute/transmutetest"
)

var wantBuckets = []float64{
	0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005,
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

func TestMetrics(t *testing.T) {
	tel := newTelemetry(t)
	var activeInside int64 = -1
	const inStep = 20 * time.Millisecond
	clock := transmutetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	m := newManager(t, func(context.Context) {
		// While the migration runs, migration.active is 1.
		for _, p := range sumPoints(t, tel.collect(t), otelhook.ActiveMetric).DataPoints {
			if v, _ := p.Attributes.Value(otelhook.ModelKey); v.AsString() == "User" {
				activeInside = p.Value
			}
		}
		clock.Advance(inStep)
	})
	m.AddHook(tel.hook(otelhook.WithClock(clock.Now), otelhook.WithAttributes(attribute.String("span.only", "yes"))))
	ctx := context.Background()
	_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	_, err = m.Migrate(ctx, core.Data{}, "Fail", "1.0.0", "2.0.0")
	if err == nil {
		t.Fatal("Fail succeeded")
	}
	_, err = m.Migrate(ctx, core.Data{"first_name": "A"}, "User", "3.0.0", "1.0.0")
	if !errors.Is(err, core.ErrNoMigrationPath) {
		t.Fatalf("err = %v", err)
	}
	if activeInside != 1 {
		t.Errorf("migration.active during the migration = %d, want 1", activeInside)
	}

	user := []attribute.KeyValue{
		otelhook.ModelKey.String("User"), otelhook.VersionFromKey.String("1.0.0"),
		otelhook.VersionToKey.String("3.0.0"), otelhook.DirectionKey.String("up"),
	}
	fail := []attribute.KeyValue{
		otelhook.ModelKey.String("Fail"), otelhook.VersionFromKey.String("1.0.0"),
		otelhook.VersionToKey.String("2.0.0"), otelhook.DirectionKey.String("up"),
	}
	down := []attribute.KeyValue{
		otelhook.ModelKey.String("User"), otelhook.VersionFromKey.String("3.0.0"),
		otelhook.VersionToKey.String("1.0.0"), otelhook.DirectionKey.String("down"),
	}
	with := func(kv []attribute.KeyValue, more ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(slices.Clone(kv), more...)...)
	}
	step := func(model, from, to string, auto bool, more ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append([]attribute.KeyValue{
			otelhook.ModelKey.String(model), otelhook.VersionFromKey.String(from),
			otelhook.VersionToKey.String(to), otelhook.StepAutoKey.Bool(auto),
		}, more...)...)
	}
	hist := func(sets ...attribute.Set) metricdata.Histogram[float64] {
		h := metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality}
		for _, s := range sets {
			h.DataPoints = append(h.DataPoints, metricdata.HistogramDataPoint[float64]{Attributes: s, Bounds: wantBuckets})
		}
		return h
	}
	want := metricdata.ScopeMetrics{
		Scope: instrumentation.Scope{Name: otelhook.ScopeName, Version: otelhook.Version, SchemaURL: semconv.SchemaURL},
		Metrics: []metricdata.Metrics{
			{
				Name:        otelhook.DurationMetric,
				Description: "Duration of migrations.",
				Unit:        "s",
				Data: hist(
					with(user),
					with(fail, semconv.ErrorTypeKey.String("migration_function")),
					with(down, semconv.ErrorTypeKey.String("no_migration_path")),
				),
			},
			{
				Name:        otelhook.StepDurationMetric,
				Description: "Duration of the steps of migrations.",
				Unit:        "s",
				Data: hist(
					step("User", "1.0.0", "2.0.0", false),
					step("User", "2.0.0", "3.0.0", true),
					step("Fail", "1.0.0", "2.0.0", false, semconv.ErrorTypeKey.String("migration_function")),
				),
			},
			{
				Name:        otelhook.ActiveMetric,
				Description: "Number of migrations in progress.",
				Unit:        "{migration}",
				Data: metricdata.Sum[int64]{
					Temporality: metricdata.CumulativeTemporality,
					IsMonotonic: false,
					DataPoints: []metricdata.DataPoint[int64]{
						{Attributes: attribute.NewSet(otelhook.ModelKey.String("User"))},
						{Attributes: attribute.NewSet(otelhook.ModelKey.String("Fail"))},
					},
				},
			},
		},
	}
	var rm metricdata.ResourceMetrics
	must(t, tel.reader.Collect(context.Background(), &rm))
	var got metricdata.ScopeMetrics
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name == otelhook.ScopeName {
			got = sm
		}
	}
	metricdatatest.AssertEqual(t, want, got, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue(), metricdatatest.IgnoreExemplars())

	// Values: one measurement per migration and per step, each step as
	// long as the hook's clock moved in it, and the active counter back
	// to 0. (The migration's own duration is the engine's, Event.Elapsed:
	// TestRecordsTheEnginesDuration.)
	ms := tel.collect(t)
	if p, _ := histPoint(histogramPoints(t, ms, otelhook.DurationMetric), user...); p.Count != 1 {
		t.Errorf("User duration: count %d, want 1", p.Count)
	}
	for _, tc := range []struct {
		step attribute.Set
		want time.Duration
	}{
		{step("User", "1.0.0", "2.0.0", false), inStep},
		{step("User", "2.0.0", "3.0.0", true), 0},
	} {
		sp, _ := histPoint(histogramPoints(t, ms, otelhook.StepDurationMetric), tc.step.ToSlice()...)
		if sp.Count != 1 || sp.Sum != tc.want.Seconds() {
			t.Errorf("step %s: count %d sum %v, want 1 and %v", setString(tc.step), sp.Count, sp.Sum, tc.want.Seconds())
		}
	}
	for _, d := range sumPoints(t, ms, otelhook.ActiveMetric).DataPoints {
		if d.Value != 0 {
			t.Errorf("active %s = %d, want 0", setString(d.Attributes), d.Value)
		}
	}
}

// toggledMeterProvider is an SDK meter provider whose instruments say
// they are enabled only while on is set (as the global provider's do once
// a provider is set); measurements reach the SDK whatever on is.
type toggledMeterProvider struct {
	noop.MeterProvider
	sdk metric.MeterProvider
	on  *atomic.Bool
}

func (p toggledMeterProvider) Meter(name string, opts ...metric.MeterOption) metric.Meter {
	return toggledMeter{Meter: p.sdk.Meter(name, opts...), on: p.on}
}

type toggledMeter struct {
	metric.Meter
	on *atomic.Bool
}

func (m toggledMeter) Float64Histogram(name string, opts ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	h, err := m.Meter.Float64Histogram(name, opts...)
	return toggledHistogram{h, m.on}, err
}

func (m toggledMeter) Int64UpDownCounter(name string, opts ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	c, err := m.Meter.Int64UpDownCounter(name, opts...)
	return toggledCounter{c, m.on}, err
}

type toggledHistogram struct {
	metric.Float64Histogram
	on *atomic.Bool
}

func (h toggledHistogram) Enabled(ctx context.Context) bool {
	return h.on.Load() && h.Float64Histogram.Enabled(ctx)
}

type toggledCounter struct {
	metric.Int64UpDownCounter
	on *atomic.Bool
}

func (c toggledCounter) Enabled(ctx context.Context) bool {
	return c.on.Load() && c.Int64UpDownCounter.Enabled(ctx)
}

// A meter that becomes enabled during a migration (a global provider set
// late) never takes migration.active below 0: only a migration that was
// counted in is counted out.
func TestActiveBalancedWhenMeterTurnsOn(t *testing.T) {
	tel := newTelemetry(t)
	on := &atomic.Bool{}
	m := newManager(t, func(context.Context) { on.Store(true) })
	m.AddHook(otelhook.New(
		otelhook.WithTracerProvider(tel.tp),
		otelhook.WithMeterProvider(toggledMeterProvider{sdk: tel.mp, on: on}),
		otelhook.WithFilter(func(context.Context, core.Event) bool { return false }),
	))
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	_, err = m.Migrate(context.Background(), core.Data{"name": "Alan Turing"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	for _, p := range sumPoints(t, tel.collect(t), otelhook.ActiveMetric).DataPoints {
		if p.Value != 0 {
			t.Errorf("active %s = %d, want 0", setString(p.Attributes), p.Value)
		}
	}
}

// failingMeter fails to create every instrument.
type failingMeter struct{ noop.Meter }

var errNoInstrument = errors.New("no instrument for you")

func (failingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errNoInstrument
}

func (failingMeter) Int64UpDownCounter(string, ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	return nil, errNoInstrument
}

type failingMeterProvider struct{ noop.MeterProvider }

func (failingMeterProvider) Meter(string, ...metric.MeterOption) metric.Meter { return failingMeter{} }

// Instruments that cannot be created are reported to the OTel error
// handler; the hook works on, with spans.
func TestInstrumentErrors(t *testing.T) {
	caught := catchOtelErrors(t)
	tel := newTelemetry(t)
	h := otelhook.New(otelhook.WithTracerProvider(tel.tp), otelhook.WithMeterProvider(failingMeterProvider{}))
	errs := caught.get()
	if len(errs) != 3 {
		t.Fatalf("%d errors handled, want 3: %v", len(errs), errs)
	}
	for _, err := range errs {
		if !errors.Is(err, errNoInstrument) {
			t.Errorf("handled %v, want it to wrap the meter's error", err)
		}
	}
	m := newManager(t, nil)
	m.AddHook(h)
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	if got := names(tel.ended(t)); len(got) != 3 {
		t.Errorf("spans %v", got)
	}
}

// migration.duration is the duration the engine measured (Event.Elapsed),
// not one of the hook's own; a step is timed by the hook, from its
// BeforeStep to its AfterStep.
func TestRecordsTheEnginesDuration(t *testing.T) {
	tel := newTelemetry(t)
	clock := transmutetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	h := tel.hook(otelhook.WithClock(clock.Now))
	v1, v2 := core.MustParseVersion("1.0.0"), core.MustParseVersion("2.0.0")
	e := core.Event{Model: "User", From: v1, To: v2, Path: []core.Version{v1, v2}, Start: clock.Now()}
	st := core.Step{From: v1, To: v2}
	ctx := h.BeforeMigrate(context.Background(), e)
	sctx := h.BeforeStep(ctx, e, st)
	clock.Advance(3 * time.Millisecond)
	h.AfterStep(sctx, e, st, nil)
	clock.Advance(time.Hour) // the hook does not time the migration itself
	e.Elapsed = 5 * time.Millisecond
	h.AfterMigrate(ctx, e, core.Record{})

	ms := tel.collect(t)
	if p := histogramPoints(t, ms, otelhook.DurationMetric); len(p) != 1 || p[0].Count != 1 || p[0].Sum != 0.005 {
		t.Errorf("%s: %+v, want one point of sum 0.005", otelhook.DurationMetric, p)
	}
	if p := histogramPoints(t, ms, otelhook.StepDurationMetric); len(p) != 1 || p[0].Count != 1 || p[0].Sum != 0.003 {
		t.Errorf("%s: %+v, want one point of sum 0.003", otelhook.StepDurationMetric, p)
	}
}

// Steps are timed one after the other: a step starts where the previous
// one ended (the engine runs them back to back), so the step durations of
// a migration add up to the time from the first BeforeStep to the last
// AfterStep, the time between two steps included.
func TestStepsTimedInChain(t *testing.T) {
	tel := newTelemetry(t)
	clock := transmutetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	h := tel.hook(otelhook.WithClock(clock.Now))
	v1, v2, v3 := core.MustParseVersion("1.0.0"), core.MustParseVersion("2.0.0"), core.MustParseVersion("3.0.0")
	e := core.Event{Model: "User", From: v1, To: v3, Path: []core.Version{v1, v2, v3}, Start: clock.Now()}
	ctx := h.BeforeMigrate(context.Background(), e)
	clock.Advance(time.Second) // before the first step: not a step's
	for i, st := range []core.Step{{Index: 0, From: v1, To: v2}, {Index: 1, From: v2, To: v3}} {
		if i > 0 {
			clock.Advance(3 * time.Millisecond) // between the steps: the second's
		}
		sctx := h.BeforeStep(ctx, e, st)
		clock.Advance(time.Duration(i+2) * time.Millisecond)
		h.AfterStep(sctx, e, st, nil)
	}
	e.Elapsed = clock.Now().Sub(e.Start)
	h.AfterMigrate(ctx, e, core.Record{})

	points := histogramPoints(t, tel.collect(t), otelhook.StepDurationMetric)
	want := map[string]float64{"1.0.0": 0.002, "2.0.0": 0.006}
	if len(points) != len(want) {
		t.Fatalf("%d step points", len(points))
	}
	for _, p := range points {
		from, _ := p.Attributes.Value(otelhook.VersionFromKey)
		if p.Count != 1 || p.Sum != want[from.AsString()] {
			t.Errorf("step from %s: count %d sum %v, want 1 and %v", from.AsString(), p.Count, p.Sum, want[from.AsString()])
		}
	}
}
