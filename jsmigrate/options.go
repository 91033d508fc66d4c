package jsmigrate

import (
	"time"

	"go.opentelemetry.io/otel/propagation"
)

// Option configures a [Worker]. Options are created by the With functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*options) }

type options struct {
	propagator propagation.TextMapPropagator // nil: the global one
	workers    int
	progress   func(Stats)
	retryDelay time.Duration
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithPropagator sets how the trace context travels in message headers;
// nil keeps the default, the global propagator (otel.GetTextMapPropagator).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(o *options) { o.propagator = p })
}

// WithWorkers sets how many messages one Worker handles at once (default
// 1; n < 1 keeps the default).
func WithWorkers(n int) Option {
	return optionFunc(func(o *options) {
		if n >= 1 {
			o.workers = n
		}
	})
}

// WithProgress calls fn with the counts after each message is handled.
// Calls may come from several goroutines at once; fn must be quick. A nil
// fn is ignored.
func WithProgress(fn func(Stats)) Option {
	return optionFunc(func(o *options) {
		if fn != nil {
			o.progress = fn
		}
	})
}

// WithRetryDelay sets the first delay before a message whose publish
// failed is delivered again (default 100ms); it doubles with each
// delivery, up to 30 s. d <= 0 keeps the default.
func WithRetryDelay(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.retryDelay = d
		}
	})
}
