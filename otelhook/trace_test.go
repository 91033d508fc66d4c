package otelhook_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

var none attribute.Value // an absent attribute, for wantAttrs

func str(s string) attribute.Value { return attribute.StringValue(s) }
func num(n int) attribute.Value    { return attribute.IntValue(n) }

func TestScopeAndVersion(t *testing.T) {
	if got := reflect.TypeFor[otelhook.Hook]().PkgPath(); got != otelhook.ScopeName {
		t.Errorf("ScopeName = %q, want the import path %q", otelhook.ScopeName, got)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(otelhook.Version) {
		t.Errorf("Version %q is not a semantic version", otelhook.Version)
	}
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	for _, s := range tel.ended(t) {
		sc := s.InstrumentationScope()
		if sc.Name != otelhook.ScopeName || sc.Version != otelhook.Version || sc.SchemaURL != semconv.SchemaURL {
			t.Errorf("span %s: scope %+v", s.Name(), sc)
		}
	}
}

// A request span → migrate → steps; the migration function's own span
// nests under its step.
func TestSpanTree(t *testing.T) {
	tel := newTelemetry(t)
	user := tel.tp.Tracer("user-code")
	m := newManager(t, func(ctx context.Context) {
		_, span := user.Start(ctx, "db.query")
		span.End()
	})
	m.AddHook(tel.hook())
	ctx, req := tel.tp.Tracer("server").Start(context.Background(), "GET /users")
	in := core.Data{"name": "Ada Lovelace"}
	out, err := m.Migrate(ctx, in, "User", "1.0.0", "3.0.0")
	must(t, err)
	req.End()
	if out["email"] != "unknown@example.com" {
		t.Fatalf("migrated %v", out)
	}

	spans := tel.ended(t)
	if got, want := names(spans), []string{"db.query", "migrate.step User", "migrate.step User", "migrate User", "GET /users"}; !slices.Equal(got, want) {
		t.Fatalf("spans ended %v, want %v", got, want)
	}
	request, mig, db := one(t, spans, "GET /users"), one(t, spans, "migrate User"), one(t, spans, "db.query")
	steps := byName(spans, "migrate.step User")
	childOf(t, mig, request)
	childOf(t, steps[0], mig)
	childOf(t, steps[1], mig)
	childOf(t, db, steps[0])

	wantAttrs(t, mig, map[attribute.Key]attribute.Value{
		otelhook.ModelKey:       str("User"),
		otelhook.VersionFromKey: str("1.0.0"),
		otelhook.VersionToKey:   str("3.0.0"),
		otelhook.StepsKey:       num(2),
		otelhook.DirectionKey:   str("up"),
		semconv.ErrorTypeKey:    none,
	})
	wantAttrs(t, steps[0], map[attribute.Key]attribute.Value{
		otelhook.ModelKey:       str("User"),
		otelhook.StepIndexKey:   num(0),
		otelhook.VersionFromKey: str("1.0.0"),
		otelhook.VersionToKey:   str("2.0.0"),
		otelhook.StepAutoKey:    attribute.BoolValue(false),
	})
	wantAttrs(t, steps[1], map[attribute.Key]attribute.Value{
		otelhook.StepIndexKey:   num(1),
		otelhook.VersionFromKey: str("2.0.0"),
		otelhook.VersionToKey:   str("3.0.0"),
		otelhook.StepAutoKey:    attribute.BoolValue(true),
	})
	for _, s := range append(steps, mig) {
		if s.SpanKind() != trace.SpanKindInternal {
			t.Errorf("span %s: kind %v, want internal", s.Name(), s.SpanKind())
		}
		if s.Status().Code != codes.Unset {
			t.Errorf("span %s: status %v on success, want unset", s.Name(), s.Status())
		}
		if len(s.Events()) != 0 {
			t.Errorf("span %s: events %v", s.Name(), s.Events())
		}
	}
	// Ordering: the steps run one after the other inside the migration.
	if steps[0].StartTime().Before(mig.StartTime()) || steps[1].EndTime().After(mig.EndTime()) ||
		steps[1].StartTime().Before(steps[0].EndTime()) {
		t.Errorf("step spans not nested in time inside the migration span")
	}
	// The input is never modified.
	if !reflect.DeepEqual(in, core.Data{"name": "Ada Lovelace"}) {
		t.Errorf("input modified: %v", in)
	}
}

// All attributes are given at the start, so a sampler sees them.
func TestAttributesAtStart(t *testing.T) {
	seen := &attrSampler{}
	tel := newTelemetry(t, sdktrace.WithSampler(seen))
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithAttributes(attribute.String("service.component", "importer"))))
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	for _, s := range tel.ended(t) {
		if !slices.ContainsFunc(seen.get(s.Name()), func(at []attribute.KeyValue) bool { return slices.Equal(at, s.Attributes()) }) {
			t.Errorf("span %s: attributes %v not all seen by the sampler (saw %v)", s.Name(), s.Attributes(), seen.get(s.Name()))
		}
		if v := attrs(s)["service.component"]; v.AsString() != "importer" {
			t.Errorf("span %s: WithAttributes missing", s.Name())
		}
	}
}

