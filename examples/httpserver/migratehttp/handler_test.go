package migratehttp_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
)

const userWithAddress = `{"name":"Ada Lovelace","address":{"street":"1 Main St","city":"London","zip":"N1"}}`

func TestMigrateNestsSpansUnderTheRequest(t *testing.T) {
	f := newFixture(t)

	// The caller's own span, propagated with a traceparent header.
	ctx, client := f.tp.Tracer("test").Start(context.Background(), "client", trace.WithSpanKind(trace.SpanKindClient))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL+"/migrate?model=User&from=1.0.0&to=3.0.0", strings.NewReader(userWithAddress))
	if err != nil {
		t.Fatal(err)
	}
	propagators.Inject(ctx, propagation.HeaderCarrier(req.Header))
	if req.Header.Get("traceparent") == "" {
		t.Fatal("no traceparent header injected")
	}
	req.Header.Set(migratehttp.HeaderRequestID, "req-42")
	req.Header.Set(migratehttp.HeaderUserID, "user-7")
	r := do(t, f.srv.Client(), req)
	client.End()

	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	data, _ := r.body["data"].(map[string]any)
	addr, _ := data["address"].(map[string]any)
	if data["first_name"] != "Ada" || data["last_name"] != "Lovelace" || data["email"] != "" ||
		addr["postal_code"] != "N1" || addr["country"] != "unknown" || addr["zip"] != nil {
		t.Errorf("migrated data = %v", data)
	}
	if r.body["request_id"] != "req-42" || r.header.Get(migratehttp.HeaderRequestID) != "req-42" {
		t.Errorf("request id: body %v, header %q", r.body["request_id"], r.header.Get(migratehttp.HeaderRequestID))
	}
	// User 1.0.0 → 3.0.0 (2 steps) and, inside its auto step, Address
	// 1.0.0 → 2.0.0 (1 step).
	if got := r.header.Get(migratehttp.HeaderMigrations); got != "2" {
		t.Errorf("%s = %q, want 2", migratehttp.HeaderMigrations, got)
	}
	if got := r.header.Get(migratehttp.HeaderMigrationSteps); got != "3" {
		t.Errorf("%s = %q, want 3", migratehttp.HeaderMigrationSteps, got)
	}

	spans := f.waitEnded(t, func(s []sdktrace.ReadOnlySpan) bool { return count(s, "POST /migrate") == 1 })
	server := named(spans, "POST /migrate")[0]
	if server.SpanKind() != trace.SpanKindServer {
		t.Errorf("request span kind = %v", server.SpanKind())
	}
	if server.Parent().SpanID() != client.SpanContext().SpanID() || server.SpanContext().TraceID() != client.SpanContext().TraceID() {
		t.Errorf("request span's parent = %v, want the client span %v", server.Parent().SpanID(), client.SpanContext().SpanID())
	}
	if attrString(server, migratehttp.RequestIDKey) != "req-42" || attrString(server, migratehttp.UserIDKey) != "user-7" ||
		attrString(server, "http.route") != "/migrate" {
		t.Errorf("request span attributes = %v", server.Attributes())
	}

	migUser := only(t, spans, "migrate User")
	if migUser.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Errorf("migrate User's parent = %v, want the request span", migUser.Parent().SpanID())
	}
	for k, want := range map[string]string{
		"migration.model": "User", "migration.version.from": "1.0.0", "migration.version.to": "3.0.0",
		"migration.steps": "2", "migration.direction": "up",
		migratehttp.RequestIDKey: "req-42", migratehttp.UserIDKey: "user-7",
	} {
		if got := attrString(migUser, k); got != want {
			t.Errorf("migrate User %s = %q, want %q", k, got, want)
		}
	}
	steps := named(spans, "migrate.step User")
	if len(steps) != 2 {
		t.Fatalf("%d migrate.step User spans, want 2:\n%s", len(steps), dump(spans))
	}
	var autoStep sdktrace.ReadOnlySpan
	for _, s := range steps {
		if s.Parent().SpanID() != migUser.SpanContext().SpanID() {
			t.Errorf("step %s's parent is not migrate User", attrString(s, "migration.step.index"))
		}
		if attrString(s, "migration.step.auto") == "true" {
			autoStep = s
		}
	}
	if autoStep == nil || attrString(autoStep, "migration.version.from") != "2.0.0" {
		t.Fatalf("no auto step 2.0.0 → 3.0.0 among %v", steps)
	}
	migAddr := only(t, spans, "migrate Address")
	if migAddr.Parent().SpanID() != autoStep.SpanContext().SpanID() {
		t.Errorf("migrate Address's parent = %v, want the auto step of User", migAddr.Parent().SpanID())
	}
	if attrString(migAddr, migratehttp.RequestIDKey) != "req-42" {
		t.Errorf("nested migration lost the request id: %v", migAddr.Attributes())
	}
	addrStep := only(t, spans, "migrate.step Address")
	if addrStep.Parent().SpanID() != migAddr.SpanContext().SpanID() {
		t.Errorf("migrate.step Address's parent is not migrate Address")
	}
	for _, s := range spans {
		if s.SpanContext().TraceID() != client.SpanContext().TraceID() {
			t.Errorf("span %s is in another trace", s.Name())
		}
	}

	// The logger saw the request's ids on both migrations' records.
	n := 0
	for _, rec := range f.logs.records(t) {
		if rec["msg"] == "migration completed" {
			n++
			if rec["request_id"] != "req-42" || rec["user_id"] != "user-7" {
				t.Errorf("log record without the request's ids: %v", rec)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d completion log records, want 2", n)
	}
}

func only(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	s := named(spans, name)
	if len(s) != 1 {
		t.Fatalf("%d spans named %q, want 1:\n%s", len(s), name, dump(spans))
	}
	return s[0]
}

func TestStatusCodes(t *testing.T) {
	f := newFixture(t, migratehttp.WithMaxBodyBytes(256))
	tests := []struct {
		name, query, body string
		header            map[string]string
		model             string // of the failed migration span, User when empty
		status            int
		errType           string
		migrations        string // X-Migrations, "" when no migration was tried
		spanErr           string // error.type on the failed "migrate User" span
	}{
		{name: "ok", query: "model=User&from=1.0.0&to=2.0.0", body: `{"name":"A B"}`, status: 200, migrations: "1"},
		{name: "latest by default", query: "model=User&from=1.0.0", body: `{"name":"A B"}`, status: 200, migrations: "1"},
		{name: "bad JSON", query: "model=User&from=1.0.0&to=3.0.0", body: `{"name":`, status: 400, errType: "invalid_json"},
		{name: "empty body", query: "model=User&from=1.0.0&to=3.0.0", body: ``, status: 400, errType: "invalid_json"},
		{name: "null body", query: "model=User&from=1.0.0&to=3.0.0", body: `null`, status: 400, errType: "invalid_json"},
		{name: "not an object", query: "model=User&from=1.0.0&to=3.0.0", body: `[1]`, status: 400, errType: "invalid_json"},
		{name: "two objects", query: "model=User&from=1.0.0&to=3.0.0", body: `{"name":"A B"} {}`, status: 400, errType: "invalid_json"},
		{name: "too large", query: "model=User&from=1.0.0&to=3.0.0", body: `{"name":"` + strings.Repeat("x", 300) + `"}`, status: 413, errType: "body_too_large"},
		{name: "no model", query: "from=1.0.0&to=3.0.0", body: `{}`, status: 400, errType: "bad_request"},
		{name: "no from", query: "model=User&to=3.0.0", body: `{}`, status: 400, errType: "bad_request"},
		{name: "bad user id", query: "model=User&from=1.0.0&to=3.0.0", body: `{"name":"A B"}`, header: map[string]string{migratehttp.HeaderUserID: "a b"}, status: 400, errType: "bad_request"},
		{name: "bad version", query: "model=User&from=1.0&to=3.0.0", body: `{"name":"A B"}`, status: 400, errType: "invalid_version", migrations: "0"},
		{name: "no path", query: "model=User&from=3.0.0&to=1.0.0", body: `{"first_name":"A","last_name":"B"}`, status: 400, errType: "no_migration_path", migrations: "1", spanErr: "no_migration_path"},
		{name: "unknown model", query: "model=Order&from=1.0.0&to=2.0.0", body: `{}`, status: 404, errType: "model_not_found", migrations: "1", model: "Order", spanErr: "model_not_found"},
		{name: "unknown model, latest", query: "model=Order&from=1.0.0", body: `{}`, status: 404, errType: "model_not_found"},
		{name: "unknown version", query: "model=User&from=1.0.0&to=9.0.0", body: `{"name":"A B"}`, status: 404, errType: "model_not_found", migrations: "1", spanErr: "model_not_found"},
		{name: "validation", query: "model=User&from=2.0.0&to=3.0.0", body: `{"last_name":"B"}`, status: 422, errType: "validation", migrations: "1", spanErr: "validation"},
		{name: "function error", query: "model=User&from=1.0.0&to=3.0.0", body: `{"name":42}`, status: 500, errType: "migration_function", migrations: "1", spanErr: "migration_function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.sr.Reset()
			id := "req-" + strings.ReplaceAll(tt.name, " ", "-")
			header := map[string]string{migratehttp.HeaderRequestID: id}
			for k, v := range tt.header {
				header[k] = v
			}
			r := f.post(t, context.Background(), tt.query, tt.body, header)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.body["request_id"] != id {
				t.Errorf("request_id = %v, want %s", r.body["request_id"], id)
			}
			if got := r.header.Get(migratehttp.HeaderMigrations); got != tt.migrations {
				t.Errorf("%s = %q, want %q", migratehttp.HeaderMigrations, got, tt.migrations)
			}
			if tt.status == 200 {
				if _, ok := r.body["data"].(map[string]any); !ok {
					t.Errorf("no data in %s", r.raw)
				}
				return
			}
			if r.body["error_type"] != tt.errType || r.body["error"] == "" || r.body["error"] == nil {
				t.Errorf("error body = %s, want error_type %q", r.raw, tt.errType)
			}
			if tt.spanErr == "" {
				return
			}
			spans := f.waitEnded(t, func(s []sdktrace.ReadOnlySpan) bool { return count(s, "POST /migrate") == 1 })
			model := tt.model
			if model == "" {
				model = "User"
			}
			mig := only(t, spans, "migrate "+model)
			if mig.Status().Code != codes.Error || attrString(mig, "error.type") != tt.spanErr {
				t.Errorf("migrate span status %v, error.type %q; want Error, %q", mig.Status(), attrString(mig, "error.type"), tt.spanErr)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	resp, err := f.srv.Client().Get(f.srv.URL + "/migrate?model=User&from=1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /migrate: %d, want 405", resp.StatusCode)
	}
}

func TestStatusCode(t *testing.T) {
	wrap := func(err error) error { return &core.MigrationError{Model: "M", Err: err} }
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 200},
		{&core.VersionError{Input: "x"}, 400},
		{wrap(core.ErrNoMigrationPath), 400},
		{wrap(core.ErrInvalidData), 400},
		{&core.NotFoundError{Model: "M"}, 404},
		{wrap(&core.ValidationError{Model: "M"}), 422},
		{wrap(&core.PanicError{Value: "boom"}), 500},
		{wrap(context.Canceled), 500},
		{fmt.Errorf("anything"), 500},
	} {
		if got := migratehttp.StatusCode(tt.err); got != tt.want {
			t.Errorf("StatusCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	var mu sync.Mutex
	n := 0
	f := newFixture(t, migratehttp.WithRequestIDFunc(func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("gen-%d", n)
	}))
	body := `{"name":"A B"}`
	q := "model=User&from=1.0.0&to=2.0.0"

	// No id: one is generated. An unusable one is replaced.
	for i, h := range []map[string]string{nil, {migratehttp.HeaderRequestID: strings.Repeat("x", 129)}, {migratehttp.HeaderRequestID: "has space"}} {
		r := f.post(t, context.Background(), q, body, h)
		want := fmt.Sprintf("gen-%d", i+1)
		if r.header.Get(migratehttp.HeaderRequestID) != want || r.body["request_id"] != want {
			t.Errorf("request %d: id %q / %v, want %s", i, r.header.Get(migratehttp.HeaderRequestID), r.body["request_id"], want)
		}
	}

	// A caller's baggage cannot forge the ids on the migration spans: the
	// handler's own values replace them, and user.id goes when the request
	// names no user.
	f.sr.Reset()
	bag, err := baggage.Parse("user.id=mallory,request.id=forged,tenant=t1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := baggage.ContextWithBaggage(context.Background(), bag)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL+"/migrate?"+q, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	propagators.Inject(ctx, propagation.HeaderCarrier(req.Header))
	req.Header.Set(migratehttp.HeaderRequestID, "real")
	if r := do(t, f.srv.Client(), req); r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	spans := f.waitEnded(t, func(s []sdktrace.ReadOnlySpan) bool { return count(s, "POST /migrate") == 1 })
	mig := only(t, spans, "migrate User")
	if got := attrString(mig, migratehttp.RequestIDKey); got != "real" {
		t.Errorf("request.id on the span = %q, want real", got)
	}
	if v, ok := attr(mig, migratehttp.UserIDKey); ok {
		t.Errorf("user.id on the span = %q, want none", v.String())
	}
}

func TestDefaultRequestIDsAreUnique(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for range 20 {
		r := f.post(t, context.Background(), "model=User&from=1.0.0&to=2.0.0", `{"name":"A B"}`, nil)
		id := r.header.Get(migratehttp.HeaderRequestID)
		if id == "" || seen[id] {
			t.Fatalf("request id %q empty or repeated", id)
		}
		seen[id] = true
	}
}

// Concurrent requests, each with its own request-scoped hook: every
// response counts its own migrations only, every span carries its own
// request's id, and the manager's hooks are never changed.
func TestConcurrentRequestsKeepTheirScope(t *testing.T) {
	f := newFixture(t)
	before := len(f.m.Hooks())
	kinds := []struct {
		body              string
		status            int
		migrations, steps string
		migSpans          int // "migrate *" spans of the request
	}{
		{userWithAddress, 200, "2", "3", 2},
		{`{"name":"Grace Hopper"}`, 200, "1", "2", 1},
		{`{"name":42}`, 500, "1", "1", 1},
	}
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			k := kinds[i%len(kinds)]
			id := fmt.Sprintf("c-%d", i)
			r, err := f.send(context.Background(), "model=User&from=1.0.0&to=3.0.0", k.body,
				map[string]string{migratehttp.HeaderRequestID: id, migratehttp.HeaderUserID: "u" + id})
			if err != nil {
				errs <- err
				return
			}
			if r.status != k.status || r.header.Get(migratehttp.HeaderMigrations) != k.migrations ||
				r.header.Get(migratehttp.HeaderMigrationSteps) != k.steps || r.body["request_id"] != id {
				errs <- fmt.Errorf("request %s: status %d, migrations %s, steps %s; want %d, %s, %s",
					id, r.status, r.header.Get(migratehttp.HeaderMigrations), r.header.Get(migratehttp.HeaderMigrationSteps),
					k.status, k.migrations, k.steps)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(f.m.Hooks()); got != before {
		t.Errorf("manager has %d hooks after the requests, want %d", got, before)
	}

	spans := f.waitEnded(t, func(s []sdktrace.ReadOnlySpan) bool { return count(s, "POST /migrate") == n })
	servers := map[trace.SpanID]string{} // request span → its request id
	for _, s := range named(spans, "POST /migrate") {
		servers[s.SpanContext().SpanID()] = attrString(s, migratehttp.RequestIDKey)
	}
	perRequest := map[string]int{}
	for _, s := range spans {
		if !strings.HasPrefix(s.Name(), "migrate ") {
			continue
		}
		id := attrString(s, migratehttp.RequestIDKey)
		if attrString(s, migratehttp.UserIDKey) != "u"+id {
			t.Errorf("span %s of %s has user.id %q", s.Name(), id, attrString(s, migratehttp.UserIDKey))
		}
		if s.Name() == "migrate User" && servers[s.Parent().SpanID()] != id {
			t.Errorf("migrate User of %s is under the request span of %q", id, servers[s.Parent().SpanID()])
		}
		perRequest[id]++
	}
	for i := range n {
		id := fmt.Sprintf("c-%d", i)
		if want := kinds[i%len(kinds)].migSpans; perRequest[id] != want {
			t.Errorf("request %s: %d migration spans, want %d", id, perRequest[id], want)
		}
	}
}
