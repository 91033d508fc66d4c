package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// newManager registers the models and the one migration function. The
// tracer is the one the migration function uses for its own span.
func newManager(tracer trace.Tracer, onError func(error)) (*core.Manager, error) {
	m := core.NewManager(core.WithErrorHandler(onError))
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("User", "1.0.0", "2.0.0", splitName(tracer)),
	)
	return m, err
}

// splitName is the migration User 1.0.0 → 2.0.0. It runs under the span
// of its step, so the span it starts is a child of that step: the same
// goes for a database query or an HTTP call made here with an
// instrumented client.
func splitName(tracer trace.Tracer) core.MigrationFunc {
	return func(ctx context.Context, d core.Data) (core.Data, error) {
		_, span := tracer.Start(ctx, "split name")
		defer span.End()
		name, ok := d["name"].(string)
		if !ok {
			return nil, fmt.Errorf("name must be a string, not %T", d["name"])
		}
		words := strings.Fields(name)
		// A bug kept on purpose: an empty name panics (index out of
		// range). The engine recovers it and fails this record only.
		d["first_name"] = words[0]
		d["last_name"] = strings.Join(words[1:], " ")
		delete(d, "name")
		return d, nil
	}
}

var (
	firstNames = []string{"Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace", "John", "Katherine", "Ken", "Margaret", "Niklaus", "Radia", "Rob", "Tony"}
	lastNames  = []string{"Allen", "Dijkstra", "Hamilton", "Hoare", "Hopper", "Johnson", "Knuth", "Liskov", "Lovelace", "McCarthy", "Perlman", "Pike", "Shannon", "Thompson", "Turing", "Wirth"}
	streets    = []string{"Analytical Engine Row", "Bletchley Lane", "Compiler Court", "Lambda Street", "Stack Avenue", "Turing Way"}
	cities     = []string{"Amsterdam", "Berlin", "Cambridge", "London", "Paris", "Zurich"}
)

// The ways a record is broken on purpose: one in every badEvery records
// is, in turn, each of these.
const (
	badEmptyName  = iota // the migration function panics
	badNameNumber        // the migration function returns an error
	badNoEmail           // User 3.0.0 fails validation: email is required
	badCityNumber        // User 3.0.0 fails validation: address.city is a number
	badKinds
)

// generate returns n User 1.0.0 records, the same for the same seed. When
// badEvery > 0, records badEvery-1, 2*badEvery-1, ... are broken, in turn
// in each of the ways above.
func generate(n int, seed uint64, badEvery int) []core.Data {
	rng := rand.New(rand.NewPCG(seed, seed^0x7472616e736d7574))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	out := make([]core.Data, n)
	for i := range out {
		first, last := pick(firstNames), pick(lastNames)
		d := core.Data{
			"name":  first + " " + last,
			"email": fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), i),
			"address": map[string]any{
				"street": fmt.Sprintf("%d %s", 1+rng.IntN(200), pick(streets)),
				"city":   pick(cities),
			},
		}
		if badEvery > 0 && (i+1)%badEvery == 0 {
			switch (i / badEvery) % badKinds {
			case badEmptyName:
				d["name"] = ""
			case badNameNumber:
				d["name"] = 1815
			case badNoEmail:
				delete(d, "email")
			case badCityNumber:
				d["address"].(map[string]any)["city"] = 75001
			}
		}
		out[i] = d
	}
	return out
}
