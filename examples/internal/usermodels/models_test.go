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
	for _, opts := range [][]core.Option{nil, {core.WithVersionKey("schema_version")}} {
		m, err := usermodels.NewManager(noop.NewTracerProvider().Tracer(""), opts...)
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
