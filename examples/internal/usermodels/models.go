// Package usermodels holds the models of the examples: User 1.0.0 →
// 2.0.0 → 3.0.0 with a nested Address, behind the quickstart, the
// transmute command of examples/cmd/transmute and the docs.
package usermodels

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
)

// The User model has three versions; each embeds an Address, a model of
// its own with two versions.
//
//	User 1.0.0 ──splitName──▶ User 2.0.0 ──auto──▶ User 3.0.0
//	  address: Address 1.0.0    Address 1.0.0        Address 2.0.0 (auto)
//
// The step 1.0.0 → 2.0.0 is a function (the name is split in two); the
// step 2.0.0 → 3.0.0 has none: 3.0.0 is WithBackwardCompatible, so the engine
// fills in the new field with its default and migrates the nested Address
// to the version that User 3.0.0 holds, as a migration of its own (with
// its own hooks and span, under the step's span).

// AddressV1 is Address 1.0.0.
type AddressV1 struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

// AddressV2 is Address 2.0.0: a country, "unknown" when it was not known.
type AddressV2 struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Country string `json:"country" default:"\"unknown\""`
}

// UserV1 is User 1.0.0.
type UserV1 struct {
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Address AddressV1 `json:"address"`
}

// UserV2 is User 2.0.0: the name split in two.
type UserV2 struct {
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     string    `json:"email"`
	Address   AddressV1 `json:"address"`
}

// UserV3 is User 3.0.0: a newsletter flag (false unless set) and the
// address with its country.
type UserV3 struct {
	FirstName  string    `json:"first_name"`
	LastName   string    `json:"last_name"`
	Email      string    `json:"email"`
	Address    AddressV2 `json:"address"`
	Newsletter bool      `json:"newsletter" default:"false"`
}

// NewManager registers the models and the one migration function, with
// the manager options given. The tracer is the one the migration function
// uses for its own span.
func NewManager(tracer trace.Tracer, opts ...core.Option) (*core.Manager, error) {
	m := core.NewManager(opts...)
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("User", "1.0.0", "2.0.0", SplitName(tracer)),
	)
	return m, err
}

// NewTypedManager is NewManager with the step User 1.0.0 → 2.0.0 written
// on the Go structs ([SplitNameTyped]): the quickstart's manager. A record
// whose name is not a string does not fit UserV1, so it fails the step
// (a validation error naming the field) before the function runs.
func NewTypedManager(tracer trace.Tracer, opts ...core.Option) (*core.Manager, error) {
	m := core.NewManager(opts...)
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", SplitNameTyped(tracer)),
	)
	return m, err
}

// SplitNameTyped is SplitName on the Go structs: no type assertion, the
// email and the address carried by the compiler's checks.
func SplitNameTyped(tracer trace.Tracer) func(context.Context, UserV1) (UserV2, error) {
	return func(ctx context.Context, u UserV1) (UserV2, error) {
		_, span := tracer.Start(ctx, "split name")
		defer span.End()
		first, last := splitWords(u.Name)
		return UserV2{FirstName: first, LastName: last, Email: u.Email, Address: u.Address}, nil
	}
}

// SplitName is the migration User 1.0.0 → 2.0.0. It runs under the span
// of its step, so the span it starts is a child of that step: the same
// goes for a database query or an HTTP call made here with an
// instrumented client.
func SplitName(tracer trace.Tracer) core.MigrationFunc {
	return func(ctx context.Context, d core.Data) (core.Data, error) {
		_, span := tracer.Start(ctx, "split name")
		defer span.End()
		name, ok := d["name"].(string)
		if !ok {
			return nil, fmt.Errorf("name must be a string, not %T", d["name"])
		}
		d["first_name"], d["last_name"] = splitWords(name)
		delete(d, "name")
		return d, nil
	}
}

// splitWords splits a name into its first word and the rest. A bug kept
// on purpose: an empty name panics (index out of range); the engine
// recovers it and fails that record only.
func splitWords(name string) (first, last string) {
	words := strings.Fields(name)
	first = words[0]
	return first, strings.Join(words[1:], " ")
}
