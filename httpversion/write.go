package httpversion

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
)

// Write writes v, a response of the route's response model as the newest
// version's Go struct (or a pointer to it), with status, as JSON. On a
// route of [API.Wrap] with a Response model and no List or Pointer, for a
// client at an older version, it renders v at the client's version
// straight from the struct ([core.Manager.MigrateStructJSON]): not
// encoded, then decoded and encoded again. Anywhere else it encodes v as
// it is and the route (if any) renders it as it renders any body. A
// failure to render is the route's 500, as for any body. The handler
// should write nothing else.
func Write(w http.ResponseWriter, r *http.Request, status int, v any) error {
	if bw, ok := w.(*bufferWriter); ok && bw.rendersStruct(status) {
		return bw.writeStruct(r, status, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// rendersStruct reports whether a response of status written with Write
// is rendered from the struct: a single-record route, nothing written
// yet, and a status whose body the route would migrate (any other is
// written as it is, as WriteHeader decides).
func (w *bufferWriter) rendersStruct(status int) bool {
	return !w.route.List && w.route.Pointer == "" && w.status == 0 &&
		status >= 200 && status < 300 && status != http.StatusNoContent
}

// writeStruct renders a response struct at the client's version and
// keeps it for the end of the handler.
func (w *bufferWriter) writeStruct(r *http.Request, status int, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		v = p.Interface()
	}
	a, model := w.api, w.route.Response
	w.status = status
	out, err := a.m.MigrateStructJSON(r.Context(), v, model, a.newest.models[model].String(), w.version.models[model].String())
	if err != nil {
		w.failed = true
		return err
	}
	if vk := a.m.VersionKey(); vk != "" {
		out = dropMember(out, vk)
	}
	w.final = out
	return nil
}
