// Package benchmodels is the workload of the project's benchmarks, in one
// place for every module that measures it (core, cli, jsmigrate and the
// examples' transmute-bench): an 8-field record at version 1.0.0; V2
// embeds V1 and adds email, V3 embeds V2 and adds age. Two sets of
// migrations, as two issues define them: P1's ([Register]) clone their
// input and add one key; the command's ([RegisterInPlace]) add the key to
// the record they are given, which the engine owns, as jq adds a field.
// It is internal because it serves this project's benchmarks, not its
// users.
package benchmodels

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/transmute-go/transmute/core"
)

// V1 is the 8-field record: a name, six scalars (strings, integers, a
// bool, a float) and one more string.
type V1 struct {
	Name    string  `json:"name"`
	City    string  `json:"city"`
	Country string  `json:"country"`
	ID      int64   `json:"id"`
	Visits  int64   `json:"visits"`
	Active  bool    `json:"active"`
	Score   float64 `json:"score"`
	Note    string  `json:"note"`
}

// V2 adds an email.
type V2 struct {
	V1
	Email string `json:"email"`
}

// V3 adds an age.
type V3 struct {
	V2
	Age int64 `json:"age"`
}

// Step1 is the migration 1.0.0 → 2.0.0.
func Step1(_ context.Context, d core.Data) (core.Data, error) {
	out := maps.Clone(d)
	out["email"] = "unknown@example.com"
	return out, nil
}

// Step2 is the migration 2.0.0 → 3.0.0.
func Step2(_ context.Context, d core.Data) (core.Data, error) {
	out := maps.Clone(d)
	out["age"] = 0.0
	return out, nil
}

// TypedStep1 is the migration 1.0.0 → 2.0.0 on Go structs.
func TypedStep1(_ context.Context, v V1) (V2, error) {
	return V2{V1: v, Email: "unknown@example.com"}, nil
}

// TypedStep2 is the migration 2.0.0 → 3.0.0 on Go structs.
func TypedStep2(_ context.Context, v V2) (V3, error) {
	return V3{V2: v}, nil
}

// RegisterTyped registers the three versions of model on m and the typed
// migrations, TypedStep1 and TypedStep2.
func RegisterTyped(m *core.Manager, model string) error {
	return errors.Join(
		registerVersions(m, model),
		core.RegisterTyped(m, model, "1.0.0", "2.0.0", TypedStep1),
		core.RegisterTyped(m, model, "2.0.0", "3.0.0", TypedStep2),
	)
}

// registerVersions registers V1, V2 and V3 as versions 1.0.0 to 3.0.0.
func registerVersions(m *core.Manager, model string) error {
	return errors.Join(
		core.Register[V1](m, model, "1.0.0"),
		core.Register[V2](m, model, "2.0.0"),
		core.Register[V3](m, model, "3.0.0"),
	)
}

// Struct returns record i at version 1.0.0 as a V1.
func Struct(i int) V1 {
	return V1{Name: fmt.Sprint("User ", i), City: "Paris", Country: "FR", ID: int64(i),
		Visits: int64(i % 1000), Active: true, Score: float64(i%100) + 0.5, Note: "none"}
}

// Register registers the three versions of model on m and the P1
// migrations, Step1 and Step2.
func Register(m *core.Manager, model string) error {
	return register(m, model, Step1, Step2)
}

// RegisterInPlace registers the three versions of model on m and
// migrations that add their field in place: the workload of the migrate
// command's benchmark against jq.
func RegisterInPlace(m *core.Manager, model string) error {
	add := func(key string, v any) core.MigrationFunc {
		return func(_ context.Context, d core.Data) (core.Data, error) {
			d[key] = v
			return d, nil
		}
	}
	return register(m, model, add("email", "unknown@example.com"), add("age", 0.0))
}

func register(m *core.Manager, model string, step1, step2 core.MigrationFunc) error {
	return errors.Join(
		registerVersions(m, model),
		m.RegisterMigration(model, "1.0.0", "2.0.0", step1),
		m.RegisterMigration(model, "2.0.0", "3.0.0", step2),
	)
}

// Record returns record i at version 1.0.0, as encoding/json decodes it.
func Record(i int) core.Data {
	return core.Data{"name": fmt.Sprint("User ", i), "city": "Paris", "country": "FR", "id": float64(i),
		"visits": float64(i % 1000), "active": true, "score": float64(i%100) + 0.5, "note": "none"}
}

// Line returns record i as a JSON line carrying its version in
// "schema_version", with no newline: the input of the command's
// benchmarks (scripts/bench-cli.sh writes the same lines).
func Line(i int) string {
	return fmt.Sprintf(`{"schema_version":"1.0.0","name":"User %d","city":"Paris","country":"FR","id":%d,"visits":%d,"active":true,"score":%d.5,"note":"none"}`,
		i, i, i%1000, i%100)
}