type attrSampler struct {
	mu   sync.Mutex
	seen map[string][][]attribute.KeyValue
}

func (s *attrSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string][][]attribute.KeyValue{}
	}
	s.seen[p.Name] = append(s.seen[p.Name], slices.Clone(p.Attributes))
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
}

func (s *attrSampler) Description() string { return "attrSampler" }

func (s *attrSampler) get(name string) [][]attribute.KeyValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[name]
}

// A nested model's migration nests under the step of its parent.
func TestNestedModelUnderParentStep(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	in := core.Data{"id": "o-1", "address": map[string]any{"zip": "75001"}}
	out, err := m.Migrate(context.Background(), in, "Order", "1.0.0", "2.0.0")
	must(t, err)
	if out["address"].(map[string]any)["postcode"] != "75001" {
		t.Fatalf("migrated %v", out)
	}
	spans := tel.ended(t)
	order, orderStep := one(t, spans, "migrate Order"), one(t, spans, "migrate.step Order")
	addr, addrStep := one(t, spans, "migrate Address"), one(t, spans, "migrate.step Address")
	if order.Parent().IsValid() {
		t.Errorf("migrate Order has a parent, want a root span")
	}
	childOf(t, orderStep, order)
	childOf(t, addr, orderStep)
	childOf(t, addrStep, addr)
	wantAttrs(t, orderStep, map[attribute.Key]attribute.Value{otelhook.StepAutoKey: attribute.BoolValue(true)})
	wantAttrs(t, addr, map[attribute.Key]attribute.Value{
		otelhook.ModelKey:       str("Address"),
		otelhook.VersionFromKey: str("1.0.0"),
		otelhook.VersionToKey:   str("2.0.0"),
	})
}

// A validator hook that rejects every migration of model "Rejected".
type rejecter struct{ core.NopHook }

var errRejected = errors.New("rejected by policy")

func (rejecter) ValidateMigration(_ context.Context, e core.Event, _ core.Record) error {
	if e.To == core.MustParseVersion("3.0.0") {
		return errRejected
	}
	return nil
}

// Every kind of failure sets the status Error with the value-free message
// and error.type, on the span and on the duration metric.
func TestFailureStatus(t *testing.T) {
	cases := []struct {
		name, model, from, to string
		data                  core.Data
		errType               string
		steps                 int
		failedStep            int // index of the step span with status Error, -1 for none
	}{
		{"function error", "Fail", "1.0.0", "2.0.0", core.Data{}, "migration_function", 1, 0},
		{"panic", "Panic", "1.0.0", "2.0.0", core.Data{}, "panic", 1, 0},
		{"validation", "Strict", "1.0.0", "2.0.0", core.Data{"a": "x"}, "validation", 1, -1},
		{"validator hook", "User", "1.0.0", "3.0.0", core.Data{"name": "A B"}, "validation", 2, -1},
		{"no path", "User", "3.0.0", "1.0.0", core.Data{"first_name": "A"}, "no_migration_path", 0, -1},
		{"model not found", "Nope", "1.0.0", "2.0.0", core.Data{}, "model_not_found", 0, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tel := newTelemetry(t)
			m := newManager(t, nil)
			m.AddHook(tel.hook(), rejecter{})
			_, err := m.Migrate(context.Background(), c.data, c.model, c.from, c.to)
			if err == nil {
				t.Fatal("migration succeeded, want a failure")
			}
			if got := core.ErrorType(err); got != c.errType {
				t.Fatalf("core.ErrorType = %q, want %q", got, c.errType)
			}
			spans := tel.ended(t)
			mig := one(t, spans, "migrate "+c.model)
			if want := core.ErrorMessage(err, nil); mig.Status().Code != codes.Error || mig.Status().Description != want {
				t.Errorf("status %+v, want Error %q", mig.Status(), want)
			}
			wantAttrs(t, mig, map[attribute.Key]attribute.Value{
				semconv.ErrorTypeKey: str(c.errType),
				otelhook.StepsKey:    num(c.steps),
			})
			if len(mig.Events()) != 0 {
				t.Errorf("events %v, want none by default", mig.Events())
			}
			steps := byName(spans, "migrate.step "+c.model)
			if len(steps) != c.steps {
				t.Fatalf("%d step spans, want %d", len(steps), c.steps)
			}
			for i, s := range steps {
				childOf(t, s, mig)
				if i == c.failedStep {
					if s.Status().Code != codes.Error || attrs(s)[semconv.ErrorTypeKey].AsString() != c.errType {
						t.Errorf("failed step: status %+v, error.type %v", s.Status(), attrs(s)[semconv.ErrorTypeKey].String())
					}
				} else if s.Status().Code != codes.Unset {
					t.Errorf("step %d: status %+v, want unset", i, s.Status())
				}
			}
			points := histogramPoints(t, tel.collect(t), otelhook.DurationMetric)
			if len(points) != 1 {
				t.Fatalf("%d duration points, want 1", len(points))
			}
			if got := points[0].Attributes; got.HasValue(semconv.ErrorTypeKey) {
				if v, _ := got.Value(semconv.ErrorTypeKey); v.AsString() != c.errType {
					t.Errorf("metric error.type %q, want %q", v.AsString(), c.errType)
				}
			} else {
				t.Errorf("metric attributes %s have no error.type", setString(got))
			}
		})
	}
}

