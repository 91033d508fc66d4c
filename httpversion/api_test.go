package httpversion_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/httpversion"
	"github.com/transmute-go/transmute/transmutetest"
)

// newServer serves every kind of route over a real listener; the
// handlers are written for the newest version only, and note the request
// bodies they got in s.
func newServer(t testing.TB, api *httpversion.API, s *seen, release <-chan struct{}) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	user := httpversion.Route{Request: "User", Response: "User"}
	mux.Handle("POST /users/{id}", api.Wrap(user, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := httpversion.Decode[userV3](r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		s.add(r.Pattern + " " + r.PathValue("id") + " " + strconv.FormatInt(r.ContentLength, 10) + "=" + strconv.Itoa(len(raw)) + " " + string(raw))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(u)
	})))
	mux.Handle("GET /users/{id}", api.Wrap(httpversion.Route{Response: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("id") == "404" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"no such user","first_name":"kept"}`))
			return
		}
		if r.PathValue("id") == "refuse" {
			_, _ = w.Write([]byte(strings.Replace(ada, `"Lovelace"`, `"refuse"`, 1)))
			return
		}
		_, _ = w.Write([]byte(ada[:40])) // in two writes
		_, _ = w.Write([]byte(ada[40:]))
	})))
	mux.Handle("GET /users", api.Wrap(httpversion.Route{Response: "User", List: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, "[%s, %s]", ada, strings.ReplaceAll(ada, "Ada", "Augusta"))
	})))
	mux.Handle("GET /page", api.Wrap(httpversion.Route{Response: "User", Pointer: "/page/items"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"page":{"items":[%s],"next":"<cursor>"},"total":1}`, ada)
	})))
	mux.Handle("POST /import", api.Wrap(httpversion.Route{Request: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		s.add("import " + string(raw))
		w.WriteHeader(http.StatusNoContent)
	})))
	mux.Handle("GET /events", api.Wrap(httpversion.Route{Response: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: first\n\n")
		http.NewResponseController(w).Flush()
		<-release
		fmt.Fprint(w, "data: second\n\n")
	})))
	mux.Handle("GET /panic", api.Wrap(httpversion.Route{Response: "User"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"first_name":`))
		panic(http.ErrAbortHandler)
	})))
	mux.Handle("GET /changelog", api.ChangelogHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// golden: the same user at each API version.
var golden = map[string]string{
	"2024-01-01": `{"name":"Ada Lovelace","email":"ada@example.com","nickname":"","address":{"street":"1 Main St","city":"London"}}`,
	"2024-06-01": `{"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com","nickname":"","address":{"street":"1 Main St","city":"London"}}`,
	"2025-01-01": ada,
}

// TestGolden: a client at each version sends and gets the user at its
// version; the handler always gets the newest shape (with the route's
// pattern, path value and the upgraded length), and no body shows the
// manager's version key.
func TestGolden(t *testing.T) {
	var s seen
	srv := newServer(t, newAPI(t, newManager(t)), &s, nil)
	newest := `{"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com","address":{"street":"1 Main St","city":"London","country":"unknown"}}`
	for _, v := range []string{"2024-01-01", "2024-06-01", "2025-01-01"} {
		r := do(t, srv, "POST", "/users/7", v, golden[v])
		if r.status != 200 || r.version != v || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %+v", v, r)
		}
		want := golden[v]
		if v == "2025-01-01" {
			want = ada // a client at the newest version gets what it sent
		}
		jsonEqual(t, v+": POST response", r.body, want)
		if n, _ := strconv.Atoi(r.header.Get("Content-Length")); n != len(r.body) {
			t.Fatalf("%s: Content-Length %s for %d bytes", v, r.header.Get("Content-Length"), len(r.body))
		}
		got := s.all()[len(s.all())-1]
		parts := strings.SplitN(got, " ", 5) // method, pattern, id, ContentLength=read, body
		if len(parts) != 5 || parts[0]+" "+parts[1]+" "+parts[2] != "POST /users/{id} 7" || strings.Contains(got, "schema_version") {
			t.Fatalf("%s: the handler got %s", v, got)
		}
		if v != "2025-01-01" {
			jsonEqual(t, v+": the handler's body", parts[4], newest)
		}
		if a, b, _ := strings.Cut(parts[3], "="); a != b {
			t.Fatalf("%s: ContentLength %s for a body of %s bytes", v, a, b)
		}

		r = do(t, srv, "GET", "/users/1", v, "")
		if r.status != 200 || r.version != v || strings.Contains(r.body, "schema_version") {
			t.Fatalf("%s: GET %+v", v, r)
		}
		jsonEqual(t, v+": GET", r.body, golden[v])
	}
}

// TestListsAndEnvelopes: every record of a list, and of the array at a
// pointer, is rendered at the client's version; the rest of the envelope
// is kept as the handler wrote it.
func TestListsAndEnvelopes(t *testing.T) {
	srv := newServer(t, newAPI(t, newManager(t)), &seen{}, nil)
	v1, v1b := golden["2024-01-01"], strings.ReplaceAll(golden["2024-01-01"], "Ada", "Augusta")
	r := do(t, srv, "GET", "/users", "2024-01-01", "")
	if r.status != 200 {
		t.Fatalf("list: %+v", r)
	}
	jsonEqual(t, "list", r.body, "["+v1+","+v1b+"]")
	r = do(t, srv, "GET", "/page", "2024-01-01", "")
	jsonEqual(t, "envelope", r.body, `{"page":{"items":[`+v1+`],"next":"<cursor>"},"total":1}`)
	if !strings.Contains(r.body, `"<cursor>"`) {
		t.Fatalf("the envelope's HTML characters were escaped: %s", r.body)
	}
	r = do(t, srv, "GET", "/page", "2025-01-01", "")
	jsonEqual(t, "envelope at the newest", r.body, `{"page":{"items":[`+ada+`],"next":"<cursor>"},"total":1}`)
}

// TestVersions: the header names the version; a resolver gives it when
// the header is absent, then the default; an unknown or missing version
// is a 400 problem listing the known ones, and the handler never runs.
func TestVersions(t *testing.T) {
	m := newManager(t)
	var s seen
	srv := newServer(t, newAPI(t, m), &s, nil)
	for name, v := range map[string]string{"unknown": "2023-01-01", "missing": ""} {
		r := do(t, srv, "POST", "/import", v, golden["2024-01-01"])
		var p struct {
			Type, Title   string
			Status        int
			KnownVersions []string `json:"known_versions"`
		}
		if err := json.Unmarshal([]byte(r.body), &p); err != nil || r.status != 400 || p.Status != 400 || p.Type != "about:blank" ||
			r.header.Get("Content-Type") != "application/problem+json" || strings.Join(p.KnownVersions, ",") != "2024-01-01,2024-06-01,2025-01-01" {
			t.Fatalf("%s version: %+v (%v)", name, r, err)
		}
	}
	if len(s.all()) != 0 {
		t.Fatalf("the handler ran for a bad version: %v", s.all())
	}

	pinned := map[string]string{"acme": "2024-01-01"}
	api := newAPI(t, m, httpversion.WithHeader("X-Version"), httpversion.WithDefault("2024-06-01"),
		httpversion.WithResolver(func(r *http.Request) (string, error) {
			if r.URL.Query().Get("account") == "broken" {
				return "", errors.New("the accounts database is down")
			}
			return pinned[r.URL.Query().Get("account")], nil
		}))
	srv = newServer(t, api, &s, nil)
	get := func(query, header string) (int, string, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/users/1"+query, nil)
		if header != "" {
			req.Header.Set("X-Version", header)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Version"), string(b)
	}
	if code, v, body := get("?account=acme", ""); code != 200 || v != "2024-01-01" || !strings.Contains(body, `"name":"Ada Lovelace"`) {
		t.Fatalf("pinned: %d %s %s", code, v, body)
	}
	if code, v, _ := get("?account=acme", "2025-01-01"); code != 200 || v != "2025-01-01" {
		t.Fatalf("the header overrides the pin: %d %s", code, v)
	}
	if code, v, _ := get("?account=other", ""); code != 200 || v != "2024-06-01" {
		t.Fatalf("default: %d %s", code, v)
	}
	if code, _, body := get("?account=broken", ""); code != 500 || strings.Contains(body, "database") {
		t.Fatalf("a failing resolver: %d %s", code, body)
	}

	for name, opts := range map[string][]httpversion.Option{
		"a default that is not a version": {httpversion.WithDefault("nope")},
	} {
		if _, err := httpversion.New(m, versions, opts...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestNewChecks: New refuses what the middleware could not serve, and
// names it.
func TestNewChecks(t *testing.T) {
	m := newManager(t)
	noDown := core.NewManager()
	if err := errors.Join(
		core.Register[userV1](noDown, "User", "1.0.0"),
		core.Register[userV2](noDown, "User", "2.0.0"),
		noDown.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }),
	); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    *core.Manager
		vs   []httpversion.Version
		want string
	}{
		{"none", m, nil, "no API version"},
		{"unregistered", m, []httpversion.Version{{Name: "a", Models: map[string]string{"User": "9.0.0"}}}, "9.0.0"},
		{"unknown model", m, []httpversion.Version{{Name: "a", Models: map[string]string{"Nope": "1.0.0"}}}, "Nope"},
		{"duplicate name", m, []httpversion.Version{{Name: "a", Models: map[string]string{"User": "3.0.0"}}, {Name: "a"}}, `"a" is empty or used twice`},
		{"empty name", m, []httpversion.Version{{Models: map[string]string{"User": "3.0.0"}}}, "empty or used twice"},
		{"newest not latest", m, []httpversion.Version{{Name: "a", Models: map[string]string{"User": "2.0.0"}}}, "names User 2.0.0, not its latest, 3.0.0"},
		{"no way down", noDown, []httpversion.Version{{Name: "a", Models: map[string]string{"User": "1.0.0"}}, {Name: "b", Models: map[string]string{"User": "2.0.0"}}},
			`no migration path for User 2.0.0 → 1.0.0 (version "a")`},
	}
	for _, c := range cases {
		_, err := httpversion.New(c.m, c.vs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestBadBodies: a body that is not JSON, not an object, invalid at the
// client's version or that fails its migration is refused before the
// handler runs, with a problem naming the field and no value; a body
// that is too large is a 413.
func TestBadBodies(t *testing.T) {
	var s seen
	m := newManager(t)
	srv := newServer(t, newAPI(t, m, httpversion.WithMaxBodySize(512)), &s, nil)
	cases := []struct {
		name, version, body, ctype string
		status                     int
		field, errType             string
	}{
		{"not an object", "2024-01-01", `[1,2]`, "application/json", 400, "", "decode"},
		{"not JSON", "2024-01-01", `{"name":`, "application/json", 400, "", "decode"},
		{"wrong type", "2024-01-01", `{"name":"Ada s3cr3t","email":5,"nickname":"","address":{"street":"x","city":"y"}}`, "application/json", 422, "email", "validation"},
		{"missing nested", "2024-06-01", `{"first_name":"A","last_name":"s3cr3t","email_address":"e","nickname":"","address":{"street":"x"}}`, "application/json", 422, "address.city", "validation"},
		{"at the newest", "2025-01-01", `{"first_name":"A","last_name":"s3cr3t","email_address":5,"address":{"street":"x","city":"y"}}`, "application/json", 422, "email_address", "validation"},
		{"not JSON content", "2024-01-01", `name=Ada`, "application/x-www-form-urlencoded", 415, "", ""},
		{"too large", "2024-01-01", `{"name":"` + strings.Repeat("a", 600) + `"}`, "application/json", 413, "", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", srv.URL+"/import", strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		req.Header.Set("API-Version", c.version)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p struct {
			Status    int
			Field     string
			ErrorType string `json:"error_type"`
			Detail    string
		}
		_ = json.Unmarshal(b, &p)
		if resp.StatusCode != c.status || p.Status != c.status || p.Field != c.field || p.ErrorType != c.errType ||
			resp.Header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(b), "s3cr3t") {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}
	if len(s.all()) != 0 {
		t.Fatalf("the handler ran for a bad body: %v", s.all())
	}
	// With WithValues(core.KeepValues), the problem may say the value.
	srv = newServer(t, newAPI(t, m, httpversion.WithValues(core.KeepValues)), &s, nil)
	r := do(t, srv, "POST", "/import", "2024-01-01", `{"name":"Ada","email":"e","nickname":"","address":{"street":"x","city":5}}`)
	if r.status != 422 || !strings.Contains(r.body, `address.city`) {
		t.Fatalf("with values: %+v", r)
	}
	// A request with no body reaches the handler untouched.
	r = do(t, srv, "POST", "/import", "2024-01-01", "")
	if r.status != 204 || s.all()[0] != "import " {
		t.Fatalf("no body: %+v %v", r, s.all())
	}
}

// TestResponsesThatPassThrough: an error response, a non-JSON streamed
// response (flushed as it is written), a HEAD and a 204 are not touched.
func TestResponsesThatPassThrough(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, newAPI(t, newManager(t)), &seen{}, release)
	r := do(t, srv, "GET", "/users/404", "2024-01-01", "")
	if r.status != 404 || r.body != `{"error":"no such user","first_name":"kept"}` || r.version != "2024-01-01" {
		t.Fatalf("a 404: %+v", r)
	}
	r = do(t, srv, "HEAD", "/users/1", "2024-01-01", "")
	if r.status != 200 || r.body != "" {
		t.Fatalf("HEAD: %+v", r)
	}
	r = do(t, srv, "POST", "/import", "2024-01-01", golden["2024-01-01"])
	if r.status != 204 {
		t.Fatalf("204: %+v", r)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("API-Version", "2024-01-01")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	line, err := rd.ReadString('\n') // arrives while the handler waits: it was flushed
	if err != nil || line != "data: first\n" {
		t.Fatalf("stream: %q %v", line, err)
	}
	close(release)
	rest, _ := io.ReadAll(rd)
	if string(rest) != "\ndata: second\n\n" {
		t.Fatalf("stream rest: %q", rest)
	}
}

// TestDowngradeFails: a response that cannot be rendered at the client's
// version is a 500 problem, never a part of the body, and the hooks see
// the migration fail; the same response at the newest version is sent.
func TestDowngradeFails(t *testing.T) {
	m := newManager(t)
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	srv := newServer(t, newAPI(t, m), &seen{}, nil)
	r := do(t, srv, "GET", "/users/refuse", "2024-06-01", "")
	if r.status != 500 || r.header.Get("Content-Type") != "application/problem+json" || strings.Contains(r.body, "Ada") || strings.Contains(r.body, "s3cr3t") {
		t.Fatalf("a failed downgrade: %+v", r)
	}
	failed := 0
	for _, c := range rec.Calls() {
		if c.Method == "OnError" && errors.Is(c.Err, errRefused) {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("the hooks saw %d failures, want 1: %v", failed, rec.Methods())
	}
	if r := do(t, srv, "GET", "/users/refuse", "2025-01-01", ""); r.status != 200 {
		t.Fatalf("at the newest: %+v", r)
	}
}

// TestHandlerPanic: a handler's panic is net/http's to handle (the
// connection is dropped, the server goes on), with nothing sent.
func TestHandlerPanic(t *testing.T) {
	srv := newServer(t, newAPI(t, newManager(t)), &seen{}, nil)
	srv.Config.ErrorLog = nil
	req, _ := http.NewRequest("GET", srv.URL+"/panic", nil)
	req.Header.Set("API-Version", "2024-01-01")
	if resp, err := srv.Client().Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("a panicking handler answered %d %q", resp.StatusCode, b)
	}
	if r := do(t, srv, "GET", "/users/1", "2024-01-01", ""); r.status != 200 {
		t.Fatalf("after a panic: %+v", r)
	}
}

// TestConcurrentClients: clients on every version at once, under -race,
// each gets its own version.
func TestConcurrentClients(t *testing.T) {
	srv := newServer(t, newAPI(t, newManager(t)), &seen{}, nil)
	names := []string{"2024-01-01", "2024-06-01", "2025-01-01"}
	var wg sync.WaitGroup
	errs := make(chan string, 300)
	for i := range 30 {
		wg.Go(func() {
			for j := range 10 {
				v := names[(i+j)%3]
				r := do(t, srv, "POST", "/users/"+strconv.Itoa(i), v, golden[v])
				var got, want any
				_ = json.Unmarshal([]byte(r.body), &got)
				_ = json.Unmarshal([]byte(golden[v]), &want)
				if r.status != 200 || r.version != v || fmt.Sprint(got) != fmt.Sprint(want) {
					errs <- fmt.Sprintf("%s: %d %s", v, r.status, r.body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestChangelog lists each version's model changes, newest first, with
// the migrations' descriptions and the fields.
func TestChangelog(t *testing.T) {
	srv := newServer(t, newAPI(t, newManager(t)), &seen{}, nil)
	r := do(t, srv, "GET", "/changelog", "", "")
	want := "# API changelog\n\n" +
		"## 2025-01-01\n\n" +
		"### Address 1.0.0 → 2.0.0\n\n- added: `country`\n\n" +
		"### User 2.0.0 → 3.0.0\n\n- `nickname` is removed; the address gets a `country`\n- removed: `nickname`\n- changed: `address`: nested model: Address 1.0.0 → 2.0.0\n\n" +
		"## 2024-06-01\n\n" +
		"### User 1.0.0 → 2.0.0\n\n- `name` is split into `first_name` and `last_name`; `email` is renamed `email_address`\n" +
		"- added: `email_address`\n- added: `first_name`\n- added: `last_name`\n- removed: `email`\n- removed: `name`\n\n" +
		"## 2024-01-01\n\nThe first version: Address 1.0.0, User 1.0.0.\n"
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != "text/markdown; charset=utf-8" {
		t.Fatalf("changelog:\n%s\nwant:\n%s", r.body, want)
	}
}
