package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// Typed test models: Order 1.0.0 (a customer name, items, an amount) →
// 2.0.0 (a customer record, the amount in cents) → 3.0.0 (a note with a
// default: compatible, an auto step) → 4.0.0 (a map step adds a
// currency).
type item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type orderV1 struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	Items    []item  `json:"items"`
	Amount   float64 `json:"amount"`
}

type customer struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

type orderV2 struct {
	ID          int64    `json:"id"`
	Customer    customer `json:"customer"`
	Items       []item   `json:"items"`
	AmountCents int64    `json:"amount_cents"`
}

type orderV3 struct {
	orderV2
	Note string `json:"note" default:"\"\""`
}

type orderV4 struct {
	orderV3
	Currency string `json:"currency"`
}

var errRefused = errors.New("refused")

func upgradeOrder(_ context.Context, in orderV1) (orderV2, error) {
	if in.Customer == "panic" {
		panic("a typed step panicked")
	}
	if in.Customer == "refuse" {
		return orderV2{}, errRefused
	}
	first, last, _ := strings.Cut(in.Customer, " ")
	return orderV2{ID: in.ID, Customer: customer{first, last}, Items: in.Items, AmountCents: int64(in.Amount*100 + 0.5)}, nil
}

func downgradeOrder(_ context.Context, in orderV2) (orderV1, error) {
	name := strings.TrimSpace(in.Customer.First + " " + in.Customer.Last)
	return orderV1{ID: in.ID, Customer: name, Items: in.Items, Amount: float64(in.AmountCents) / 100}, nil
}

func addCurrency(_ context.Context, d core.Data) (core.Data, error) {
	d["currency"] = "EUR"
	return d, nil
}

func orderManager(t testing.TB, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(opts...)
	mustOK(t, core.Register[orderV1](m, "Order", "1.0.0"))
	mustOK(t, core.Register[orderV2](m, "Order", "2.0.0"))
	mustOK(t, core.Register[orderV3](m, "Order", "3.0.0", core.WithBackwardCompatible()))
	mustOK(t, core.Register[orderV4](m, "Order", "4.0.0"))
	mustOK(t, core.RegisterTyped(m, "Order", "1.0.0", "2.0.0", upgradeOrder))
	mustOK(t, core.RegisterTyped(m, "Order", "2.0.0", "1.0.0", downgradeOrder))
	mustOK(t, m.RegisterMigration("Order", "3.0.0", "4.0.0", addCurrency))
	return m
}

func v1() orderV1 {
	return orderV1{ID: 7, Customer: "Ada Lovelace", Items: []item{{"a", 1}, {"b", 2}}, Amount: 12.5}
}

func TestConvertTyped(t *testing.T) {
	m := orderManager(t)
	in := v1()
	got, err := core.Convert[orderV1, orderV2](context.Background(), m, "Order", in)
	mustOK(t, err)
	equal(t, got, orderV2{ID: 7, Customer: customer{"Ada", "Lovelace"}, Items: []item{{"a", 1}, {"b", 2}}, AmountCents: 1250})
	equal(t, in, v1()) // the caller's value is as it was

	back, err := core.Convert[orderV2, orderV1](context.Background(), m, "Order", got)
	mustOK(t, err)
	equal(t, back, v1())
}

// A path that mixes a typed step, an auto step and a map step, up and
// back down.
func TestConvertMixedPath(t *testing.T) {
	m := orderManager(t)
	got, err := core.Convert[orderV1, orderV4](context.Background(), m, "Order", v1())
	mustOK(t, err)
	want := orderV4{orderV3: orderV3{orderV2: orderV2{ID: 7, Customer: customer{"Ada", "Lovelace"}, Items: []item{{"a", 1}, {"b", 2}}, AmountCents: 1250}}, Currency: "EUR"}
	equal(t, got, want)

	// The same through records, with MigrateAs from the record's version
	// to the latest.
	mv := orderManager(t, core.WithVersionKey("v"))
	row := core.Data{"v": "1.0.0", "id": json.Number("7"), "customer": "Ada Lovelace", "items": []any{
		map[string]any{"sku": "a", "qty": json.Number("1")}, map[string]any{"sku": "b", "qty": 2.0},
	}, "amount": 12.5}
	as, err := core.MigrateAs[orderV4](context.Background(), mv, row, "Order", "", core.Latest)
	mustOK(t, err)
	equal(t, as, want)
	as, err = core.MigrateAs[orderV4](context.Background(), mv, row, "Order", "1.0.0", core.Latest)
	mustOK(t, err)
	equal(t, as, want)
	if _, err := core.MigrateAs[orderV4](context.Background(), mv, core.Data{"id": 1.0}, "Order", "", core.Latest); !errors.Is(err, core.ErrNoVersion) {
		t.Fatalf("a row with no version: %v", err)
	}
}