func TestRecordErrorOptIn(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithRecordError()))
	_, err := m.Migrate(context.Background(), core.Data{}, "Fail", "1.0.0", "2.0.0")
	if err == nil {
		t.Fatal("no error")
	}
	mig := one(t, tel.ended(t), "migrate Fail")
	ev := mig.Events()
	if len(ev) != 1 || ev[0].Name != "exception" {
		t.Fatalf("events %v, want one exception event", ev)
	}
}

func TestBatchSpans(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	ctx, req := tel.tp.Tracer("job").Start(context.Background(), "nightly import")
	items := []core.Data{{"a": "1"}, {"a": "2"}, {"b": "no a"}, {"a": "4"}}
	_, err := m.MigrateBatch(ctx, items, "Strict", "1.0.0", "1.0.0", core.WithWorkers(2), core.WithContinueOnError())
	var be *core.BatchError
	if !errors.As(err, &be) || !slices.Equal(be.Indexes(), []int{2}) {
		t.Fatalf("err = %v, want item 2 to fail", err)
	}
	req.End()
	spans := tel.ended(t)
	batch := one(t, spans, "migrate.batch Strict")
	childOf(t, batch, one(t, spans, "nightly import"))
	wantAttrs(t, batch, map[attribute.Key]attribute.Value{
		otelhook.ModelKey:          str("Strict"),
		otelhook.BatchSizeKey:      num(4),
		otelhook.BatchSucceededKey: num(3),
		otelhook.BatchFailedKey:    num(1),
		semconv.ErrorTypeKey:       str("batch"),
	})
	if batch.Status().Code != codes.Error || batch.Status().Description != err.Error() {
		t.Errorf("batch status %+v", batch.Status())
	}

	// Items of a real migration: each item's span is a child of the batch
	// span.
	tel = newTelemetry(t)
	m = newManager(t, nil)
	m.AddHook(tel.hook())
	users := []core.Data{{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"name": "Grace Hopper"}}
	_, err = m.MigrateBatch(context.Background(), users, "User", "1.0.0", "3.0.0", core.WithWorkers(3))
	must(t, err)
	spans = tel.ended(t)
	batch = one(t, spans, "migrate.batch User")
	wantAttrs(t, batch, map[attribute.Key]attribute.Value{
		otelhook.BatchSizeKey: num(3), otelhook.BatchSucceededKey: num(3), otelhook.BatchFailedKey: num(0),
		otelhook.VersionFromKey: str("1.0.0"), otelhook.VersionToKey: str("3.0.0"),
		semconv.ErrorTypeKey: none,
	})
	if batch.Status().Code != codes.Unset {
		t.Errorf("batch status %+v on success", batch.Status())
	}
	migs := byName(spans, "migrate User")
	if len(migs) != 3 {
		t.Fatalf("%d item spans, want 3", len(migs))
	}
	for _, s := range migs {
		childOf(t, s, batch)
	}
	if n := len(byName(spans, "migrate.step User")); n != 6 {
		t.Errorf("%d step spans, want 6", n)
	}
}

