package httpversion_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/httpversion"
)

// exampleManager is the models of the examples: User 1.0.0 to 3.0.0 with
// migrations both ways, Address 1.0.0 and 2.0.0 (see buildManager).
func exampleManager() *core.Manager {
	m, err := buildManager()
	if err != nil {
		panic(err)
	}
	return m
}

// A handler written once, for the newest version, serves clients of every
// API version.
func ExampleAPI_Wrap() {
	m := exampleManager()
	api, err := httpversion.New(m, []httpversion.Version{
		{Name: "2024-01-01", Models: map[string]string{"User": "1.0.0", "Address": "1.0.0"}},
		{Name: "2024-06-01", Models: map[string]string{"User": "2.0.0"}},
		{Name: "2025-01-01", Models: map[string]string{"User": "3.0.0", "Address": "2.0.0"}},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	route := httpversion.Route{Request: "User", Response: "User"}
	mux.Handle("POST /users", api.Wrap(route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := httpversion.Decode[userV3](r) // always the newest shape
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(u)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/users", strings.NewReader(
		`{"name":"Ada Lovelace","email":"ada@example.com","nickname":"","address":{"street":"1 Main St","city":"London"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("API-Version", "2024-01-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Header.Get("API-Version"), resp.StatusCode, string(body))
	// Output:
	// 2024-01-01 200 {"name":"Ada Lovelace","email":"ada@example.com","nickname":"","address":{"street":"1 Main St","city":"London"}}
}

// An unknown version is a 400 problem that lists the known ones.
func ExampleNew_unknownVersion() {
	api, err := httpversion.New(exampleManager(), []httpversion.Version{
		{Name: "2024-01-01", Models: map[string]string{"User": "1.0.0", "Address": "1.0.0"}},
		{Name: "2025-01-01", Models: map[string]string{"User": "3.0.0", "Address": "2.0.0"}},
	})
	if err != nil {
		panic(err)
	}
	h := api.Wrap(httpversion.Route{Response: "User"}, http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/users/1", nil)
	req.Header.Set("API-Version", "2023-01-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(rec.Body.String())
	// Output:
	// 400 application/problem+json
	// {"type":"about:blank","title":"Unknown API version","status":400,"detail":"the API-Version header must name one of the known versions","known_versions":["2024-01-01","2025-01-01"]}
}
