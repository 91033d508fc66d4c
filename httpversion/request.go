package httpversion

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/transmute-go/transmute/core"
)

// upgrade migrates the request's body, if the route has a request model
// and the request a body, from the client's version to the newest and
// validates it; the request the handler gets is the client's, with the
// new body and its length.
func (h *handler) upgrade(r *http.Request, v *apiVersion) (*http.Request, *problem) {
	model := h.route.Request
	if model == "" || r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return r, nil
	}

	if !isJSON(r.Header.Get("Content-Type"), true) {
		return r, &problem{Status: http.StatusUnsupportedMediaType, Title: "The request body must be JSON",
			Detail: "the route takes a " + model + " record as application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.api.cfg.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return r, &problem{Status: http.StatusRequestEntityTooLarge, Title: "The request body is too large",
				Detail: "at most " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes"}
		}
		return r, &problem{Status: http.StatusBadRequest, Title: "The request body could not be read"}
	}
	from, to := v.models[model], h.api.newest.models[model]
	u := &upgraded{api: h.api, model: model, version: to, body: body}
	if from == to { // validated, and passed on as it came; Decode gets what the check decoded
		u.value, err = h.api.m.DecodeJSONValue(body, model, to.String())
	} else {
		u.body, u.value, err = h.api.migrate(r.Context(), body, model, from, to, true)
	}
	if err != nil {
		return r, h.api.invalid(err)
	}
	out := u.body
	r2 := r.WithContext(context.WithValue(r.Context(), bodyKey{}, u))
	r2.Body = io.NopCloser(bytes.NewReader(out))
	r2.ContentLength = int64(len(out))
	if r.Header.Get("Content-Length") != "" {
		r2.Header = r.Header.Clone()
		r2.Header.Set("Content-Length", strconv.Itoa(len(out)))
	}
	return r2, nil
}

// invalid is the problem of a request body that fails: 400 when it is
// not a JSON object, 422 when it does not migrate or validate (the field
// named), its text value-free unless WithValues says otherwise.
func (a *API) invalid(err error) *problem {
	p := &problem{Status: http.StatusUnprocessableEntity, Title: "The request body is not valid",
		Detail: core.ErrorMessage(err, a.cfg.redact), ErrorType: core.ErrorType(err)}
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		p.Field = ve.Field
	}
	if errors.Is(err, core.ErrDecode) {
		p.Status, p.Title = http.StatusBadRequest, "The request body is not a JSON object"
	}
	return p
}

// migrate migrates one record from one version to another (validated),
// keeping the version key out of the result when the record did not
// carry it: an API body says its version in a header. With keep, it also
// returns the result as the target's struct when the engine built one
// (for Decode), else nil.
func (a *API) migrate(ctx context.Context, body []byte, model string, from, to core.Version, keep bool) ([]byte, any, error) {
	vk := a.m.VersionKey()
	had := vk == "" || hasMember(body, vk)
	var out []byte
	var v any
	var err error
	if keep {
		out, v, err = a.m.MigrateJSONValue(ctx, body, model, from.String(), to.String())
	} else {
		out, err = a.m.MigrateJSON(ctx, body, model, from.String(), to.String())
	}
	if err != nil || had {
		return out, v, err
	}
	return dropMember(out, vk), v, nil
}

// isJSON reports whether a Content-Type is JSON (application/json or a
// +json type); empty is JSON when emptyOK.
func isJSON(contentType string, emptyOK bool) bool {
	if contentType == "" {
		return emptyOK
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")
}

// bodyKey is the context key of the upgraded body, for Decode.
type bodyKey struct{}

// upgraded is a request body the middleware migrated or checked: its
// text, and the newest struct when the check decoded it.
type upgraded struct {
	api     *API
	model   string
	version core.Version
	body    []byte
	value   any // a pointer to the version's Go struct, or nil
}

// ErrNotVersioned is the error of [Decode] for a request that did not
// come through a route with a request model.
var ErrNotVersioned = errors.New("httpversion: the request has no body upgraded by a versioned route")

// Decode returns the request's body, upgraded to the newest version, as a
// T: the Go struct registered for the route's request model at that
// version (another type is an error matching core.ErrInvalidModel). The
// request must come through a route of [API.Wrap] with a Request model,
// and have a body. A body the middleware already decoded to check it (a
// client at the newest version) is not decoded again.
func Decode[T any](r *http.Request) (T, error) {
	var zero T
	u, _ := r.Context().Value(bodyKey{}).(*upgraded)
	if u == nil {
		return zero, ErrNotVersioned
	}
	v := u.value
	if v == nil {
		var err error
		if v, err = u.api.m.DecodeJSONValue(u.body, u.model, u.version.String()); err != nil {
			return zero, err
		}
	}
	p, ok := v.(*T)
	if !ok {
		return zero, fmt.Errorf("httpversion: Decode: %w: %s %s is a %T, not a %T", core.ErrInvalidModel, u.model, u.version, v, p)
	}
	return *p, nil
}