func TestStreamSpan(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	items := func(yield func(core.Data) bool) {
		for _, n := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"} {
			if !yield(core.Data{"name": n}) {
				return
			}
		}
	}
	n := 0
	for _, err := range m.MigrateStream(context.Background(), iter.Seq[core.Data](items), "User", "1.0.0", "2.0.0", core.WithWorkers(2)) {
		must(t, err)
		n++
	}
	if n != 5 {
		t.Fatalf("%d results", n)
	}
	spans := tel.ended(t)
	stream := one(t, spans, "migrate.batch User")
	wantAttrs(t, stream, map[attribute.Key]attribute.Value{
		otelhook.BatchSizeKey: num(5), otelhook.BatchSucceededKey: num(5), otelhook.BatchFailedKey: num(0),
	})
	for _, s := range byName(spans, "migrate User") {
		childOf(t, s, stream)
	}
	if got := len(byName(spans, "migrate User")); got != 5 {
		t.Errorf("%d item spans, want 5", got)
	}
}

// With WithoutItemSpans() a batch has one span; the items' metrics are
// recorded all the same, and spans of the migration functions nest under
// the batch span.
func TestItemSpansOff(t *testing.T) {
	tel := newTelemetry(t)
	user := tel.tp.Tracer("user-code")
	m := newManager(t, func(ctx context.Context) {
		_, span := user.Start(ctx, "db.query")
		span.End()
	})
	m.AddHook(tel.hook(otelhook.WithoutItemSpans()))
	items := []core.Data{{"name": "Ada Lovelace"}, {"name": "Alan Turing"}}
	_, err := m.MigrateBatch(context.Background(), items, "User", "1.0.0", "3.0.0")
	must(t, err)
	// Nested models inside items are not traced either.
	orders := []core.Data{{"id": "1", "address": map[string]any{"zip": "1"}}}
	_, err = m.MigrateBatch(context.Background(), orders, "Order", "1.0.0", "2.0.0")
	must(t, err)
	spans := tel.ended(t)
	if got, want := names(spans), []string{"db.query", "db.query", "migrate.batch User", "migrate.batch Order"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	for _, db := range byName(spans, "db.query") {
		childOf(t, db, spans[2])
	}
	ms := tel.collect(t)
	p, ok := histPoint(histogramPoints(t, ms, otelhook.DurationMetric),
		otelhook.ModelKey.String("User"), otelhook.VersionFromKey.String("1.0.0"), otelhook.VersionToKey.String("3.0.0"), otelhook.DirectionKey.String("up"))
	if !ok || p.Count != 2 {
		t.Errorf("User duration point %+v (found %v), want 2 measurements", p, ok)
	}
	if got := len(histogramPoints(t, ms, otelhook.StepDurationMetric)); got != 4 { // User 2 steps, Order 1, Address 1
		t.Errorf("%d step duration points, want 4", got)
	}
}

// A hook given only to one request, through core.WithHooks, traces that
// request's migrations and no other.
func TestRequestScopedHook(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	ctx, req := tel.tp.Tracer("server").Start(context.Background(), "POST /import")
	_, err := m.Migrate(core.ContextWithHooks(ctx, tel.hook()), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	req.End()
	_, err = m.Migrate(context.Background(), core.Data{"name": "Alan Turing"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate.step User", "migrate User", "POST /import"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	childOf(t, spans[1], spans[2])
}

func TestBaggageAttributes(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithBaggageAttributes("tenant.id", "user.id", "absent")))
	tenant, _ := baggage.NewMember("tenant.id", "acme")
	secret, _ := baggage.NewMember("session.token", "s3cr3t")
	bag, _ := baggage.New(tenant, secret)
	ctx := baggage.ContextWithBaggage(context.Background(), bag)
	_, err := m.MigrateBatch(ctx, []core.Data{{"name": "Ada Lovelace"}}, "User", "1.0.0", "2.0.0")
	must(t, err)
	spans := tel.ended(t)
	if len(spans) != 3 {
		t.Fatalf("spans %v", names(spans))
	}
	for _, s := range spans {
		wantAttrs(t, s, map[attribute.Key]attribute.Value{
			"tenant.id":     str("acme"),
			"user.id":       none,
			"absent":        none,
			"session.token": none,
		})
	}
}

// The filter turns spans off; the metrics are recorded all the same.
func TestFilter(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithFilter(func(_ context.Context, e core.Event) bool {
		return e.Model != "User" && e.Model != "Address"
	})))
	ctx, req := tel.tp.Tracer("server").Start(context.Background(), "request")
	_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	_, err = m.Migrate(ctx, core.Data{"id": "1", "address": map[string]any{"zip": "1"}}, "Order", "1.0.0", "2.0.0")
	must(t, err)
	req.End()
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate.step Order", "migrate Order", "request"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	ms := tel.collect(t)
	points := histogramPoints(t, ms, otelhook.DurationMetric)
	for _, model := range []string{"User", "Address", "Order"} {
		found := false
		for _, p := range points {
			if v, _ := p.Attributes.Value(otelhook.ModelKey); v.AsString() == model && p.Count == 1 {
				found = true
			}
		}
		if !found {
			t.Errorf("no duration measurement for %s: %v", model, pointSets(points))
		}
	}
	if got := len(histogramPoints(t, ms, otelhook.StepDurationMetric)); got != 4 {
		t.Errorf("%d step duration points, want 4 (filtered steps are measured)", got)
	}
}

