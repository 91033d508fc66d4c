package httpversion_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/httpversion"
	"github.com/transmute-go/transmute/httpversion/internal/cputime"
)

// userHandler is a handler written for the newest version: it decodes
// the request body into a userV3 and writes it back, as JSON.
func userHandler(w http.ResponseWriter, r *http.Request) {
	var u userV3
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(u)
}

// versionedHandler is userHandler as a handler behind the middleware
// writes it: the body through Decode (the newest struct, which the
// middleware may have decoded already), the response through Write (the
// struct, rendered at the client's version without a decode).
func versionedHandler(w http.ResponseWriter, r *http.Request) {
	u, err := httpversion.Decode[userV3](r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_ = httpversion.Write(w, r, http.StatusOK, &u)
}

// inlineHandler is the same handler for a client at 2024-01-01 with the
// two migrations written inline, up and down, as a team without
// versioning writes them.
func inlineHandler(w http.ResponseWriter, r *http.Request) {
	var in userV1
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	first, last, _ := strings.Cut(in.Name, " ")
	u := userV3{FirstName: first, LastName: last, EmailAddress: in.Email,
		Address: addressV2{Street: in.Address.Street, City: in.Address.City, Country: "unknown"}}
	out := userV1{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.EmailAddress,
		Address: addressV1{Street: u.Address.Street, City: u.Address.City}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// serve runs h on one request in process (no network: the middleware's
// cost is not hidden by a round trip).
func serve(b *testing.B, h http.Handler, version, body string) {
	req := httptest.NewRequest("POST", "/users/7", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("API-Version", version)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func benchAPI(b *testing.B) *httpversion.API {
	api, err := httpversion.New(newManager(b), versions)
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// BenchmarkRatioH1 is H1 (docs/benchmarks.md): a client at the newest
// version through the middleware (nothing to migrate: the body is
// validated, the response passes through) over the same handler with no
// versioning, in alternating blocks. Target: x-bare ≤ 1.15.
func BenchmarkRatioH1(b *testing.B) {
	api := benchAPI(b)
	wrapped := api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(versionedHandler))
	bare := http.HandlerFunc(userHandler)
	cputime.Interleave(b, "bare",
		func() { serve(b, bare, "2025-01-01", ada) },
		func() { serve(b, wrapped, "2025-01-01", ada) })
}

// BenchmarkRatioH2 is H2: a client two versions back (2024-01-01: the
// request up two steps, the response down two) through the middleware
// over the handler with the same migrations written inline. Target:
// x-inline ≤ 1.3.
func BenchmarkRatioH2(b *testing.B) {
	api := benchAPI(b)
	wrapped := api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(versionedHandler))
	inline := http.HandlerFunc(inlineHandler)
	body := golden["2024-01-01"]
	cputime.Interleave(b, "inline",
		func() { serve(b, inline, "2024-01-01", body) },
		func() { serve(b, wrapped, "2024-01-01", body) })
}

// overHTTP runs h behind a real loopback server and returns a function
// that sends one request with a real client.
func overHTTP(b *testing.B, h http.Handler, version, body string) func() {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	return func() {
		req, _ := http.NewRequest("POST", srv.URL+"/users/7", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("API-Version", version)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%d", resp.StatusCode)
		}
	}
}

// BenchmarkRatioH1HTTP is H1 over a real loopback connection: a real
// client and server, per request.
func BenchmarkRatioH1HTTP(b *testing.B) {
	api := benchAPI(b)
	wrapped := overHTTP(b, api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(versionedHandler)), "2025-01-01", ada)
	bare := overHTTP(b, http.HandlerFunc(userHandler), "2025-01-01", ada)
	cputime.Interleave(b, "bare", bare, wrapped)
}

// BenchmarkRatioH2HTTP is H2 over a real loopback connection.
func BenchmarkRatioH2HTTP(b *testing.B) {
	api := benchAPI(b)
	body := golden["2024-01-01"]
	wrapped := overHTTP(b, api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(versionedHandler)), "2024-01-01", body)
	inline := overHTTP(b, http.HandlerFunc(inlineHandler), "2024-01-01", body)
	cputime.Interleave(b, "inline", inline, wrapped)
}
