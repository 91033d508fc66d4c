package httpversion

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Route says which models a route's bodies are: Request, the model of the
// request body, and Response, of the response body ("" for none). A
// response may be a list of records (List), or an envelope whose records
// are at a JSON pointer (Pointer, such as "/data": an array of records or
// one record); List without Pointer is a body that is a JSON array.
type Route struct {
	Request  string
	Response string
	List     bool
	Pointer  string
}

// Wrap returns h as a versioned route: the request body is migrated up to
// the newest version and validated before h runs, and the JSON body h
// writes (2xx) is migrated down to the client's version; see the package
// documentation. Register it under a ServeMux pattern as any handler:
// r.Pattern and r.PathValue are as the mux matched them. It panics if a
// model of the route is not in the API's newest version, or if the
// pointer is not a JSON pointer: a programming error, as a bad pattern is
// for ServeMux.
func (a *API) Wrap(route Route, h http.Handler) http.Handler {
	for _, model := range []string{route.Request, route.Response} {
		if _, ok := a.newest.models[model]; model != "" && !ok {
			panic(fmt.Sprintf("httpversion: Wrap: model %q is not in the newest API version %q", model, a.newest.name))
		}
	}
	if route.Pointer != "" && !strings.HasPrefix(route.Pointer, "/") {
		panic(fmt.Sprintf("httpversion: Wrap: %q is not a JSON pointer (it starts with /)", route.Pointer))
	}
	return &handler{api: a, route: route, next: h}
}

// handler is a wrapped route.
type handler struct {
	api   *API
	route Route
	next  http.Handler
}

// The outcomes of a request, the transmute.api.requests attribute.
const (
	outcomeOK             = "ok"              // the handler answered < 400
	outcomeClientError    = "client_error"    // the handler answered 4xx
	outcomeServerError    = "server_error"    // the handler answered 5xx
	outcomeUnknownVersion = "unknown_version" // no version, or not one of the API's
	outcomeInvalidRequest = "invalid_request" // the request body did not decode, migrate or validate
	outcomeResponseFailed = "response_failed" // the response could not be migrated down
)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, p := h.api.clientVersion(r)
	if p != nil {
		h.api.count(r.Context(), "", r.Pattern, outcomeUnknownVersion)
		p.write(w)
		return
	}
	w.Header().Set(h.api.cfg.header, v.name)
	r, p = h.upgrade(r, v)
	if p != nil {
		h.api.count(r.Context(), v.name, r.Pattern, outcomeInvalidRequest)
		p.write(w)
		return
	}
	if h.route.Response == "" || r.Method == http.MethodHead || v.models[h.route.Response] == h.api.newest.models[h.route.Response] {
		sw := &statusWriter{ResponseWriter: w}
		h.next.ServeHTTP(sw, r)
		h.api.count(r.Context(), v.name, r.Pattern, outcomeOf(sw.status))
		return
	}
	bw := &bufferWriter{w: w, api: h.api, route: &h.route, version: v}
	h.next.ServeHTTP(bw, r)
	outcome := outcomeOf(bw.status)
	if !h.downgrade(r.Context(), bw, v) {
		outcome = outcomeResponseFailed
	}
	h.api.count(r.Context(), v.name, r.Pattern, outcome)
}

func outcomeOf(status int) string {
	switch {
	case status >= 500:
		return outcomeServerError
	case status >= 400:
		return outcomeClientError
	}
	return outcomeOK
}

// count adds a request to transmute.api.requests. The attribute sets are
// built once per version, route and outcome.
func (a *API) count(ctx context.Context, version, route, outcome string) {
	key := countKey{version, route, outcome}
	opt, ok := a.attrs.Load(key)
	if !ok {
		opt, _ = a.attrs.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(
			attribute.String("api.version", version),
			attribute.String("http.route", route),
			attribute.String("outcome", outcome))))
	}
	a.requests.Add(ctx, 1, opt.(metric.AddOption))
}

type countKey struct{ version, route, outcome string }

// clientVersion is the request's API version: the header, else the
// resolver's, else the default.
func (a *API) clientVersion(r *http.Request) (*apiVersion, *problem) {
	name := r.Header.Get(a.cfg.header)
	if name == "" && a.cfg.resolver != nil {
		var err error
		if name, err = a.cfg.resolver(r); err != nil {
			return nil, &problem{Status: http.StatusInternalServerError, Title: "The API version could not be resolved"}
		}
	}
	if name == "" {
		name = a.cfg.def
	}
	if v, ok := a.byName[name]; ok {
		return v, nil
	}
	p := &problem{Status: http.StatusBadRequest, Title: "Unknown API version", KnownVersions: a.Versions(),
		Detail: "the " + a.cfg.header + " header must name one of the known versions"}
	if name == "" {
		p.Title = "No API version"
	}
	return nil, p
}