// In a map path, a typed step carries the fields its input type does not
// declare, unless its output type declares them; the version key is
// stamped as always.
func TestTypedStepCarriesUndeclaredFields(t *testing.T) {
	m := orderManager(t, core.WithVersionKey("v"))
	in := core.Data{"v": "1.0.0", "id": 1.0, "customer": "A B", "items": []any{}, "amount": 1.0, "legacy": map[string]any{"x": true}, "currency": "USD"}
	orig := clone(t, in)
	out, err := m.MigrateTo(context.Background(), in, "Order", "4.0.0")
	mustOK(t, err)
	equal(t, in, orig)
	equal(t, out["legacy"], map[string]any{"x": true})
	equal(t, out["currency"], "EUR") // 4.0.0's map step sets it: To of no typed step declares it, so it was carried, then set
	equal(t, out["v"], "4.0.0")
	if _, ok := out["amount"]; ok {
		t.Error("amount, which orderV1 declares, was carried: the function dropped it")
	}
	equal(t, out["amount_cents"], json.Number("100"))

	// A field the step's output type declares is the function's, not
	// carried from the input.
	in2 := core.Data{"id": 1.0, "customer": "A B", "items": []any{}, "amount": 1.0, "amount_cents": "not carried"}
	out2, err := m.Migrate(context.Background(), in2, "Order", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out2["amount_cents"], json.Number("100"))
}

// A nested record or list element with fields its Go type does not
// declare fails the typed step, naming where and not what.
func TestTypedStepRefusesUndeclaredNestedFields(t *testing.T) {
	m := orderManager(t)
	in := core.Data{"id": 1.0, "customer": "A B", "amount": 1.0, "items": []any{
		map[string]any{"sku": "a", "qty": 1.0},
		map[string]any{"sku": "b", "qty": 1.0, "colour": "secret-value"},
	}}
	orig := clone(t, in)
	_, err := m.Migrate(context.Background(), in, "Order", "1.0.0", "2.0.0")
	var ve *core.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, core.ErrValidation) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	equal(t, ve.Field, "items[1]")
	if msg := core.ErrorMessage(err, nil); strings.Contains(msg, "secret") || strings.Contains(msg, "colour") || !strings.Contains(msg, "does not declare") {
		t.Errorf("message %q", msg)
	}
	equal(t, in, orig)
}

func TestTypedStepErrorAndPanic(t *testing.T) {
	m := orderManager(t)
	for _, name := range []string{"refuse", "panic"} {
		in := v1()
		in.Customer = name
		_, err := core.Convert[orderV1, orderV4](context.Background(), m, "Order", in)
		var me *core.MigrationError
		if !errors.As(err, &me) || me.From.String() != "1.0.0" || me.To.String() != "2.0.0" {
			t.Fatalf("%s: err = %v, want the first step's MigrationError", name, err)
		}
		want := "migration_function"
		if name == "panic" {
			want = "panic"
			var pe *core.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("panic: %v is not a PanicError", err)
			}
		} else if !errors.Is(err, errRefused) {
			t.Fatalf("refuse: %v does not wrap the function's error", err)
		}
		equal(t, core.ErrorType(err), want)

		// The same through records: the input map is untouched.
		d := core.Data{"id": 1.0, "customer": name, "items": []any{}, "amount": 1.0}
		orig := clone(t, d)
		_, err = m.Migrate(context.Background(), d, "Order", "1.0.0", "2.0.0")
		equal(t, core.ErrorType(err), want)
		equal(t, d, orig)
	}
}

