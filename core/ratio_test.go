package core_test

import (
	"context"
	"maps"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/internal/cputime"
)

// The P1 workload of the engine's fixed-cost target (docs/benchmarks.md):
// an 8-field record; V2 embeds V1 and adds email, V3 embeds V2 and adds
// age; each function clones its input and adds one key.

type p1V1 struct {
	Name    string  `json:"name"`
	City    string  `json:"city"`
	ID      int64   `json:"id"`
	Visits  int64   `json:"visits"`
	Active  bool    `json:"active"`
	Score   float64 `json:"score"`
	Ratio   float64 `json:"ratio"`
	Country string  `json:"country"`
}

type p1V2 struct {
	p1V1
	Email string `json:"email"`
}

type p1V3 struct {
	p1V2
	Age int64 `json:"age"`
}

func p1Step1(_ context.Context, d core.Data) (core.Data, error) {
	out := maps.Clone(d)
	out["email"] = "ada@example.com"
	return out, nil
}

func p1Step2(_ context.Context, d core.Data) (core.Data, error) {
	out := maps.Clone(d)
	out["age"] = 36.0
	return out, nil
}

func p1Record() core.Data {
	return core.Data{"name": "Ada Lovelace", "city": "London", "id": 7.0, "visits": 12.0,
		"active": true, "score": 9.5, "ratio": 0.25, "country": "UK"}
}

func p1Manager(b *testing.B) *core.Manager {
	m := core.NewManager()
	mustOK(b, core.Register[p1V1](m, "P", "1.0.0"))
	mustOK(b, core.Register[p1V2](m, "P", "2.0.0"))
	mustOK(b, core.Register[p1V3](m, "P", "3.0.0"))
	mustOK(b, m.RegisterMigration("P", "1.0.0", "2.0.0", p1Step1))
	mustOK(b, m.RegisterMigration("P", "2.0.0", "3.0.0", p1Step2))
	return m
}

// BenchmarkRatioP1 is P1: Migrate with no hooks (validated, the input
// copied on entry) over the same two functions called directly on
// maps.Clone of the record, in alternating blocks. Target: x-direct ≤ 1.5.
func BenchmarkRatioP1(b *testing.B) {
	m := p1Manager(b)
	ctx := context.Background()
	rec := p1Record()
	direct := func() {
		d, _ := p1Step1(ctx, maps.Clone(rec))
		if _, err := p1Step2(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	engine := func() {
		if _, err := m.Migrate(ctx, rec, "P", "1.0.0", "3.0.0"); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Interleave(b, "direct", direct, engine)
}
