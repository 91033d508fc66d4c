package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// typedOrders is Order with typed steps only from 1.0.0 to 2.0.0 and a
// version key: the bytes path's fast case.
func typedOrders(t testing.TB) *core.Manager {
	t.Helper()
	return orderManager(t, core.WithVersionKey("v"))
}

func decoded(t testing.TB, b []byte) core.Data {
	t.Helper()
	d, err := core.DecodeJSON(b)
	mustOK(t, err)
	return d
}

func TestMigrateJSON(t *testing.T) {
	m := typedOrders(t)
	ctx := context.Background()
	in := []byte(`{"v":"1.0.0","id":9007199254740993,"customer":"Ada Lovelace","items":[{"sku":"a","qty":1}],"amount":12.5}`)
	orig := string(in)
	want := core.Data{"v": "2.0.0", "id": json.Number("9007199254740993"), "customer": map[string]any{"first": "Ada", "last": "Lovelace"},
		"items": []any{map[string]any{"sku": "a", "qty": json.Number("1")}}, "amount_cents": json.Number("1250")}
	for name, call := range map[string]func() ([]byte, error){
		"from the record": func() ([]byte, error) { return m.MigrateJSON(ctx, in, "Order", "", "2.0.0") },
		"from given":      func() ([]byte, error) { return m.MigrateJSON(ctx, in, "Order", "1.0.0", "2.0.0") },
	} {
		out, err := call()
		mustOK(t, err)
		equal(t, decoded(t, out), want)
		equal(t, string(in), orig)
		_ = name
	}
	// The version key anywhere in the object, and no version key.
	for _, rec := range []string{
		`{"id":1,"customer":"A B","items":[],"amount":1,"v":"1.0.0"}`,
		`{"id":1,"v":"1.0.0","customer":"A B","items":[],"amount":1}`,
	} {
		out, err := m.MigrateJSON(ctx, []byte(rec), "Order", "", "2.0.0")
		mustOK(t, err)
		equal(t, decoded(t, out)["v"], "2.0.0")
		equal(t, decoded(t, out)["amount_cents"], json.Number("100"))
	}
	out, err := m.MigrateJSON(ctx, []byte(`{"id":1,"customer":"A B","items":[],"amount":1}`), "Order", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, decoded(t, out)["v"], "2.0.0")

	// To latest: a mixed path (typed, auto, map), through records.
	out, err = m.MigrateJSON(ctx, in, "Order", "", core.Latest)
	mustOK(t, err)
	got := decoded(t, out)
	equal(t, got["v"], "4.0.0")
	equal(t, got["currency"], "EUR")
	equal(t, got["note"], "")
}

// The bytes path gives what the record path gives: undeclared top-level
// fields carried, nested ones refused, the same errors.
func TestMigrateJSONAgreesWithMigrate(t *testing.T) {
	m := typedOrders(t)
	ctx := context.Background()
	for _, rec := range []string{
		`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1,"legacy":{"x":[1,2]}}`,
		`{"v":"1.0.0","id":1,"customer":"A B","items":[{"sku":"a","qty":1,"colour":"red"}],"amount":1}`,
		`{"v":"1.0.0","id":1.5,"customer":"A B","items":[],"amount":1}`,
		`{"v":"1.0.0","id":1,"customer":"refuse","items":[],"amount":1}`,
		`{"v":"1.0.0","id":1,"customer":"panic","items":[],"amount":1}`,
		`{"v":"9.0.0","id":1,"customer":"A B","items":[],"amount":1}`,
		`{"id":1,"customer":"A B","items":[],"amount":1}`,
		`{"v":"1.0.0","id":1,"customer":"A \"B\"","items":[],"amount":1}`,
		`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1,"customer":"C D"}`,
	} {
		out, err := m.MigrateJSON(ctx, []byte(rec), "Order", "", "2.0.0")
		want, werr := m.MigrateTo(ctx, decoded(t, []byte(rec)), "Order", "2.0.0")
		if (err == nil) != (werr == nil) || core.ErrorType(err) != core.ErrorType(werr) {
			t.Errorf("%s:\n bytes  %v\n record %v", rec, err, werr)
			continue
		}
		if err == nil {
			equal(t, decoded(t, out), want)
		}
	}
	for in, want := range map[string]error{
		`[1]`:   core.ErrDecode,
		`{"v":`: core.ErrDecode,
		`{} {}`: core.ErrDecode,
	} {
		if _, err := m.MigrateJSON(ctx, []byte(in), "Order", "", "2.0.0"); !errors.Is(err, want) {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := m.MigrateJSON(ctx, []byte(`{}`), "Order", "", "nope"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Errorf("bad to: %v", err)
	}
}

// The hooks see a bytes-path migration as any other, and can read the
// data.
func TestMigrateJSONHooks(t *testing.T) {
	m := typedOrders(t)
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	out, err := m.MigrateJSON(context.Background(), []byte(`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1}`), "Order", "", "2.0.0")
	mustOK(t, err)
	equal(t, rec.Methods(), []string{"BeforeMigrate", "BeforeStep", "AfterStep", "AfterMigrate"})
	calls := rec.Calls()
	equal(t, calls[0].Event.Data.Value("customer"), "A B")
	equal(t, calls[3].Migrated["customer"], map[string]any{"first": "A", "last": "B"})
	mustOK(t, rec.CheckPairing())
	if !strings.Contains(string(out), `"first":"A"`) {
		t.Errorf("out %s", out)
	}
}