func TestRegisterTypedErrors(t *testing.T) {
	m := orderManager(t)
	fn := func(context.Context, orderV2) (orderV3, error) { return orderV3{}, nil }
	for name, err := range map[string]error{
		"wrong From": core.RegisterTyped(m, "Order", "3.0.0", "4.0.0", func(context.Context, orderV2) (orderV4, error) { return orderV4{}, nil }),
		"wrong To":   core.RegisterTyped(m, "Order", "2.0.0", "3.0.0", func(context.Context, orderV2) (orderV4, error) { return orderV4{}, nil }),
		"not registered": core.RegisterTyped(m, "Order", "2.0.0", "9.0.0", func(context.Context, orderV2) (orderV4, error) {
			return orderV4{}, nil
		}),
		"pointer": core.RegisterTyped(m, "Order", "2.0.0", "3.0.0", func(context.Context, *orderV2) (orderV3, error) { return orderV3{}, nil }),
	} {
		if !errors.Is(err, core.ErrInvalidModel) {
			t.Errorf("%s: err = %v, want ErrInvalidModel", name, err)
		}
	}
	err := core.RegisterTyped(m, "Order", "3.0.0", "4.0.0", func(context.Context, orderV2) (orderV4, error) { return orderV4{}, nil })
	if msg := fmt.Sprint(err); !strings.Contains(msg, "core_test.orderV2") || !strings.Contains(msg, "core_test.orderV3") {
		t.Errorf("the error names neither the step's type nor the registered one: %v", err)
	}
	// A typed step beside a map step for the same pair, either way round.
	if err := core.RegisterTyped(m, "Order", "1.0.0", "2.0.0", upgradeOrder); !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Errorf("a second typed step: %v", err)
	}
	if err := m.RegisterMigration("Order", "2.0.0", "1.0.0", addCurrency); !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Errorf("a map step beside a typed one: %v", err)
	}
	mustOK(t, m.RegisterMigration("Order", "2.0.0", "3.0.0", addCurrency))
	if err := core.RegisterTyped(m, "Order", "2.0.0", "3.0.0", fn); !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Errorf("a typed step beside a map one: %v", err)
	}
	if err := core.RegisterTyped[orderV1, orderV2](m, "Order", "1.0.0", "2.0.0", nil); !errors.Is(err, core.ErrInvalidModel) {
		t.Errorf("nil function: %v", err)
	}
	if err := core.RegisterTyped(m, "Order", "1.0", "2.0.0", upgradeOrder); !errors.Is(err, core.ErrInvalidVersion) {
		t.Errorf("bad version: %v", err)
	}
}

func TestConvertTypeErrors(t *testing.T) {
	m := orderManager(t)
	type stranger struct{}
	_, err := core.Convert[stranger, orderV2](context.Background(), m, "Order", stranger{})
	var te *core.TypeError
	if !errors.As(err, &te) || !errors.Is(err, core.ErrModelNotFound) || core.ErrorType(err) != "model_not_found" {
		t.Fatalf("unregistered type: %v", err)
	}
	mustOK(t, core.Register[orderV2](m, "Order", "5.0.0"))
	_, err = core.Convert[orderV1, orderV2](context.Background(), m, "Order", v1())
	if !errors.Is(err, core.ErrInvalidModel) || !strings.Contains(err.Error(), "2 versions") {
		t.Fatalf("a type of two versions: %v", err)
	}
}

// Step observers see the typed steps; every hook sees one migration,
// correctly paired, with the input and the result readable.
func TestConvertHooks(t *testing.T) {
	m := orderManager(t)
	rec := transmutetest.NewRecorder()
	v := transmutetest.NewValidator(nil)
	m.AddHook(rec, v)
	_, err := core.Convert[orderV2, orderV1](context.Background(), m, "Order", orderV2{ID: 1, Customer: customer{"A", "B"}, Items: []item{{"x", 1}}})
	mustOK(t, err)
	equal(t, rec.Methods(), []string{"BeforeMigrate", "BeforeStep", "AfterStep", "AfterMigrate"})
	mustOK(t, rec.CheckPairing())
	mustOK(t, v.CheckPairing())
	calls := rec.Calls()
	equal(t, calls[0].Event.Data.Value("customer").(core.Record).Value("first"), "A")
	equal(t, calls[3].Migrated["customer"], "A B")
	equal(t, calls[3].Migrated["items"], []any{map[string]any{"sku": "x", "qty": json.Number("1")}})
	equal(t, v.Calls()[3].Migrated["customer"], "A B")

	// A rejecting validator fails the typed migration.
	m2 := orderManager(t)
	m2.AddHook(transmutetest.NewValidator(errRefused))
	if _, err := core.Convert[orderV2, orderV1](context.Background(), m2, "Order", orderV2{}); !errors.Is(err, core.ErrValidation) || !errors.Is(err, errRefused) {
		t.Fatalf("err = %v", err)
	}
}

