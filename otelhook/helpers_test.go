package otelhook_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// The User model: 1.0.0 → 2.0.0 by a function, 2.0.0 → 3.0.0 automatic.
type userV1 struct {
	Name string `json:"name"`
}

type userV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type userV3 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email" default:"\"unknown@example.com\""`
}

// The Order model holds an Address: Order 1.0.0 → 2.0.0 is automatic and
// migrates the nested Address 1.0.0 → 2.0.0 (a function) inside its step.
type addressV1 struct {
	Zip string `json:"zip"`
}

type addressV2 struct {
	Postcode string `json:"postcode"`
}

type orderV1 struct {
	ID      string    `json:"id"`
	Address addressV1 `json:"address"`
}

type orderV2 struct {
	ID      string    `json:"id"`
	Address addressV2 `json:"address"`
}

// Models that fail in each way.
type strictV1 struct {
	A string `json:"a"`
}

type strictV2 struct {
	A string `json:"a"`
	B string `json:"b"` // required, never filled in: validation fails
}

var errBoom = errors.New("boom")

// stepFunc, when set, runs inside the User 1.0.0 → 2.0.0 function with its
// ctx (to start a span there, say).
type stepFunc func(ctx context.Context)

func newManager(t testing.TB, inStep stepFunc) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) }))
	must(t, core.Register[userV1](m, "User", "1.0.0"))
	must(t, core.Register[userV2](m, "User", "2.0.0"))
	must(t, core.Register[userV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	must(t, m.RegisterMigration("User", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		if inStep != nil {
			inStep(ctx)
		}
		name, _ := d["name"].(string)
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	}))

	must(t, core.Register[addressV1](m, "Address", "1.0.0"))
	must(t, core.Register[addressV2](m, "Address", "2.0.0"))
	must(t, core.Register[orderV1](m, "Order", "1.0.0"))
	must(t, core.Register[orderV2](m, "Order", "2.0.0", core.WithBackwardCompatible()))
	must(t, m.RegisterMigration("Address", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["postcode"] = d["zip"]
		delete(d, "zip")
		return d, nil
	}))

	must(t, core.Register[strictV1](m, "Strict", "1.0.0"))
	must(t, core.Register[strictV2](m, "Strict", "2.0.0"))
	must(t, m.RegisterMigration("Strict", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		return d, nil
	}))
	for _, model := range []string{"Fail", "Panic"} {
		for _, v := range []string{"1.0.0", "2.0.0"} {
			must(t, m.RegisterSchema(model, v, core.Schema{}))
		}
	}
	must(t, m.RegisterMigration("Fail", "1.0.0", "2.0.0", func(context.Context, core.Data) (core.Data, error) {
		return nil, errBoom
	}))
	must(t, m.RegisterMigration("Panic", "1.0.0", "2.0.0", func(context.Context, core.Data) (core.Data, error) {
		panic("kaboom")
	}))
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// telemetry is a tracer provider with a span recorder and a meter provider
// with a manual reader.
type telemetry struct {
	sr     *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t testing.TB, opts ...sdktrace.TracerProviderOption) *telemetry {
	t.Helper()
	t.Setenv("OTEL_METRICS_EXEMPLAR_FILTER", "always_off")
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{sdktrace.WithSpanProcessor(sr)}, opts...)...)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return &telemetry{sr: sr, tp: tp, reader: reader, mp: mp}
}

// hook returns an otelhook.Hook on tel's providers.
func (tel *telemetry) hook(opts ...otelhook.Option) *otelhook.Hook {
	return otelhook.New(append([]otelhook.Option{
		otelhook.WithTracerProvider(tel.tp),
		otelhook.WithMeterProvider(tel.mp),
	}, opts...)...)
}

// ended returns the ended spans, checking that every started span ended.
func (tel *telemetry) ended(t testing.TB) []sdktrace.ReadOnlySpan {
	t.Helper()
	started, ended := tel.sr.Started(), tel.sr.Ended()
	if len(started) != len(ended) {
		t.Errorf("%d spans started, %d ended", len(started), len(ended))
	}
	seen := map[trace.SpanID]bool{}
	for _, s := range ended {
		id := s.SpanContext().SpanID()
		if seen[id] {
			t.Errorf("span %s %s ended twice", s.Name(), id)
		}
		seen[id] = true
	}
	return ended
}

// names returns the span names in the order they ended.
func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name()
	}
	return out
}

// byName returns the spans called name, in the order they ended.
func byName(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the only span called name.
func one(t testing.TB, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	got := byName(spans, name)
	if len(got) != 1 {
		t.Fatalf("%d spans %q, want 1; spans: %v", len(got), name, names(spans))
	}
	return got[0]
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// wantAttrs checks that s has exactly want among the keys listed in want
// (and keys with an empty Value must be absent).
func wantAttrs(t testing.TB, s sdktrace.ReadOnlySpan, want map[attribute.Key]attribute.Value) {
	t.Helper()
	got := attrs(s)
	for k, v := range want {
		g, ok := got[k]
		switch {
		case v.Type() == attribute.EMPTY && ok:
			t.Errorf("span %s: attribute %s = %v, want it absent", s.Name(), k, g.String())
		case v.Type() == attribute.EMPTY:
		case !ok:
			t.Errorf("span %s: attribute %s missing, want %v", s.Name(), k, v.String())
		case g != v:
			t.Errorf("span %s: attribute %s = %v (%s), want %v (%s)", s.Name(), k, g.String(), g.Type(), v.String(), v.Type())
		}
	}
}

// childOf checks that child's parent is parent.
func childOf(t testing.TB, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	if child.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %s: parent %s, want %s (%s)", child.Name(), child.Parent().SpanID(), parent.SpanContext().SpanID(), parent.Name())
	}
	if child.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("span %s: not in the trace of %s", child.Name(), parent.Name())
	}
}

// collect reads the metrics of the otelhook scope.
func (tel *telemetry) collect(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	must(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelhook.ScopeName {
			continue
		}
		if sm.Scope.Version != otelhook.Version {
			t.Errorf("scope version %q, want %q", sm.Scope.Version, otelhook.Version)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// histogramPoints returns the data points of a float64 histogram.
func histogramPoints(t testing.TB, ms map[string]metricdata.Metrics, name string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		t.Fatalf("metric %s not recorded", name)
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("metric %s is a %T, want a float64 histogram", name, m.Data)
	}
	return h.DataPoints
}

// histPoint returns the histogram data point whose attributes are exactly kv.
func histPoint(points []metricdata.HistogramDataPoint[float64], kv ...attribute.KeyValue) (metricdata.HistogramDataPoint[float64], bool) {
	want := attribute.NewSet(kv...)
	for _, p := range points {
		if p.Attributes.Equals(&want) {
			return p, true
		}
	}
	return metricdata.HistogramDataPoint[float64]{}, false
}

// sumPoints returns the data points of an int64 sum.
func sumPoints(t testing.TB, ms map[string]metricdata.Metrics, name string) metricdata.Sum[int64] {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		t.Fatalf("metric %s not recorded", name)
	}
	s, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("metric %s is a %T, want an int64 sum", name, m.Data)
	}
	return s
}

// pointSets lists the attribute sets of histogram points, for messages.
func pointSets(points []metricdata.HistogramDataPoint[float64]) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = p.Attributes.Encoded(attribute.DefaultEncoder())
	}
	return out
}

func setString(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }
