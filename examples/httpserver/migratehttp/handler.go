package migratehttp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// Header names read and written by the handler.
const (
	// HeaderRequestID carries the request id: read from the request when
	// it holds a usable one, else generated; always echoed in the response.
	HeaderRequestID = "X-Request-ID"
	// HeaderUserID carries the id of the user on whose behalf the request
	// is made (optional).
	HeaderUserID = "X-User-ID"
	// HeaderMigrations is set on every /migrate response to the number of
	// migrations the request ran: the posted record's, plus one per nested
	// record migrated with it.
	HeaderMigrations = "X-Migrations"
	// HeaderMigrationSteps is set on every /migrate response to the number
	// of steps those migrations ran.
	HeaderMigrationSteps = "X-Migration-Steps"
)

// Baggage members (and span attributes) of the request-scoped ids.
const (
	// RequestIDKey is the request id.
	RequestIDKey = "request.id"
	// UserIDKey is the user id, when the request names one.
	UserIDKey = "user.id"
)

// Error types of the failures the handler finds before migrating; the
// others are [core.ErrorType] of the migration's error.
const (
	// ErrorTypeBadRequest: a missing query parameter or a bad header.
	ErrorTypeBadRequest = "bad_request"
	// ErrorTypeBadJSON: the body is not one JSON object.
	ErrorTypeBadJSON = "invalid_json"
	// ErrorTypeTooLarge: the body is larger than the limit
	// ([WithMaxBodyBytes]).
	ErrorTypeTooLarge = "body_too_large"
)

// maxIDLen bounds the ids taken from headers.
const maxIDLen = 128

// Option configures [NewHandler]. Options are created by the With...
// functions of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	otel    []otelhttp.Option
	maxBody int64
	newID   func() string
}

// WithTracerProvider sets the provider of otelhttp's request spans. The
// default (and a nil provider) is the global one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.otel = append(c.otel, otelhttp.WithTracerProvider(tp))
		}
	})
}

// WithMeterProvider sets the provider of otelhttp's request metrics. The
// default (and a nil provider) is the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.otel = append(c.otel, otelhttp.WithMeterProvider(mp))
		}
	})
}

// WithPropagators sets the propagators that extract the caller's trace
// context (and baggage) from the request headers. The default (and a nil
// value) is the global one, which propagates nothing until set.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.otel = append(c.otel, otelhttp.WithPropagators(p))
		}
	})
}

// WithMaxBodyBytes limits the size of a request body (default 1 MiB); a
// larger body is answered 413. n < 1 keeps the default.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	})
}

// WithRequestIDFunc sets the function that makes a request id when the
// request has none (default: 26 random base32 characters). A nil function
// keeps the default.
func WithRequestIDFunc(fn func() string) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.newID = fn
		}
	})
}

// NewHandler returns the HTTP API of m, wrapped in otelhttp (one server
// span per request, named after the route, such as "POST /migrate"):
//
//	POST /migrate?model=NAME&from=VERSION[&to=VERSION]
//
// migrates the JSON object in the body from one version of the model to
// another (the latest when to is left out) and answers 200 with
// {"request_id", "model", "from", "to", "data"}. The migration runs with
// m.Migrate under the request's ctx; see the package documentation for
// what that ctx carries. m's own hooks are not changed.
func NewHandler(m *core.Manager, opts ...Option) http.Handler {
	c := config{maxBody: 1 << 20, newID: rand.Text}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	a := &api{m: m, cfg: c}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /migrate", a.migrate)
	return otelhttp.NewHandler(mux, "migrate", c.otel...)
}

type api struct {
	m   *core.Manager
	cfg config
}

// response is the body of a successful /migrate.
type response struct {
	RequestID string    `json:"request_id"`
	Model     string    `json:"model"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Data      core.Data `json:"data"`
}

// errorBody is the body of a failed request.
type errorBody struct {
	Error     string `json:"error"`
	ErrorType string `json:"error_type"`
	RequestID string `json:"request_id"`
}

func (a *api) migrate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	span := trace.SpanFromContext(ctx)
	// otelhttp names the span after the route once the mux has matched
	// it; the route attribute is ours to add.
	if _, route, ok := strings.Cut(r.Pattern, " "); ok {
		span.SetAttributes(attribute.String("http.route", route))
	}

	reqID := r.Header.Get(HeaderRequestID)
	if !validID(reqID) {
		reqID = a.cfg.newID()
	}
	w.Header().Set(HeaderRequestID, reqID)
	span.SetAttributes(attribute.String(RequestIDKey, reqID))

	userID := r.Header.Get(HeaderUserID)
	if userID != "" && !validID(userID) {
		writeError(w, http.StatusBadRequest, ErrorTypeBadRequest, HeaderUserID+" must be 1 to 128 visible ASCII characters", reqID)
		return
	}
	if userID != "" {
		span.SetAttributes(attribute.String(UserIDKey, userID))
	}

	q := r.URL.Query()
	model, from, to := q.Get("model"), q.Get("from"), q.Get("to")
	if model == "" || from == "" {
		writeError(w, http.StatusBadRequest, ErrorTypeBadRequest, "the query parameters model and from are required", reqID)
		return
	}

	data, status, errType, err := decodeBody(w, r, a.cfg.maxBody)
	if err != nil {
		writeError(w, status, errType, err.Error(), reqID)
		return
	}

	if to == "" {
		latest, err := a.m.Latest(model)
		if err != nil {
			writeError(w, StatusCode(err), core.ErrorType(err), err.Error(), reqID)
			return
		}
		to = latest.String()
	}

	// The request's scope: ids for the logger and the spans, and a hook
	// that sees this request's migrations only.
	attrs := []slog.Attr{slog.String("request_id", reqID)}
	if userID != "" {
		attrs = append(attrs, slog.String("user_id", userID))
	}
	ctx = hooks.ContextWithAttrs(ctx, attrs...)
	ctx = withIDs(ctx, reqID, userID)
	counts := &counter{}
	ctx = core.ContextWithHooks(ctx, counts)

	out, err := a.m.Migrate(ctx, data, model, from, to)
	w.Header().Set(HeaderMigrations, strconv.FormatInt(counts.migrations.Load(), 10))
	w.Header().Set(HeaderMigrationSteps, strconv.FormatInt(counts.steps.Load(), 10))
	if err != nil {
		writeError(w, StatusCode(err), core.ErrorType(err), err.Error(), reqID)
		return
	}
	writeJSON(w, http.StatusOK, response{RequestID: reqID, Model: model, From: from, To: to, Data: out})
}

// decodeBody reads one JSON object from the body, and nothing after it.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64) (core.Data, int, string, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	var data core.Data
	err := dec.Decode(&data)
	if err == nil && data == nil {
		err = errors.New("the body must be a JSON object, not null")
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("the body must hold one JSON object and nothing after it")
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return data, 0, "", nil
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, ErrorTypeTooLarge, err
	case errors.Is(err, io.EOF):
		return nil, http.StatusBadRequest, ErrorTypeBadJSON, errors.New("the body is empty: it must be a JSON object")
	}
	return nil, http.StatusBadRequest, ErrorTypeBadJSON, err
}

// withIDs puts the request's ids in the ctx's baggage (over any members
// of the same keys that the caller sent), so that otelhook's
// WithBaggageAttributes copies them onto the migration spans.
func withIDs(ctx context.Context, reqID, userID string) context.Context {
	bag := baggage.FromContext(ctx)
	if m, err := baggage.NewMemberRaw(RequestIDKey, reqID); err == nil {
		if b, err := bag.SetMember(m); err == nil {
			bag = b
		}
	}
	if userID == "" {
		bag = bag.DeleteMember(UserIDKey)
	} else if m, err := baggage.NewMemberRaw(UserIDKey, userID); err == nil {
		if b, err := bag.SetMember(m); err == nil {
			bag = b
		}
	}
	return baggage.ContextWithBaggage(ctx, bag)
}

// validID reports whether s is a usable id: 1 to 128 visible ASCII
// characters.
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// StatusCode returns the HTTP status that answers a migration error:
//
//   - 400 Bad Request for a bad version string or a pair of versions with
//     no migration path between them, and for unusable data;
//   - 404 Not Found for an unknown model (or version of it);
//   - 422 Unprocessable Content when the result fails validation (or a
//     Validator hook rejects it);
//   - 500 Internal Server Error for everything else: a migration
//     function's error or panic, a cancelled request.
//
// It returns 200 for a nil error.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, core.ErrInvalidVersion), errors.Is(err, core.ErrNoMigrationPath), errors.Is(err, core.ErrInvalidData):
		return http.StatusBadRequest
	case errors.Is(err, core.ErrModelNotFound):
		return http.StatusNotFound
	case errors.Is(err, core.ErrValidation):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, status int, errType, msg, reqID string) {
	writeJSON(w, status, errorBody{Error: msg, ErrorType: errType, RequestID: reqID})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "encode the response: " + err.Error(), ErrorType: core.ErrorType(err)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
