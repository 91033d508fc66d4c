package migratehttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/httpserver/migratehttp"
	"github.com/transmute-go/transmute/otelhook"
)

func ExampleNewHandler() {
	tp := sdktrace.NewTracerProvider()
	m := core.NewManager()
	if err := migratehttp.RegisterModels(m); err != nil {
		panic(err)
	}
	// Migration spans nest under the request's span and carry its ids.
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp),
		otelhook.WithBaggageAttributes(migratehttp.RequestIDKey, migratehttp.UserIDKey)))

	srv := httptest.NewServer(migratehttp.NewHandler(m,
		migratehttp.WithTracerProvider(tp),
		migratehttp.WithPropagators(propagation.TraceContext{}),
		migratehttp.WithRequestIDFunc(func() string { return "req-1" })))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/migrate?model=User&from=1.0.0&to=3.0.0", "application/json",
		strings.NewReader(`{"name":"Ada Lovelace","address":{"street":"1 Main St","city":"London","zip":"N1"}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, resp.Header.Get(migratehttp.HeaderMigrations), resp.Header.Get(migratehttp.HeaderMigrationSteps))
	fmt.Print(string(body))
	// Output:
	// 200 OK 2 3
	// {"request_id":"req-1","model":"User","from":"1.0.0","to":"3.0.0","data":{"address":{"city":"London","country":"unknown","postal_code":"N1","street":"1 Main St"},"email":"","first_name":"Ada","last_name":"Lovelace"}}
}

func ExampleStatusCode() {
	m := core.NewManager()
	if err := migratehttp.RegisterModels(m); err != nil {
		panic(err)
	}
	_, err := m.Migrate(context.Background(), core.Data{"last_name": "Turing"}, "User", "2.0.0", "3.0.0")
	fmt.Println(migratehttp.StatusCode(err), core.ErrorType(err))
	_, err = m.Migrate(context.Background(), core.Data{}, "Invoice", "1.0.0", "2.0.0")
	fmt.Println(migratehttp.StatusCode(err), core.ErrorType(err))
	// Output:
	// 422 validation
	// 404 model_not_found
}