func TestRequireParentSpan(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithRequireParentSpan()))
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	_, err = m.MigrateBatch(context.Background(), []core.Data{{"name": "Ada Lovelace"}}, "User", "1.0.0", "2.0.0")
	must(t, err)
	if spans := tel.ended(t); len(spans) != 0 {
		t.Fatalf("root spans started: %v", names(spans))
	}
	ctx, req := tel.tp.Tracer("server").Start(context.Background(), "request")
	_, err = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	req.End()
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate.step User", "migrate.step User", "migrate User", "request"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	p, ok := histPoint(histogramPoints(t, tel.collect(t), otelhook.DurationMetric),
		otelhook.ModelKey.String("User"), otelhook.VersionFromKey.String("1.0.0"), otelhook.VersionToKey.String("3.0.0"), otelhook.DirectionKey.String("up"))
	if !ok || p.Count != 2 {
		t.Errorf("duration count %d, want 2 (metrics are recorded without a span)", p.Count)
	}
}

func TestWithoutStepSpans(t *testing.T) {
	tel := newTelemetry(t)
	user := tel.tp.Tracer("user-code")
	m := newManager(t, func(ctx context.Context) {
		_, span := user.Start(ctx, "db.query")
		span.End()
	})
	m.AddHook(tel.hook(otelhook.WithoutStepSpans()))
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	spans := tel.ended(t)
	if got, want := names(spans), []string{"db.query", "migrate User"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	childOf(t, spans[0], spans[1])
	if got := len(histogramPoints(t, tel.collect(t), otelhook.StepDurationMetric)); got != 2 {
		t.Errorf("%d step duration points, want 2", got)
	}
}

// A migration function that migrates another record with its own ctx,
// under WithoutStepSpans and a filter that rejects the inner model: the
// outer span must still be ended once, with its own status.
func TestNestedCallsKeepTheirOwnSpans(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	must(t, m.RegisterMigration("Outer", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
		if err != nil {
			return nil, err
		}
		_, err = m.Migrate(ctx, core.Data{}, "Fail", "1.0.0", "2.0.0") // fails, inside
		d["inner_error"] = core.ErrorType(err)
		return d, nil
	}))
	h := tel.hook(otelhook.WithoutStepSpans(), otelhook.WithFilter(func(_ context.Context, e core.Event) bool {
		return e.Model != "User"
	}))
	m.AddHook(h)
	out, err := m.MigrateData(context.Background(), core.Data{}, "Outer", "1.0.0", "2.0.0")
	must(t, err)
	if out["inner_error"] != "migration_function" {
		t.Fatalf("inner error %v", out["inner_error"])
	}
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate Fail", "migrate Outer"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	childOf(t, spans[0], spans[1])
	if spans[1].Status().Code != codes.Unset || spans[0].Status().Code != codes.Error {
		t.Errorf("statuses outer %v inner %v", spans[1].Status(), spans[0].Status())
	}
	sum := sumPoints(t, tel.collect(t), otelhook.ActiveMetric)
	for _, p := range sum.DataPoints {
		if p.Value != 0 {
			t.Errorf("active %s = %d after the migrations, want 0", setString(p.Attributes), p.Value)
		}
	}
}

// dropModel samples every span but the migrations of one model.
type dropModel string

func (d dropModel) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	if p.Name == "migrate "+string(d) {
		return sdktrace.SamplingResult{Decision: sdktrace.Drop}
	}
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
}

func (d dropModel) Description() string { return "dropModel" }

