package benchmodels_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/internal/benchmodels"
)

// The record and its JSON line are the same record, valid at 1.0.0, and
// they migrate to 3.0.0 with the two added fields.
func TestWorkload(t *testing.T) {
	m := core.NewManager()
	if err := errors.Join(benchmodels.Register(m, "P"), benchmodels.RegisterInPlace(m, "Q")); err != nil {
		t.Fatal(err)
	}
	var fromLine core.Data
	if err := json.Unmarshal([]byte(benchmodels.Line(42)), &fromLine); err != nil {
		t.Fatal(err)
	}
	if delete(fromLine, "schema_version"); !reflect.DeepEqual(fromLine, benchmodels.Record(42)) {
		t.Fatalf("line %v\nrecord %v", fromLine, benchmodels.Record(42))
	}
	if err := m.Validate(benchmodels.Record(42), "P", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"P", "Q"} {
		out, err := m.Migrate(context.Background(), benchmodels.Record(42), model, "1.0.0", "3.0.0")
		if err != nil || len(out) != 10 || out["email"] != "unknown@example.com" || out["age"] != 0.0 {
			t.Fatalf("%s: %v, %v", model, out, err)
		}
	}
}
