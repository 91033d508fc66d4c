package otelhook

import (
	"github.com/transmute-go/transmute/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

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
	mixed    bool
}

type batchInfo struct {
	name  string
	attrs []attribute.KeyValue // without the size
}

func (h *Hook) batchInfo(b core.Batch) *batchInfo {
	k := batchKey{model: b.Model, from: b.From, to: b.To, mixed: b.MixedFrom}
	if bi, ok := h.batches.load(k); ok {
		return bi
	}
	attrs := make([]attribute.KeyValue, 0, len(h.cfg.attrs)+3)
	attrs = append(attrs, h.cfg.attrs...)
	attrs = append(attrs, ModelKey.String(b.Model))
	if !b.MixedFrom { // items of several versions: no one version migrated from
		attrs = append(attrs, VersionFromKey.String(b.From.String()))
	}
	attrs = append(attrs, VersionToKey.String(b.To.String()))
	return h.batches.store(k, &batchInfo{name: "migrate.batch " + b.Model, attrs: attrs})
}