// A migration that the sampler drops, run from inside a traced migration's
// step (with no meter: the cheapest path), must not touch the state of the
// migration around it: the outer step span still ends, once.
func TestDroppedInnerMigration(t *testing.T) {
	tel := newTelemetry(t, sdktrace.WithSampler(dropModel("User")))
	m := newManager(t, nil)
	must(t, m.RegisterMigration("Outer", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
		return d, err
	}))
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tel.tp), otelhook.WithMeterProvider(metricnoop.NewMeterProvider())))
	_, err := m.MigrateData(context.Background(), core.Data{}, "Outer", "1.0.0", "2.0.0")
	must(t, err)
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate.step Outer", "migrate Outer"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	childOf(t, spans[0], spans[1])
}

func TestRecordValues(t *testing.T) {
	in := func() core.Data {
		return core.Data{"id": "o-1", "address": map[string]any{"zip": "75001"}}
	}
	// Off by default, and off with a nil redact: nil never means "values
	// in the clear".
	for name, opts := range map[string][]otelhook.Option{
		"off by default": nil,
		"nil redact":     {otelhook.WithRecordValues(nil)},
	} {
		t.Run(name, func(t *testing.T) {
			tel := newTelemetry(t)
			m := newManager(t, nil)
			m.AddHook(tel.hook(opts...))
			_, err := m.Migrate(context.Background(), in(), "Order", "1.0.0", "2.0.0")
			must(t, err)
			wantNoValues(t, tel.ended(t))
		})
	}
	t.Run("KeepValues", func(t *testing.T) {
		tel := newTelemetry(t)
		m := newManager(t, nil)
		m.AddHook(tel.hook(otelhook.WithRecordValues(core.KeepValues)))
		_, err := m.Migrate(context.Background(), in(), "Order", "1.0.0", "2.0.0")
		must(t, err)
		wantAttrs(t, one(t, tel.ended(t), "migrate Order"), map[attribute.Key]attribute.Value{
			otelhook.DataKeyPrefix + "id":      str("o-1"),
			otelhook.DataKeyPrefix + "address": str(`{"postcode":"75001"}`),
		})
	})
	t.Run("redacted", func(t *testing.T) {
		tel := newTelemetry(t)
		m := newManager(t, nil)
		m.AddHook(tel.hook(otelhook.WithRecordValues(func(key string, v any) any {
			switch key {
			case "last_name":
				return "***"
			case "email":
				return nil // left out
			}
			return v
		})))
		data := core.Data{"name": "Ada Lovelace", "tags": []any{"a", 1.0}}
		orig, _ := core.Copy(data)
		_, err := m.Migrate(context.Background(), data, "User", "1.0.0", "3.0.0")
		must(t, err)
		_, err = m.Migrate(context.Background(), in(), "Order", "1.0.0", "2.0.0")
		must(t, err)
		if !reflect.DeepEqual(data, orig) {
			t.Errorf("input modified: %v", data)
		}
		spans := tel.ended(t)
		wantAttrs(t, one(t, spans, "migrate User"), map[attribute.Key]attribute.Value{
			otelhook.DataKeyPrefix + "first_name": str("Ada"),
			otelhook.DataKeyPrefix + "last_name":  str("***"),
			otelhook.DataKeyPrefix + "email":      none,
			otelhook.DataKeyPrefix + "tags":       str(`["a",1]`),
		})
		wantAttrs(t, one(t, spans, "migrate Order"), map[attribute.Key]attribute.Value{
			otelhook.DataKeyPrefix + "id":      str("o-1"),
			otelhook.DataKeyPrefix + "address": str(`{"postcode":"75001"}`),
		})
		for _, s := range byName(spans, "migrate.step User") {
			if _, ok := attrs(s)[otelhook.DataKeyPrefix+"first_name"]; ok {
				t.Errorf("step span carries data")
			}
		}
	})
}

// errorCatcher collects what reaches the OTel error handler, and restores
// the previous handler at the end of the test.
type errorCatcher struct {
	mu   sync.Mutex
	errs []error
}

func (c *errorCatcher) Handle(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

func (c *errorCatcher) get() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errs)
}

func catchOtelErrors(t *testing.T) *errorCatcher {
	prev := otel.GetErrorHandler()
	c := &errorCatcher{}
	otel.SetErrorHandler(c)
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	return c
}

