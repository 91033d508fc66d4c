// Package usersapi is the service of the apiversions example: a users API
// with three API versions, whose handlers are written once, for the
// newest. The integration tests serve it too.
package usersapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/httpversion"
)

// AddressV1 and AddressV2 are the examples' Address versions (the
// second adds a country).
type (
	AddressV1 = usermodels.AddressV1
	AddressV2 = usermodels.AddressV2
)

// UserV1 is User 1.0.0: the name in one field.
type UserV1 struct {
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Nickname string    `json:"nickname"`
	Address  AddressV1 `json:"address"`
}

// UserV2 is User 2.0.0: the name split, the email renamed.
type UserV2 struct {
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	EmailAddress string    `json:"email_address"`
	Nickname     string    `json:"nickname"`
	Address      AddressV1 `json:"address"`
}

// UserV3 is User 3.0.0: no nickname, an address with a country.
type UserV3 struct {
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	EmailAddress string    `json:"email_address"`
	Address      AddressV2 `json:"address"`
}

// Versions are the API's versions, oldest first.
var Versions = []httpversion.Version{
	{Name: "2024-01-01", Models: map[string]string{"User": "1.0.0", "Address": "1.0.0"}},
	{Name: "2024-06-01", Models: map[string]string{"User": "2.0.0"}},
	{Name: "2025-01-01", Models: map[string]string{"User": "3.0.0", "Address": "2.0.0"}},
}

// NewManager registers the models and their migrations both ways.
func NewManager(opts ...core.Option) (*core.Manager, error) {
	m := core.NewManager(opts...)
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.RegisterTyped(m, "Address", "2.0.0", "1.0.0", func(_ context.Context, a AddressV2) (AddressV1, error) {
			return AddressV1{Street: a.Street, City: a.City}, nil
		}, core.WithDescription("`country` is dropped")),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0"),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", func(_ context.Context, u UserV1) (UserV2, error) {
			first, last, _ := strings.Cut(u.Name, " ")
			return UserV2{FirstName: first, LastName: last, EmailAddress: u.Email, Nickname: u.Nickname, Address: u.Address}, nil
		}, core.WithDescription("`name` is split into `first_name` and `last_name`; `email` is renamed `email_address`")),
		core.RegisterTyped(m, "User", "2.0.0", "1.0.0", func(_ context.Context, u UserV2) (UserV1, error) {
			return UserV1{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.EmailAddress, Nickname: u.Nickname, Address: u.Address}, nil
		}),
		core.RegisterTyped(m, "User", "2.0.0", "3.0.0", func(_ context.Context, u UserV2) (UserV3, error) {
			return UserV3{FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
				Address: AddressV2{Street: u.Address.Street, City: u.Address.City, Country: "unknown"}}, nil
		}, core.WithDescription("`nickname` is removed; the address gets a `country`")),
		core.RegisterTyped(m, "User", "3.0.0", "2.0.0", func(_ context.Context, u UserV3) (UserV2, error) {
			return UserV2{FirstName: u.FirstName, LastName: u.LastName, EmailAddress: u.EmailAddress,
				Address: AddressV1{Street: u.Address.Street, City: u.Address.City}}, nil
		}),
	)
	return m, err
}

// store keeps the users in memory, at the newest version.
type store struct {
	mu    sync.Mutex
	users map[string]UserV3
}

// NewHandler is the API: POST /users/{id} stores a user, GET /users/{id}
// reads one, GET /users lists them ({"data": [...]}), GET /changelog is
// the changelog. The handlers know only UserV3; tracer is for their own
// spans.
func NewHandler(api *httpversion.API, tracer trace.Tracer) http.Handler {
	s := &store{users: map[string]UserV3{}}
	mux := http.NewServeMux()
	mux.Handle("POST /users/{id}", api.Wrap(httpversion.Route{Request: "User", Response: "User"}, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			u, err := httpversion.Decode[UserV3](r)
			if err != nil {
				http.Error(w, "bad user", http.StatusBadRequest)
				return
			}
			_, span := tracer.Start(r.Context(), "store user")
			s.mu.Lock()
			s.users[r.PathValue("id")] = u
			s.mu.Unlock()
			span.End()
			_ = httpversion.Write(w, r, http.StatusCreated, u) // rendered at the client's version from the struct
		})))
	mux.Handle("GET /users/{id}", api.Wrap(httpversion.Route{Response: "User"}, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			u, ok := s.users[r.PathValue("id")]
			s.mu.Unlock()
			if !ok {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such user"})
				return
			}
			_ = httpversion.Write(w, r, http.StatusOK, u)
		})))
	mux.Handle("GET /users", api.Wrap(httpversion.Route{Response: "User", Pointer: "/data"}, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			list := make([]UserV3, 0, len(s.users))
			for _, u := range s.users {
				list = append(list, u)
			}
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"data": list, "count": len(list)})
		})))
	mux.Handle("GET /changelog", api.ChangelogHandler())
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
