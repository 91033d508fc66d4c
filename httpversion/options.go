package httpversion

import (
	"net/http"

	"go.opentelemetry.io/otel/metric"
)

// Option configures an [API]. Options are created by the With functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	header      string
	resolver    func(*http.Request) (string, error)
	def         string
	errorBodies bool
	mp          metric.MeterProvider
	redact      func(key string, v any) any
	maxBody     int64
}

const (
	// DefaultHeader is the header that carries the API version, both ways.
	DefaultHeader  = "API-Version"
	defaultMaxBody = 10 << 20
)

func newConfig(opts []Option) config {
	c := config{header: DefaultHeader, maxBody: defaultMaxBody}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithHeader sets the header that carries the API version, in the
// request and in the response (default "API-Version"). An empty name
// keeps the default.
func WithHeader(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.header = http.CanonicalHeaderKey(name)
		}
	})
}

// WithResolver sets the function that gives the version of a request
// without the header, such as the version an account is pinned to, as
// Stripe pins them. It returns "" for none (the default version applies);
// an error is a 500 for the client. A nil fn is ignored.
func WithResolver(fn func(*http.Request) (string, error)) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.resolver = fn
		}
	})
}

// WithDefault sets the version of a request that names none (header or
// resolver). Without it, such a request is a 400. It must be one of the
// API's versions ([New] checks).
func WithDefault(name string) Option {
	return optionFunc(func(c *config) { c.def = name })
}

// WithErrorBodies migrates the bodies of 4xx and 5xx responses of a route
// too, when they are JSON (by default they pass through as written: an
// error body is rarely a record of the response's model).
func WithErrorBodies() Option {
	return optionFunc(func(c *config) { c.errorBodies = true })
}

// WithMeterProvider sets the MeterProvider of the transmute.api.requests
// counter (default: the global one). A nil mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	})
}

// WithValues lets the problem details of a request body that fails
// validation or migration carry the error's whole text, values included,
// through redact (pass core.KeepValues for the text as it is). By default,
// and with a nil redact, they carry the value-free text
// (core.ErrorMessage).
func WithValues(redact func(key string, v any) any) Option {
	return optionFunc(func(c *config) { c.redact = redact })
}

// WithMaxBodySize sets the largest request body read (default 10 MiB); a
// larger one is a 413. n < 1 keeps the default.
func WithMaxBodySize(n int64) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.maxBody = n
		}
	})
}