func TestSpanNameFormatter(t *testing.T) {
	caught := catchOtelErrors(t)
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(otelhook.WithSpanNameFormatter(func(_ context.Context, e core.Event) string {
		switch e.Model {
		case "User":
			return "upgrade " + e.Model + " to v" + fmt.Sprint(e.To.Major)
		case "Order":
			return "" // the default
		}
		panic("no name for " + e.Model)
	})))
	ctx := context.Background()
	_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	_, err = m.Migrate(ctx, core.Data{"id": "1", "address": map[string]any{"zip": "1"}}, "Order", "1.0.0", "2.0.0")
	must(t, err)
	spans := tel.ended(t)
	for _, name := range []string{"upgrade User to v3", "migrate Order", "migrate Address"} {
		one(t, spans, name)
	}
	errs := caught.get()
	var hp *core.HookPanicError
	if len(errs) != 1 || !errors.As(errs[0], &hp) || hp.Value != "no name for Address" {
		t.Fatalf("errors handled: %v, want the formatter's panic", errs)
	}
}

// A panic in a user callback never escapes: it goes to the OTel error
// handler and the migration and its spans go on.
func TestCallbackPanics(t *testing.T) {
	caught := catchOtelErrors(t)
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook(
		otelhook.WithFilter(func(context.Context, core.Event) bool { panic("filter") }),
		otelhook.WithRecordValues(func(key string, v any) any {
			if key == "last_name" {
				panic("redact")
			}
			return v
		}),
	))
	out, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	if out["last_name"] != "Lovelace" {
		t.Fatalf("migrated %v", out)
	}
	mig := one(t, tel.ended(t), "migrate User")
	wantAttrs(t, mig, map[attribute.Key]attribute.Value{
		otelhook.DataKeyPrefix + "first_name": str("Ada"),
		otelhook.DataKeyPrefix + "last_name":  none,
	})
	var methods []string
	for _, e := range caught.get() {
		var hp *core.HookPanicError
		if errors.As(e, &hp) {
			methods = append(methods, hp.Method)
		}
	}
	if want := []string{"BeforeMigrate (WithFilter)", "AfterMigrate (WithRecordValues)"}; !slices.Equal(methods, want) {
		t.Errorf("reported %v, want %v", methods, want)
	}
}

// An unsampled parent is followed: no span at all, metrics recorded.
func TestUnsampledParent(t *testing.T) {
	tel := newTelemetry(t, sdktrace.WithSampler(sdktrace.AlwaysSample()))
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, // not sampled
	}))
	_, err := m.MigrateBatch(ctx, []core.Data{{"name": "Ada Lovelace"}}, "User", "1.0.0", "3.0.0")
	must(t, err)
	if spans := tel.ended(t); len(spans) != 0 {
		t.Fatalf("spans under an unsampled parent: %v", names(spans))
	}
	if got := len(histogramPoints(t, tel.collect(t), otelhook.DurationMetric)); got != 1 {
		t.Errorf("%d duration points, want 1", got)
	}
}

// A parent that records without being sampled (AlwaysRecord, for span
// metrics) is followed too: the spans are recorded.
func TestRecordingUnsampledParent(t *testing.T) {
	tel := newTelemetry(t, sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.NeverSample())))
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	spans := tel.ended(t)
	if got, want := names(spans), []string{"migrate.step User", "migrate.step User", "migrate User"}; !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	for _, s := range spans {
		if s.SpanContext().IsSampled() {
			t.Errorf("span %s sampled", s.Name())
		}
	}
}

