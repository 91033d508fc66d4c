package httpversion_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/httpversion"
)

type addressV1 struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type addressV2 struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Country string `json:"country" default:"\"unknown\""`
}

// userV1: the name in one field, an email, a nickname.
type userV1 struct {
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Nickname string    `json:"nickname"`
	Address  addressV1 `json:"address"`
}

// userV2: the name split, the email renamed.
type userV2 struct {
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	EmailAddress string    `json:"email_address"`
	Nickname     string    `json:"nickname"`
	Address      addressV1 `json:"address"`
}

// userV3: the nickname removed, the address with a country.
type userV3 struct {
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	EmailAddress string    `json:"email_address"`
	Address      addressV2 `json:"address"`
}

var errRefused = errors.New("the step refused the record with secret s3cr3t")

// newManager: User 1.0.0 ⇄ 2.0.0 (split and join the name, rename the
// email) ⇄ 3.0.0 (drop or restore the nickname; the address moves to
// Address 2.0.0 and back). A last name "refuse" fails 3.0.0 → 2.0.0.
// Records carry "schema_version", which API bodies must not show.
func newManager(t testing.TB) *core.Manager {
	t.Helper()
	m, err := buildManager()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func buildManager() (*core.Manager, error) {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[addressV1](m, "Address", "1.0.0"),
		core.Register[addressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.RegisterTyped(m, "Address", "2.0.0", "1.0.0", func(_ context.Context, a addressV2) (addressV1, error) {
			return addressV1{Street: a.Street, City: a.City}, nil
		}),
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		core.Register[userV3](m, "User", "3.0.0"),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", func(_ context.Context, u userV1) (userV2, error) {
			first, last, _ := strings.Cut(u.Name, " ")
			return userV2{FirstName: first, LastName: last, EmailAddress: u.Email, Nickname: u.Nickname, Address: u.Address}, nil
		}, core.WithDescription("`name` is split into `first_name` and `last_name`; `email` is renamed `email_address`")),
		core.RegisterTyped(m, "User", "2.0.0", "1.0.0", func(_ context.Context, u userV2) (userV1, error) {
			return userV1{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.EmailAddress, Nickname: u.Nickname, Address: u.Address}, nil
		}),
		core.RegisterTyped(m, "User", "2.0.0", "3.0.0", func(_ context.Context, u userV2) (userV3, error) {
			return userV3{FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
				Address: addressV2{Street: u.Address.Street, City: u.Address.City, Country: "unknown"}}, nil
		}, core.WithDescription("`nickname` is removed; the address gets a `country`")),
		core.RegisterTyped(m, "User", "3.0.0", "2.0.0", func(_ context.Context, u userV3) (userV2, error) {
			if u.LastName == "refuse" {
				return userV2{}, errRefused
			}
			return userV2{FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
				Address: addressV1{Street: u.Address.Street, City: u.Address.City}}, nil
		}),
	)
	return m, err
}

var versions = []httpversion.Version{
	{Name: "2024-01-01", Models: map[string]string{"User": "1.0.0", "Address": "1.0.0"}},
	{Name: "2024-06-01", Models: map[string]string{"User": "2.0.0"}},
	{Name: "2025-01-01", Models: map[string]string{"User": "3.0.0", "Address": "2.0.0"}},
}

func newAPI(t testing.TB, m *core.Manager, opts ...httpversion.Option) *httpversion.API {
	t.Helper()
	api, err := httpversion.New(m, versions, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// seen records the request bodies the handlers got, by route.
type seen struct {
	mu     sync.Mutex
	bodies []string
}

func (s *seen) add(b string) {
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

const ada = `{"first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.com","address":{"street":"1 Main St","city":"London","country":"UK"}}`

// response is a client's view of a response.
type response struct {
	status  int
	header  http.Header
	body    string
	version string
}

// do sends a request with a real client, at API version (none if "").
func do(t testing.TB, srv *httptest.Server, method, path, version, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if version != "" {
		req.Header.Set("API-Version", version)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), version: resp.Header.Get("API-Version")}
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t testing.TB, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: not JSON: %q", what, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: the wanted text is not JSON: %q", what, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, got, want)
	}
}