func TestConvertCanceled(t *testing.T) {
	m := orderManager(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := core.Convert[orderV1, orderV2](ctx, m, "Order", v1()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestTypedConcurrent(t *testing.T) {
	m := orderManager(t)
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				in := v1()
				in.ID = int64(g*1000 + i)
				out, err := core.Convert[orderV1, orderV4](context.Background(), m, "Order", in)
				if err != nil || out.ID != in.ID || out.Currency != "EUR" {
					t.Errorf("%v %+v", err, out)
					return
				}
				back, err := core.Convert[orderV2, orderV1](context.Background(), m, "Order", out.orderV2)
				if err != nil || !reflect.DeepEqual(back, in) {
					t.Errorf("%v %+v", err, back)
					return
				}
			}
		})
	}
	wg.Wait()
	mustOK(t, rec.CheckPairing())
}

func TestDecodeJSON(t *testing.T) {
	d, err := core.DecodeJSON([]byte(" {\"id\": 9007199254740993, \"f\": 1.5, \"s\": \"x\"}\n"))
	mustOK(t, err)
	equal(t, d["id"], json.Number("9007199254740993"))
	equal(t, d["f"], json.Number("1.5"))
	for in, want := range map[string]string{
		`[1,2]`:              "found an array",
		`null`:               "found null",
		"\uFEFF{}":           "byte-order mark",
		`{} {}`:              "data after the object",
		`{"a":1`:             "not closed",
		`{"a":tru}`:          "invalid JSON at byte",
		"{\"a\":\"\xff\"}":   "not valid UTF-8",
		``:                   "found nothing",
		`"secret"`:           "found a string",
		`{"a":"secret"} x`:   "data after the object",
		`{"secret": secret}`: "invalid JSON at byte",
	} {
		_, err := core.DecodeJSON([]byte(in))
		var de *core.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, core.ErrDecode) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), "secret") || core.ErrorMessage(err, nil) != err.Error() || core.ErrorType(err) != "decode" {
			t.Errorf("%q: %v quotes the input, or is not value-free", in, err)
		}
	}
	d, err = core.Decode(strings.NewReader(`{"a":[1,{"b":2}]}`))
	mustOK(t, err)
	equal(t, d, core.Data{"a": []any{json.Number("1"), map[string]any{"b": json.Number("2")}}})
}