// Under a never-sampling root sampler nothing is recorded, and the step
// spans follow the migration's decision.
func TestNeverSampledRoot(t *testing.T) {
	tel := newTelemetry(t, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	if n := len(tel.sr.Started()); n != 0 {
		t.Fatalf("%d spans started", n)
	}
}

// A migration span that the sampler drops stays the parent of what runs
// inside the migration, so that a parent-based sampler drops the step's
// and the user's spans too, instead of starting orphan traces.
func TestDroppedSpanStaysParent(t *testing.T) {
	tel := newTelemetry(t, sdktrace.WithSampler(sdktrace.ParentBased(dropModel("User"))))
	user := tel.tp.Tracer("user-code")
	m := newManager(t, func(ctx context.Context) {
		_, span := user.Start(ctx, "db.query")
		span.End()
	})
	m.AddHook(tel.hook())
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	must(t, err)
	if spans := tel.ended(t); len(spans) != 0 {
		t.Fatalf("spans recorded under a dropped migration: %v", names(spans))
	}
}

// Two otelhook hooks on one manager keep apart: each ends its own spans,
// and the second's spans nest under the first's.
func TestTwoHooks(t *testing.T) {
	a, b := newTelemetry(t), newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(a.hook(), b.hook(otelhook.WithoutStepSpans()))
	_, err := m.Migrate(context.Background(), core.Data{"id": "1", "address": map[string]any{"zip": "1"}}, "Order", "1.0.0", "2.0.0")
	must(t, err)
	if got, want := names(a.ended(t)), []string{"migrate.step Address", "migrate Address", "migrate.step Order", "migrate Order"}; !slices.Equal(got, want) {
		t.Errorf("first hook: %v, want %v", got, want)
	}
	if got, want := names(b.ended(t)), []string{"migrate Address", "migrate Order"}; !slices.Equal(got, want) {
		t.Errorf("second hook: %v, want %v", got, want)
	}
	aMig, bMig := one(t, a.ended(t), "migrate Order"), one(t, b.ended(t), "migrate Order")
	if bMig.Parent().SpanID() != aMig.SpanContext().SpanID() {
		t.Errorf("second hook's span is not a child of the first's")
	}
}

func TestGlobalProviders(t *testing.T) {
	tel := newTelemetry(t)
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tel.tp)
	otel.SetMeterProvider(tel.mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
	})
	m := newManager(t, nil)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(nil), otelhook.WithMeterProvider(nil), nil))
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(t, err)
	if got := names(tel.ended(t)); !slices.Equal(got, []string{"migrate.step User", "migrate User"}) {
		t.Errorf("spans %v", got)
	}
	if got := len(histogramPoints(t, tel.collect(t), otelhook.DurationMetric)); got != 1 {
		t.Errorf("%d duration points", got)
	}
}

// Many goroutines migrate at once (run with -race): every span ends
// exactly once, under the right parent, and no measurement is lost.
func TestConcurrentSafe(t *testing.T) {
	tel := newTelemetry(t)
	m := newManager(t, nil)
	m.AddHook(tel.hook())
	const goroutines, each = 16, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx, req := tel.tp.Tracer("server").Start(context.Background(), fmt.Sprintf("request %d", g))
			defer req.End()
			for i := range each {
				switch i % 4 {
				case 0:
					_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
					noErr(t, err)
				case 1:
					_, err := m.Migrate(ctx, core.Data{"id": "1", "address": map[string]any{"zip": "1"}}, "Order", "1.0.0", "2.0.0")
					noErr(t, err)
				case 2:
					_, _ = m.Migrate(ctx, core.Data{}, "Panic", "1.0.0", "2.0.0")
				case 3:
					_, err := m.MigrateBatch(ctx, []core.Data{{"name": "A B"}, {"name": "C D"}}, "User", "1.0.0", "2.0.0", core.WithWorkers(2))
					noErr(t, err)
				}
			}
		})
	}
	wg.Wait()
	spans := tel.ended(t)
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	count := map[string]int{}
	for _, s := range spans {
		count[s.Name()]++
		if s.Name() == "migrate Address" {
			if p := byID[s.Parent().SpanID()]; p == nil || p.Name() != "migrate.step Order" {
				t.Fatalf("migrate Address not under an Order step")
			}
		}
	}
	// Per goroutine: 7 Users (+ 7 batches of 2), 6 Orders, 6 Panics.
	want := map[string]int{
		"migrate User": goroutines * (7 + 6*2), "migrate.batch User": goroutines * 6,
		"migrate Order": goroutines * 6, "migrate Address": goroutines * 6,
		"migrate Panic": goroutines * 6,
	}
	for name, n := range want {
		if count[name] != n {
			t.Errorf("%d spans %q, want %d", count[name], name, n)
		}
	}
	ms := tel.collect(t)
	total := uint64(0)
	for _, p := range histogramPoints(t, ms, otelhook.DurationMetric) {
		total += p.Count
	}
	if wantN := uint64(goroutines * (7 + 6*2 + 6 + 6 + 6)); total != wantN {
		t.Errorf("%d duration measurements, want %d", total, wantN)
	}
	for _, p := range sumPoints(t, ms, otelhook.ActiveMetric).DataPoints {
		if p.Value != 0 {
			t.Errorf("active %s = %d, want 0", setString(p.Attributes), p.Value)
		}
	}
}

// noErr is must for goroutines other than the test's.
func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

// wantNoValues fails unless no span carries a data attribute or value.
func wantNoValues(t *testing.T, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			if strings.HasPrefix(string(kv.Key), otelhook.DataKeyPrefix) {
				t.Errorf("span %s carries data %s", s.Name(), kv.Key)
			}
			if kv.Value.AsString() == "75001" || kv.Value.AsString() == "o-1" {
				t.Errorf("span %s carries a data value in %s", s.Name(), kv.Key)
			}
		}
	}
}
