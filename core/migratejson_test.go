package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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

// HTML characters come out as they went in, on both paths.
func TestMigrateJSONKeepsHTML(t *testing.T) {
	m := typedOrders(t)
	for _, to := range []string{"2.0.0", "4.0.0"} {
		out, err := m.MigrateJSON(context.Background(), []byte(`{"v":"1.0.0","id":1,"customer":"<A> & B","items":[],"amount":1}`), "Order", "", to)
		mustOK(t, err)
		if !strings.Contains(string(out), `"first":"<A>"`) && !strings.Contains(string(out), `"<A>"`) {
			t.Errorf("to %s: %s", to, out)
		}
		if strings.Contains(string(out), `\u003c`) {
			t.Errorf("to %s: HTML escaped: %s", to, out)
		}
	}
}

func TestMigrateBatchJSON(t *testing.T) {
	m := typedOrders(t)
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	items := [][]byte{
		[]byte(`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1}`),
		[]byte(`[1,2]`),
		[]byte(`{"id":2,"customer":"C D","items":[],"amount":2,"legacy":true}`), // no version: the batch's from
		[]byte(`{"v":"1.0.0","id":3,"customer":"refuse","items":[],"amount":3}`),
		[]byte(`{"v":"2.0.0","id":4,"customer":{"first":"E","last":"F"},"items":[],"amount_cents":4}`),
	}
	out, err := m.MigrateBatchJSON(context.Background(), items, "Order", "1.0.0", "2.0.0",
		core.WithVersionFromRecord(), core.WithContinueOnError(), core.WithWorkers(2))
	var be *core.BatchError
	if !errors.As(err, &be) || len(be.Items) != 2 || be.Items[0].Index != 1 || be.Items[1].Index != 3 {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(be.Items[0], core.ErrDecode) || !errors.Is(be.Items[1], errRefused) {
		t.Errorf("item errors %v, %v", be.Items[0], be.Items[1])
	}
	equal(t, len(out), 5)
	equal(t, out[1] == nil && out[3] == nil, true)
	equal(t, decoded(t, out[0])["id"], json.Number("1"))
	equal(t, decoded(t, out[2])["legacy"], true)
	equal(t, decoded(t, out[2])["v"], "2.0.0")
	equal(t, decoded(t, out[4])["amount_cents"], json.Number("4"))
	mustOK(t, rec.CheckPairing())
	methods := rec.Methods()
	equal(t, methods[0], "BeforeBatch")
	equal(t, methods[len(methods)-1], "AfterBatch")

	// Fail fast: the first failure in input order, no results.
	out, err = m.MigrateBatchJSON(context.Background(), items, "Order", "", "2.0.0", core.WithVersionFromRecord())
	var ie *core.ItemError
	if out != nil || !errors.As(err, &ie) || ie.Index != 1 {
		t.Fatalf("fail fast: %v, %v", out, err)
	}
}

func TestTypedPath(t *testing.T) {
	m := typedOrders(t)
	for _, c := range []struct {
		from, to string
		want     bool
	}{
		{"1.0.0", "2.0.0", true},
		{"2.0.0", "1.0.0", true},
		{"1.0.0", "4.0.0", false},
		{"", "2.0.0", true}, // only 1.0.0 reaches 2.0.0 (2.0.0 is not compatible: no auto step down into it)
		{"", "1.0.0", true},
		{"", core.Latest, false},
	} {
		got, err := m.TypedPath("Order", c.from, c.to)
		mustOK(t, err)
		if got != c.want {
			t.Errorf("%q → %q: %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if _, err := m.TypedPath("Nope", "", core.Latest); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown model: %v", err)
	}
}

// countingCodec is encoding/json, counting its calls.
type countingCodec struct{ marshals, unmarshals atomic.Int64 }

func (c *countingCodec) Marshal(v any) ([]byte, error) {
	c.marshals.Add(1)
	return json.Marshal(v)
}

func (c *countingCodec) Unmarshal(b []byte, v any) error {
	c.unmarshals.Add(1)
	return json.Unmarshal(b, v)
}

// WithJSONCodec serves the typed path; the record path keeps
// encoding/json; the results are the same.
func TestMigrateBatchJSONCodec(t *testing.T) {
	type flatV1 struct {
		N int    `json:"n"`
		S string `json:"s,omitempty"`
	}
	type flatV2 struct {
		N     int `json:"n"`
		Twice int `json:"twice"`
	}
	m := core.NewManager(core.WithVersionKey("v"))
	mustOK(t, core.Register[flatV1](m, "F", "1.0.0"))
	mustOK(t, core.Register[flatV2](m, "F", "2.0.0"))
	mustOK(t, core.RegisterTyped(m, "F", "1.0.0", "2.0.0", func(_ context.Context, in flatV1) (flatV2, error) {
		return flatV2{N: in.N, Twice: 2 * in.N}, nil
	}))
	items := [][]byte{[]byte(`{"v":"1.0.0","n":1}`), []byte(`{"n":2,"v":"1.0.0","s":"<x>"}`), []byte(`{"v":"1.0.0","n":3,"extra":true}`)}
	var c countingCodec
	with, err := m.MigrateBatchJSON(context.Background(), items, "F", "", "2.0.0", core.WithVersionFromRecord(), core.WithJSONCodec(&c))
	mustOK(t, err)
	without, err := m.MigrateBatchJSON(context.Background(), items, "F", "", "2.0.0", core.WithVersionFromRecord(), core.WithJSONCodec(nil))
	mustOK(t, err)
	for i := range items {
		equal(t, decoded(t, with[i]), decoded(t, without[i]))
	}
	equal(t, decoded(t, with[2])["extra"], true) // the record path carried it
	equal(t, c.unmarshals.Load(), int64(2))      // the third went the record path
	equal(t, c.marshals.Load(), int64(2))

	// A missing required field and a null where the struct cannot hold
	// one go the record path, which refuses them.
	var c3 countingCodec
	out, err := m.MigrateBatchJSON(context.Background(), [][]byte{[]byte(`{"v":"1.0.0"}`), []byte(`{"v":"1.0.0","n":null}`)}, "F", "", "2.0.0",
		core.WithVersionFromRecord(), core.WithContinueOnError(), core.WithJSONCodec(&c3))
	var be *core.BatchError
	if !errors.As(err, &be) || len(be.Items) != 2 || out[0] != nil || !errors.Is(be.Items[0], core.ErrValidation) || !errors.Is(be.Items[1], core.ErrValidation) {
		t.Fatalf("%v %q", err, out)
	}
	equal(t, c3.unmarshals.Load(), int64(0))

	// Order's first struct holds nested structs: the codec too, when the
	// nested records fit their structs; the record path otherwise.
	var c2 countingCodec
	_, err = typedOrders(t).MigrateBatchJSON(context.Background(), [][]byte{[]byte(`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1}`)},
		"Order", "", "2.0.0", core.WithVersionFromRecord(), core.WithJSONCodec(&c2))
	mustOK(t, err)
	equal(t, c2.unmarshals.Load(), int64(1))
}

// The key sequence kept from one record does not let the next one through
// unchecked: a null where the struct cannot hold one, a key left out or
// added, each goes the record path and fails or is carried as it should.
func TestMigrateJSONShapeCache(t *testing.T) {
	type fV1 struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	type fV2 struct {
		N int    `json:"n"`
		S string `json:"s"`
		T bool   `json:"t"`
	}
	m := core.NewManager(core.WithVersionKey("v"))
	mustOK(t, core.Register[fV1](m, "F", "1.0.0"))
	mustOK(t, core.Register[fV2](m, "F", "2.0.0"))
	mustOK(t, core.RegisterTyped(m, "F", "1.0.0", "2.0.0", func(_ context.Context, in fV1) (fV2, error) {
		return fV2{N: in.N, S: in.S, T: true}, nil
	}))
	ctx := context.Background()
	for i, c := range []struct {
		in      string
		wantErr bool
	}{
		{`{"v":"1.0.0","n":1,"s":"a"}`, false},
		{`{"v":"1.0.0","n":null,"s":"a"}`, true}, // the same keys, a null
		{`{"v":"1.0.0","n":2,"s":"b"}`, false},
		{`{"v":"1.0.0","n":3}`, true},                // s left out
		{`{"v":"1.0.0","n":4,"s":"d","x":1}`, false}, // x carried
		{`{"s":"e","v":"1.0.0","n":5}`, false},       // another order
	} {
		out, err := m.MigrateJSON(ctx, []byte(c.in), "F", "", "2.0.0")
		if (err != nil) != c.wantErr {
			t.Fatalf("%d %s: %v", i, c.in, err)
		}
		if err == nil {
			d := decoded(t, out)
			if d["t"] != true || d["v"] != "2.0.0" {
				t.Errorf("%d: %s", i, out)
			}
			if i == 4 && d["x"] != json.Number("1") {
				t.Errorf("x not carried: %s", out)
			}
		}
	}
}

// TestMigrateJSONNestedFastPath: a first struct with nested structs (a
// list of items) decodes straight from JSON when every nested record fits
// its struct, and the record path runs otherwise; both give what
// Migrate gives, a result or the same error.
func TestMigrateJSONNestedFastPath(t *testing.T) {
	m := typedOrders(t)
	ctx := context.Background()
	cases := []struct {
		name string
		in   string
		fast bool
	}{
		{"fits", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"sku":"a","qty":1},{"qty":2,"sku":"b"}],"amount":1}`, true},
		{"no items", `{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1}`, true},
		{"an undeclared field in an item", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"sku":"a","qty":1,"x":1}],"amount":1}`, false},
		{"an item without a required field", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"sku":"a"}],"amount":1}`, false},
		{"a null item", `{"v":"1.0.0","id":1,"customer":"A B","items":[null],"amount":1}`, false},
		{"a null in an item", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"sku":null,"qty":1}],"amount":1}`, false},
		{"a key in another case", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"SKU":"a","qty":1}],"amount":1}`, false},
		{"items not a list", `{"v":"1.0.0","id":1,"customer":"A B","items":{"sku":"a"},"amount":1}`, false},
		{"an item not an object", `{"v":"1.0.0","id":1,"customer":"A B","items":["a"],"amount":1}`, false},
		{"an escaped key", `{"v":"1.0.0","id":1,"customer":"A B","items":[{"s\u006bu":"a","qty":1}],"amount":1}`, false},
	}
	for _, c := range cases {
		var codec countingCodec
		out, err := m.MigrateBatchJSON(ctx, [][]byte{[]byte(c.in)}, "Order", "", "2.0.0", core.WithVersionFromRecord(), core.WithJSONCodec(&codec))
		want, werr := m.Migrate(ctx, decoded(t, []byte(c.in)), "Order", "1.0.0", "2.0.0")
		if (err == nil) != (werr == nil) {
			t.Fatalf("%s: MigrateJSON %v, Migrate %v", c.name, err, werr)
		}
		if err == nil {
			equal(t, decoded(t, out[0]), decoded(t, mustJSON(t, want)))
		} else if core.ErrorType(err) != core.ErrorType(werr) {
			t.Fatalf("%s: %v, want %v", c.name, err, werr)
		}
		if fast := codec.unmarshals.Load() == 1; fast != c.fast {
			t.Errorf("%s: the fast path ran: %v, want %v", c.name, fast, c.fast)
		}
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	mustOK(t, err)
	return b
}

// TestValidateJSON agrees with Validate on every input of the nested fast
// path's test, and on text that is not one object.
func TestValidateJSON(t *testing.T) {
	m := typedOrders(t)
	for _, in := range []string{
		`{"v":"2.0.0","id":1,"customer":{"first":"A","last":"B"},"items":[{"sku":"a","qty":1}],"amount_cents":1}`,
		`{"id":1,"customer":{"first":"A","last":"B"},"items":[],"amount_cents":1}`,
		`{"id":1,"customer":{"first":"A","last":"B"},"items":[{"sku":"a","qty":1,"x":1}],"amount_cents":1}`,
		`{"id":1,"customer":{"first":"A"},"items":[],"amount_cents":1}`,
		`{"id":1,"customer":null,"items":[],"amount_cents":1}`,
		`{"id":"1","customer":{"first":"A","last":"B"},"items":[],"amount_cents":1}`,
		`{"id":1.5,"customer":{"first":"A","last":"B"},"items":[],"amount_cents":1}`,
		`{"id":1,"customer":{"First":"A","last":"B"},"items":[],"amount_cents":1}`,
		`{"id":1,"customer":{"first":"A","last":"B"},"items":[],"amount_cents":1,"extra":true}`,
	} {
		got := m.ValidateJSON([]byte(in), "Order", "2.0.0")
		want := m.Validate(decoded(t, []byte(in)), "Order", "2.0.0")
		if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Errorf("%s: ValidateJSON %v, Validate %v", in, got, want)
		}
	}
	for _, in := range []string{`[1]`, `{"id":1} x`, "\xef\xbb\xbf{}", `{"id":"\xff"}`} {
		if err := m.ValidateJSON([]byte(in), "Order", "2.0.0"); !errors.Is(err, core.ErrDecode) {
			t.Errorf("%q: %v, want ErrDecode", in, err)
		}
	}
}

// TestDecodeJSONValue returns the version's struct, decoded straight or
// through the record, and the errors ValidateJSON gives.
func TestDecodeJSONValue(t *testing.T) {
	m := typedOrders(t)
	for _, in := range []string{
		`{"id":1,"customer":{"first":"A","last":"B"},"items":[{"sku":"a","qty":2}],"amount_cents":150}`,          // fits
		`{"id":1,"customer":{"first":"A","last":"B"},"items":[{"sku":"a","qty":2}],"amount_cents":150,"x":true}`, // carried: valid, not in the struct
	} {
		v, err := m.DecodeJSONValue([]byte(in), "Order", "2.0.0")
		mustOK(t, err)
		o, ok := v.(*orderV2)
		if !ok || o.ID != 1 || o.Customer.Last != "B" || len(o.Items) != 1 || o.Items[0].Qty != 2 || o.AmountCents != 150 {
			t.Fatalf("%s: %#v", in, v)
		}
	}
	if _, err := m.DecodeJSONValue([]byte(`{"id":1,"customer":{"first":"A"},"items":[],"amount_cents":1}`), "Order", "2.0.0"); !errors.Is(err, core.ErrValidation) {
		t.Fatalf("a missing field: %v", err)
	}
}

// TestMigrateStructJSON gives what MigrateJSON gives for the struct's
// JSON, on a typed path (no encode first, the struct untouched, the hooks
// called) and on a mixed one; anything but a pointer to the version's
// struct is refused.
func TestMigrateStructJSON(t *testing.T) {
	m := typedOrders(t)
	ctx := context.Background()
	in := orderV1{ID: 9007199254740993, Customer: "Ada Lovelace", Items: []item{{SKU: "a", Qty: 2}}, Amount: 12.5}
	orig := fmt.Sprintf("%+v", in)
	for _, to := range []string{"2.0.0", core.Latest, "1.0.0"} {
		rec := transmutetest.NewRecorder()
		got, err := m.MigrateStructJSON(core.ContextWithHooks(ctx, rec), &in, "Order", "1.0.0", to)
		mustOK(t, err)
		want, err := m.MigrateJSON(ctx, mustJSON(t, in), "Order", "1.0.0", to)
		mustOK(t, err)
		equal(t, decoded(t, got), decoded(t, want))
		if to != "1.0.0" && len(rec.Calls()) == 0 {
			t.Fatalf("to %s: the hooks saw nothing", to)
		}
		mustOK(t, rec.CheckPairing())
	}
	equal(t, fmt.Sprintf("%+v", in), orig)
	for name, v := range map[string]any{"a value": in, "another type": &item{}, "nil": (*orderV1)(nil), "untyped nil": nil} {
		if _, err := m.MigrateStructJSON(ctx, v, "Order", "1.0.0", "2.0.0"); !errors.Is(err, core.ErrInvalidModel) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := m.MigrateStructJSON(ctx, &in, "Nope", "1.0.0", "2.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("an unknown model: %v", err)
	}
}

// TestMigrateJSONValue returns the typed path's result as the target's
// struct, equal to the JSON it returns; nil when the record path ran.
func TestMigrateJSONValue(t *testing.T) {
	m := typedOrders(t)
	ctx := context.Background()
	in := []byte(`{"v":"1.0.0","id":1,"customer":"Ada Lovelace","items":[{"sku":"a","qty":2}],"amount":1.5}`)
	out, v, err := m.MigrateJSONValue(ctx, in, "Order", "", "2.0.0")
	mustOK(t, err)
	o, ok := v.(*orderV2)
	if !ok || o.Customer.First != "Ada" || o.AmountCents != 150 || len(o.Items) != 1 {
		t.Fatalf("%#v", v)
	}
	equal(t, decoded(t, dropVersion(t, out)), decoded(t, mustJSON(t, o)))
	// An undeclared top-level field: the record path carries it; no struct.
	out, v, err = m.MigrateJSONValue(ctx, []byte(`{"v":"1.0.0","id":1,"customer":"A B","items":[],"amount":1,"x":true}`), "Order", "", "2.0.0")
	mustOK(t, err)
	if v != nil || decoded(t, out)["x"] != true {
		t.Fatalf("the record path: %v %s", v, out)
	}
	if _, _, err := m.MigrateJSONValue(ctx, []byte(`[1]`), "Order", "1.0.0", "2.0.0"); !errors.Is(err, core.ErrDecode) {
		t.Fatalf("not an object: %v", err)
	}
}

// dropVersion is b without its "v" key: a struct does not hold it.
func dropVersion(t testing.TB, b []byte) []byte {
	t.Helper()
	d := decoded(t, b)
	delete(d, "v")
	return mustJSON(t, d)
}
