package usermodels_test

import (
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/transmutetest"
)

// Validate accepts every record transmutetest.Generate makes for the
// quickstart's models, over thousands of seeds, with and without a
// version key.
func TestGeneratedRecordsAreValid(t *testing.T) {
	for i, opts := range [][]core.Option{nil, {core.WithVersionKey("schema_version")}, nil, {core.WithVersionKey("schema_version")}} {
		newManager := usermodels.NewManager
		if i >= 2 {
			newManager = usermodels.NewTypedManager
		}
		m, err := newManager(noop.NewTracerProvider().Tracer(""), opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, model := range m.Models() {
			versions, _ := m.Versions(model)
			for _, v := range versions {
				for seed := range uint64(2000) {
					d, err := transmutetest.Generate(m, model, v.String(), rand.New(rand.NewPCG(seed, 42)))
					if err != nil {
						t.Fatal(err)
					}
					if err := m.Validate(d, model, v.String()); err != nil {
						t.Fatalf("%s %s seed %d: %v\n%v", model, v, seed, err, d)
					}
				}
			}
		}
	}
}

// The typed manager migrates what the map one does: the same results for
// generated records of 1.0.0 with a name of at least one word.
func TestTypedManagerAgrees(t *testing.T) {
	tr := noop.NewTracerProvider().Tracer("")
	maps, err := usermodels.NewManager(tr)
	if err != nil {
		t.Fatal(err)
	}
	typed, err := usermodels.NewTypedManager(tr)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for seed := range uint64(500) {
		d, err := transmutetest.Generate(maps, "User", "1.0.0", rand.New(rand.NewPCG(seed, 7)))
		if err != nil {
			t.Fatal(err)
		}
		a, errA := maps.Migrate(t.Context(), d, "User", "1.0.0", "3.0.0")
		b, errB := typed.Migrate(t.Context(), d, "User", "1.0.0", "3.0.0")
		if (errA == nil) != (errB == nil) {
			t.Fatalf("seed %d: maps %v, typed %v", seed, errA, errB)
		}
		if errA != nil {
			continue
		}
		if diff := transmutetest.Diff(a, b); diff != "" {
			t.Fatalf("seed %d:\n%s", seed, diff)
		}
		compared++
	}
	if compared < 400 {
		t.Fatalf("only %d records compared", compared)
	}
}
