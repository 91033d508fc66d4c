package otelhook

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
)

// Attribute keys of the spans and metrics. The error type of a failure is
// semconv's error.type.
const (
	// ModelKey is the model's name (spans and metrics).
	ModelKey attribute.Key = "migration.model"
	// VersionFromKey is the version migrated from: the migration's, or the
	// step's on a step span and the step metric.
	VersionFromKey attribute.Key = "migration.version.from"
	// VersionToKey is the version migrated to (the migration's or the
	// step's).
	VersionToKey attribute.Key = "migration.version.to"
	// StepsKey is the number of steps of the migration's path (0 when there
	// is no path).
	StepsKey attribute.Key = "migration.steps"
	// DirectionKey is "up" for an upgrade, "down" for a downgrade.
	DirectionKey attribute.Key = "migration.direction"
	// StepIndexKey is the position of the step in the path, from 0.
	StepIndexKey attribute.Key = "migration.step.index"
	// StepAutoKey is true for an auto-migration step (no function).
	StepAutoKey attribute.Key = "migration.step.auto"
	// BatchSizeKey is the number of items of a batch (for a stream, the
	// number of items seen, set at the end).
	BatchSizeKey attribute.Key = "migration.batch.size"
	// BatchSucceededKey is the number of items that succeeded, set at the
	// end of a batch.
	BatchSucceededKey attribute.Key = "migration.batch.succeeded"
	// BatchFailedKey is the number of items that failed, set at the end of
	// a batch.
	BatchFailedKey attribute.Key = "migration.batch.failed"
	// DataKeyPrefix prefixes the keys of the values that [WithRecordValues]
	// records.
	DataKeyPrefix = "migration.data."
)

// Metric names.
const (
	// DurationMetric is the histogram of the migrations' durations, in
	// seconds.
	DurationMetric = "migration.duration"
	// StepDurationMetric is the histogram of the steps' durations, in
	// seconds.
	StepDurationMetric = "migration.step.duration"
	// ActiveMetric counts the migrations in progress, by model.
	ActiveMetric = "migration.active"
)

// durationBuckets are the histograms' bucket boundaries, in seconds: from
// a microsecond (a small in-memory migration) to ten seconds.
func durationBuckets() []float64 {
	return []float64{
		0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005,
		0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
		0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
	}
}

// maxCached bounds each cache: past it (model names taken from user input,
// say), attributes are computed for each call instead of cached.
const maxCached = 1024

// cache is a copy-on-write map: reads are a lock-free map lookup, a write
// (the first time a key is seen) copies the map.
type cache[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

func (c *cache[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// store adds v under k unless the cache is full, and returns the value now
// cached under k (v, or the one another goroutine stored first).
func (c *cache[K, V]) store(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	n := 0
	if old != nil {
		if cur, ok := (*old)[k]; ok {
			return cur
		}
		n = len(*old)
	}
	if n >= maxCached {
		return v
	}
	m := make(map[K]V, n+1)
	if old != nil {
		for k2, v2 := range *old {
			m[k2] = v2
		}
	}
	m[k] = v
	c.m.Store(&m)
	return v
}

// outcome holds the measurement options of one attribute set, with the
// sets for each error type built on demand.
type outcome struct {
	base   []attribute.KeyValue
	ok     []metric.RecordOption
	byType cache[string, []metric.RecordOption]
}

func newOutcome(kv ...attribute.KeyValue) *outcome {
	set := attribute.NewSet(kv...)
	return &outcome{
		base: kv,
		ok:   []metric.RecordOption{metric.WithAttributeSet(set)},
	}
}

// record returns the options of a measurement: the base set on success,
// the base set plus error.type on failure.
func (o *outcome) record(errType string) []metric.RecordOption {
	if errType == "" {
		return o.ok
	}
	if opts, ok := o.byType.load(errType); ok {
		return opts
	}
	kv := make([]attribute.KeyValue, len(o.base), len(o.base)+1)
	copy(kv, o.base)
	kv = append(kv, semconv.ErrorTypeKey.String(errType))
	opts := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kv...))}
	return o.byType.store(errType, opts)
}

// migKey identifies a migration's attributes.
type migKey struct {
	model    string
	from, to core.Version
	steps    int
}

// migInfo is what the hook precomputes for a migration key.
type migInfo struct {
	name    string
	start   []trace.SpanStartOption
	metrics *outcome
	// active is the attribute set of migration.active: the model only, as
	// the count of migrations in progress needs no more (and each
	// attribute costs the SDK time on every measurement).
	active []metric.AddOption
}

func (h *Hook) migInfo(e core.Event) *migInfo {
	k := migKey{model: e.Model, from: e.From, to: e.To, steps: e.Steps()}
	if mi, ok := h.migs.load(k); ok {
		return mi
	}
	from, to, dir := e.From.String(), e.To.String(), e.Direction()
	span := make([]attribute.KeyValue, 0, len(h.cfg.attrs)+5)
	span = append(span, h.cfg.attrs...)
	span = append(span,
		ModelKey.String(e.Model),
		VersionFromKey.String(from),
		VersionToKey.String(to),
		StepsKey.Int(e.Steps()),
		DirectionKey.String(dir),
	)
	mi := &migInfo{
		name:  "migrate " + e.Model,
		start: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(span...)},
		metrics: newOutcome(
			ModelKey.String(e.Model),
			VersionFromKey.String(from),
			VersionToKey.String(to),
			DirectionKey.String(dir),
		),
		active: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(ModelKey.String(e.Model)))},
	}
	return h.migs.store(k, mi)
}

// stepKey identifies a step's attributes.
type stepKey struct {
	model    string
	from, to core.Version
	index    int
	auto     bool
}

type stepInfo struct {
	name    string
	start   []trace.SpanStartOption
	metrics *outcome
}

func (h *Hook) stepInfo(model string, s core.Step) *stepInfo {
	k := stepKey{model: model, from: s.From, to: s.To, index: s.Index, auto: s.Auto}
	if si, ok := h.steps.load(k); ok {
		return si
	}
	from, to := s.From.String(), s.To.String()
	span := make([]attribute.KeyValue, 0, len(h.cfg.attrs)+5)
	span = append(span, h.cfg.attrs...)
	span = append(span,
		ModelKey.String(model),
		StepIndexKey.Int(s.Index),
		VersionFromKey.String(from),
		VersionToKey.String(to),
		StepAutoKey.Bool(s.Auto),
	)
	si := &stepInfo{
		name:  "migrate.step " + model,
		start: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(span...)},
		metrics: newOutcome(
			ModelKey.String(model),
			VersionFromKey.String(from),
			VersionToKey.String(to),
			StepAutoKey.Bool(s.Auto),
		),
	}
	return h.steps.store(k, si)
}

// batchKey identifies a batch's attributes.
type batchKey struct {
	model    string
	from, to core.Version
}

type batchInfo struct {
	name  string
	attrs []attribute.KeyValue // without the size
}

func (h *Hook) batchInfo(b core.Batch) *batchInfo {
	k := batchKey{model: b.Model, from: b.From, to: b.To}
	if bi, ok := h.batches.load(k); ok {
		return bi
	}
	attrs := make([]attribute.KeyValue, 0, len(h.cfg.attrs)+3)
	attrs = append(attrs, h.cfg.attrs...)
	attrs = append(attrs,
		ModelKey.String(b.Model),
		VersionFromKey.String(b.From.String()),
		VersionToKey.String(b.To.String()),
	)
	return h.batches.store(k, &batchInfo{name: "migrate.batch " + b.Model, attrs: attrs})
}
