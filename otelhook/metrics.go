package otelhook

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
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