// A path of typed steps only: first, middle and last steps, each seen by
// the step observers, with no record built.
func TestConvertTypedChain(t *testing.T) {
	type c1 struct {
		N int `json:"n"`
	}
	type c2 struct {
		N    int    `json:"n"`
		Seen []int  `json:"seen"`
		Tag  string `json:"tag,omitempty"`
	}
	type c3 struct {
		c2
		M int `json:"m"`
	}
	type c4 struct {
		c3
		Done bool `json:"done"`
	}
	m := core.NewManager()
	mustOK(t, core.Register[c1](m, "C", "1.0.0"))
	mustOK(t, core.Register[c2](m, "C", "2.0.0"))
	mustOK(t, core.Register[c3](m, "C", "3.0.0"))
	mustOK(t, core.Register[c4](m, "C", "4.0.0"))
	mustOK(t, core.RegisterTyped(m, "C", "1.0.0", "2.0.0", func(_ context.Context, in c1) (c2, error) {
		return c2{N: in.N + 1, Seen: []int{1}}, nil
	}))
	mustOK(t, core.RegisterTyped(m, "C", "2.0.0", "3.0.0", func(_ context.Context, in c2) (c3, error) {
		if in.N < 0 {
			return c3{}, errRefused
		}
		return c3{c2: c2{N: in.N + 1, Seen: append(in.Seen, 2)}, M: in.N}, nil
	}))
	mustOK(t, core.RegisterTyped(m, "C", "3.0.0", "4.0.0", func(_ context.Context, in c3) (c4, error) {
		return c4{c3: c3{c2: c2{N: in.N + 1, Seen: append(in.Seen, 3)}, M: in.M}, Done: true}, nil
	}))
	out, err := core.Convert[c1, c4](context.Background(), m, "C", c1{N: 1})
	mustOK(t, err)
	equal(t, out, c4{c3: c3{c2: c2{N: 4, Seen: []int{1, 2, 3}}, M: 2}, Done: true})

	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	out, err = core.Convert[c1, c4](context.Background(), m, "C", c1{N: 1})
	mustOK(t, err)
	equal(t, out.N, 4)
	equal(t, rec.Methods(), []string{"BeforeMigrate", "BeforeStep", "AfterStep", "BeforeStep", "AfterStep", "BeforeStep", "AfterStep", "AfterMigrate"})
	calls := rec.Calls()
	equal(t, calls[5].Step.Index, 2)
	equal(t, calls[7].Migrated, core.Data{"n": json.Number("4"), "seen": []any{json.Number("1"), json.Number("2"), json.Number("3")}, "m": json.Number("2"), "done": true})
	mustOK(t, rec.CheckPairing())

	// A failing middle step: its error, the step observers' AfterStep
	// with it, and OnError.
	rec.Reset()
	_, err = core.Convert[c1, c4](context.Background(), m, "C", c1{N: -5})
	if !errors.Is(err, errRefused) {
		t.Fatalf("err = %v", err)
	}
	equal(t, rec.Methods(), []string{"BeforeMigrate", "BeforeStep", "AfterStep", "BeforeStep", "AfterStep", "OnError"})
	if rec.Calls()[4].Err == nil {
		t.Error("AfterStep of the failed step got no error")
	}
	mustOK(t, rec.CheckPairing())
}

// A typed jump (1.0.0 → 3.0.0) is taken over two steps, and a map
// downgrade after a typed step mixes the two kinds on the way back.
func TestTypedJumpAndMixedDowngrade(t *testing.T) {
	m := orderManager(t)
	mustOK(t, core.RegisterTyped(m, "Order", "1.0.0", "3.0.0", func(ctx context.Context, in orderV1) (orderV3, error) {
		v2, err := upgradeOrder(ctx, in)
		return orderV3{orderV2: v2, Note: "jumped"}, err
	}))
	mustOK(t, m.RegisterMigration("Order", "4.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		delete(d, "currency")
		delete(d, "note")
		return d, nil
	}))
	path, err := m.Path("Order", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, len(path), 2)
	got, err := core.Convert[orderV1, orderV3](context.Background(), m, "Order", v1())
	mustOK(t, err)
	equal(t, got.Note, "jumped")
	equal(t, got.AmountCents, int64(1250))

	// 4.0.0 → 2.0.0 (map) → 1.0.0 (typed).
	v4 := orderV4{orderV3: got, Currency: "EUR"}
	back, err := core.Convert[orderV4, orderV1](context.Background(), m, "Order", v4)
	mustOK(t, err)
	equal(t, back, v1())
}

// A typed step never lets a zero value stand in for data the record does
// not have: a missing required field, or null where the struct cannot hold
// it, fails the step, on the record path and on the bytes path alike.
func TestTypedStepRefusesMissingAndNull(t *testing.T) {
	m := orderManager(t, core.WithVersionKey("v"))
	for _, rec := range []string{
		`{"v":"1.0.0","id":1,"items":[],"amount":1}`,                           // no customer
		`{"v":"1.0.0","id":1,"customer":null,"items":[],"amount":1}`,           // null customer
		`{"v":"1.0.0","id":1,"customer":"A B","items":[{"qty":1}],"amount":1}`, // an item with no sku
	} {
		d := decodedRecord(t, rec)
		_, err := m.MigrateTo(context.Background(), d, "Order", "2.0.0")
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Version.String() != "1.0.0" {
			t.Errorf("%s: %v", rec, err)
		}
		_, jerr := m.MigrateJSON(context.Background(), []byte(rec), "Order", "", "2.0.0")
		if core.ErrorType(jerr) != core.ErrorType(err) || jerr.Error() != err.Error() {
			t.Errorf("%s: bytes path %v, record path %v", rec, jerr, err)
		}
	}
}

func decodedRecord(t *testing.T, s string) core.Data {
	t.Helper()
	d, err := core.DecodeJSON([]byte(s))
	mustOK(t, err)
	return d
}
