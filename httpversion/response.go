package httpversion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// statusWriter passes everything through and notes the status.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes a flush through, as the writer it wraps allows.
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap is the writer wrapped, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bufferWriter keeps a JSON response whole until the handler returns, to
// migrate it down. A response that is not to be migrated (a status other
// than 2xx, unless WithErrorBodies; a Content-Type other than JSON; 204
// and 304) passes through from its WriteHeader on, flushes included.
type bufferWriter struct {
	w       http.ResponseWriter
	status  int
	passing bool
	buf     bytes.Buffer

	// For Write: the route, the API and the client's version; the body
	// rendered from a struct, or whether that failed.
	api     *API
	route   *Route
	version *apiVersion
	final   []byte
	failed  bool
}

func (w *bufferWriter) Header() http.Header { return w.w.Header() }

func (w *bufferWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 { // a second call, or an informational response
		if w.passing || code < 200 {
			w.w.WriteHeader(code)
		}
		return
	}
	w.status = code
	ok := code >= 200 && code < 300 && code != http.StatusNoContent
	if code >= 400 && w.api.cfg.errorBodies {
		ok = true
	}
	if !ok || !isJSON(w.w.Header().Get("Content-Type"), true) {
		w.passing = true
		w.w.WriteHeader(code)
	}
}

func (w *bufferWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.passing {
		return w.w.Write(p)
	}
	return w.buf.Write(p)
}

// Flush flushes a response that passes through; a buffered one is sent
// whole at the end.
func (w *bufferWriter) Flush() {
	if w.passing {
		_ = http.NewResponseController(w.w).Flush()
	}
}

// Unwrap is the writer wrapped, for http.ResponseController.
func (w *bufferWriter) Unwrap() http.ResponseWriter { return w.w }

// downgrade writes the buffered response migrated down to the client's
// version, or a 500 problem when it cannot be (the hooks saw the
// migration fail). It returns false for that.
func (h *handler) downgrade(ctx context.Context, w *bufferWriter, v *apiVersion) bool {
	if w.passing {
		return true
	}
	if w.status == 0 { // nothing written: an empty 200
		w.w.WriteHeader(http.StatusOK)
		return true
	}
	model := h.route.Response
	out, err := w.final, error(nil)
	switch {
	case w.failed:
		err = errShape
	case out == nil:
		out, err = h.api.downgradeBody(ctx, h.route, w.buf.Bytes(), model, h.api.newest.models[model], v.models[model])
	}
	hdr := w.w.Header()
	if err != nil {
		hdr.Del("Content-Length")
		(&problem{Status: http.StatusInternalServerError, Title: "The response could not be rendered at the API version",
			Detail: "the " + model + " record did not migrate to " + v.name}).write(w.w)
		return false
	}
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/json")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(out)))
	w.w.WriteHeader(w.status)
	_, _ = w.w.Write(out)
	return true
}

// errShape is a response body that is not what the route says it is.
var errShape = errors.New("httpversion: the response body is not shaped as the route says")

// downgradeBody migrates the records of a response body: the body, a list
// of them, or the value at the route's pointer.
func (a *API) downgradeBody(ctx context.Context, route Route, body []byte, model string, from, to core.Version) ([]byte, error) {
	if route.Pointer != "" {
		return a.atPointer(ctx, body, strings.Split(route.Pointer[1:], "/"), model, from, to)
	}
	if route.List {
		return a.list(ctx, body, model, from, to)
	}
	return a.record(ctx, body, model, from, to)
}

// record migrates one record of a response.
func (a *API) record(ctx context.Context, body []byte, model string, from, to core.Version) ([]byte, error) {
	out, _, err := a.migrate(ctx, body, model, from, to, false)
	return out, err
}

// list migrates each record of a JSON array.
func (a *API) list(ctx context.Context, body []byte, model string, from, to core.Version) ([]byte, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil || items == nil {
		return nil, errShape
	}
	out := append(make([]byte, 0, len(body)+len(body)/8), '[')
	for i, it := range items {
		b, err := a.record(ctx, it, model, from, to)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, ']'), nil
}

// atPointer migrates the record or records at a JSON pointer (RFC 6901)
// inside an envelope, the rest kept as it was.
func (a *API) atPointer(ctx context.Context, body []byte, tokens []string, model string, from, to core.Version) ([]byte, error) {
	if len(tokens) == 0 {
		if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
			return a.list(ctx, b, model, from, to)
		}
		return a.record(ctx, body, model, from, to)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil || env == nil {
		return nil, errShape
	}
	key := strings.ReplaceAll(strings.ReplaceAll(tokens[0], "~1", "/"), "~0", "~")
	inner, ok := env[key]
	if !ok {
		return nil, errShape
	}
	b, err := a.atPointer(ctx, inner, tokens[1:], model, from, to)
	if err != nil {
		return nil, err
	}
	env[key] = b
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte{'\n'}), nil
}
