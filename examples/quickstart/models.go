package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
)

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
	badNameNumber        // the record does not fit UserV1: the typed step fails before the function
	badNoEmail           // likewise: UserV1 requires an email
	badCityNumber        // likewise: address.city is a number
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
		address := map[string]any{
			"street": fmt.Sprintf("%d %s", 1+rng.IntN(200), pick(streets)),
			"city":   pick(cities),
		}
		d := core.Data{
			"name":    first + " " + last,
			"email":   fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), i),
			"address": address,
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
				address["city"] = 75001
			}
		}
		out[i] = d
	}
	return out
}

// newManager is the models' manager, with the typed step 1.0.0 → 2.0.0,
// and the demo's error handler.
func newManager(tracer trace.Tracer, onError func(error)) (*core.Manager, error) {
	return usermodels.NewTypedManager(tracer, core.WithErrorHandler(onError))
}
