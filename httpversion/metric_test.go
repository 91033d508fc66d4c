package httpversion_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/httpversion"
	"github.com/transmute-go/transmute/transmutetest"
)

// TestRequestsMetric: transmute.api.requests counts each request by API
// version, route pattern and outcome.
func TestRequestsMetric(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	srv := newServer(t, newAPI(t, newManager(t), httpversion.WithMeterProvider(mp)), &seen{}, nil)
	do(t, srv, "GET", "/users/1", "2024-01-01", "")
	do(t, srv, "GET", "/users/1", "2024-01-01", "")
	do(t, srv, "GET", "/users/404", "2025-01-01", "")
	do(t, srv, "GET", "/users/refuse", "2024-06-01", "")
	do(t, srv, "GET", "/users/1", "1999-01-01", "")
	do(t, srv, "POST", "/import", "2024-01-01", `[1]`)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if mt.Name != "transmute.api.requests" {
				continue
			}
			for _, dp := range mt.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value("api.version")
				r, _ := dp.Attributes.Value("http.route")
				o, _ := dp.Attributes.Value("outcome")
				got = append(got, v.AsString()+" "+r.AsString()+" "+o.AsString()+" "+itoa(dp.Value))
			}
		}
	}
	sort.Strings(got)
	want := []string{
		" GET /users/{id} unknown_version 1",
		"2024-01-01 GET /users/{id} ok 2",
		"2024-01-01 POST /import invalid_request 1",
		"2024-06-01 GET /users/{id} response_failed 1",
		"2025-01-01 GET /users/{id} client_error 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("transmute.api.requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestDecode: Decode gives the upgraded body as the newest struct; a type
// that is not the newest version's, or a request that did not come
// through a route with a request model, is an error.
func TestDecode(t *testing.T) {
	api := newAPI(t, newManager(t))
	var got userV3
	var wrongErr, plainErr error
	h := api.Wrap(httpversion.Route{Request: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = httpversion.Decode[userV3](r)
		_, wrongErr = httpversion.Decode[userV1](r)
	}))
	req := httptest.NewRequest("POST", "/", strings.NewReader(golden["2024-01-01"]))
	req.Header.Set("API-Version", "2024-01-01")
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.FirstName != "Ada" || got.Address.Country != "unknown" || !errors.Is(wrongErr, core.ErrInvalidModel) {
		t.Fatalf("Decode: %+v, wrong type: %v", got, wrongErr)
	}
	_, plainErr = httpversion.Decode[userV3](httptest.NewRequest("POST", "/", strings.NewReader(ada)))
	if !errors.Is(plainErr, httpversion.ErrNotVersioned) {
		t.Fatalf("an unversioned request: %v", plainErr)
	}
}

// TestWrapPanics on a route the API cannot serve: a programming error.
func TestWrapPanics(t *testing.T) {
	api := newAPI(t, newManager(t))
	for name, route := range map[string]httpversion.Route{
		"unknown model": {Response: "Order"},
		"bad pointer":   {Response: "User", Pointer: "data"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			api.Wrap(route, http.NotFoundHandler())
		}()
	}
}

// TestRequestHooks: hooks a middleware puts in the request's ctx see the
// migration up and the migration down of that request, paired.
func TestRequestHooks(t *testing.T) {
	api := newAPI(t, newManager(t))
	rec := transmutetest.NewRecorder()
	h := api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(userHandler))
	withHooks := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(core.ContextWithHooks(r.Context(), rec)))
	})
	srv := httptest.NewServer(withHooks)
	t.Cleanup(srv.Close)
	r := do(t, srv, "POST", "/users/1", "2024-01-01", golden["2024-01-01"])
	if r.status != 200 {
		t.Fatalf("%+v", r)
	}
	var dirs []string
	for _, c := range rec.Calls() {
		if c.Method == "AfterMigrate" {
			dirs = append(dirs, c.Event.From.String()+"→"+c.Event.To.String())
		}
	}
	if strings.Join(dirs, " ") != "1.0.0→3.0.0 3.0.0→1.0.0" {
		t.Fatalf("the request's hooks saw %v", dirs)
	}
	if err := rec.CheckPairing(); err != nil {
		t.Fatal(err)
	}
}

// TestWrite: a handler that hands its response struct to Write gets the
// same bodies at every version as one that encodes it, a failed render
// is the route's 500, and outside a single-record route Write encodes.
func TestWrite(t *testing.T) {
	m := newManager(t)
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	api := newAPI(t, m)
	var u userV3
	if err := json.Unmarshal([]byte(ada), &u); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /typed/{name}", api.Wrap(httpversion.Route{Response: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") == "missing" { // an error body: written as it is
			_ = httpversion.Write(w, r, http.StatusNotFound, map[string]string{"error": "no such user"})
			return
		}
		v := u
		v.LastName = r.PathValue("name")
		if err := httpversion.Write(w, r, http.StatusCreated, v); err != nil && v.LastName != "refuse" {
			t.Errorf("Write: %v", err)
		}
	})))
	mux.Handle("GET /typedlist", api.Wrap(httpversion.Route{Response: "User", List: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = httpversion.Write(w, r, http.StatusOK, []userV3{u})
	})))
	mux.Handle("GET /plain", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = httpversion.Write(w, r, http.StatusAccepted, &u)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for v, want := range golden {
		r := do(t, srv, "GET", "/typed/Lovelace", v, "")
		if r.status != http.StatusCreated || r.version != v || r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) || strings.Contains(r.body, "schema_version") {
			t.Fatalf("%s: %+v", v, r)
		}
		if v == "2025-01-01" {
			want = ada
		}
		jsonEqual(t, v, r.body, want)
		r = do(t, srv, "GET", "/typedlist", v, "")
		jsonEqual(t, v+" list", r.body, "["+want+"]")
	}
	rec.Reset()
	r := do(t, srv, "GET", "/typed/refuse", "2024-06-01", "")
	if r.status != 500 || r.header.Get("Content-Type") != "application/problem+json" || strings.Contains(r.body, "Ada") {
		t.Fatalf("a failed render: %+v", r)
	}
	if ms := rec.Methods(); len(ms) == 0 || ms[len(ms)-1] != "OnError" {
		t.Fatalf("the hooks: %v", ms)
	}
	r = do(t, srv, "GET", "/typed/missing", "2024-01-01", "")
	if r.status != http.StatusNotFound || r.body != `{"error":"no such user"}` || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("an error through Write: %+v", r)
	}
	r = do(t, srv, "GET", "/plain", "", "")
	if r.status != http.StatusAccepted {
		t.Fatalf("plain: %+v", r)
	}
	jsonEqual(t, "plain", r.body, ada)
}
