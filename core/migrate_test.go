package core_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Nested models: Person has an Address at home, a list of past ones and
// an optional work one. Version 2 of both adds a field with a default and
// is backward compatible, so 1 → 2 is an auto-migration all the way down.
type nAddrV1 struct {
	Street string `json:"street"`
}

type nAddrV2 struct {
	Street string `json:"street"`
	Zip    string `json:"zip" default:"\"00000\""`
}

type nPersonV1 struct {
	Name string    `json:"name"`
	Nick string    `json:"nick,omitempty"` // removed in 2.0.0
	Home nAddrV1   `json:"home"`
	Past []nAddrV1 `json:"past"`
	Work *nAddrV1  `json:"work,omitempty"`
}

type nPersonV2 struct {
	Name string    `json:"name"`
	Home nAddrV2   `json:"home"`
	Past []nAddrV2 `json:"past"`
	Work *nAddrV2  `json:"work,omitempty"`
	Age  *int      `json:"age" default:"0"`
}

func personManager(t testing.TB, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(opts...)
	mustOK(t, core.Register[nAddrV1](m, "Address", "1.0.0"))
	mustOK(t, core.Register[nAddrV2](m, "Address", "2.0.0", core.WithBackwardCompatible()))
	mustOK(t, core.Register[nPersonV1](m, "Person", "1.0.0"))
	mustOK(t, core.Register[nPersonV2](m, "Person", "2.0.0", core.WithBackwardCompatible()))
	return m
}

func person() core.Data {
	return core.Data{
		"name":  "Ada",
		"nick":  "ada",
		"extra": []any{1.0, map[string]any{"k": "v"}},
		"home":  map[string]any{"street": "1 Main St"},
		"past":  []any{map[string]any{"street": "2 Old Rd"}, map[string]any{"street": "3 Older Rd", "zip": "12345"}},
	}
}

func TestAutoMigration(t *testing.T) {
	m := personManager(t)
	in := person()
	in["work"] = nil // an explicit null stays null
	orig := clone(t, in)
	out, err := m.MigrateData(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{
		"name":  "Ada",
		"nick":  "ada",                                                 // removed field kept
		"extra": []any{1.0, map[string]any{"k": "v"}},                  // extra field kept
		"home":  map[string]any{"street": "1 Main St", "zip": "00000"}, // nested default
		"past": []any{
			map[string]any{"street": "2 Old Rd", "zip": "00000"},
			map[string]any{"street": "3 Older Rd", "zip": "12345"}, // present: kept
		},
		"work": nil,
		"age":  0.0, // default
	})
	equal(t, in, orig)

	// Migrate validates the same result (extra fields are allowed).
	out2, err := m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out2, out)

	// An explicit null is not replaced by the default.
	in = person()
	in["age"] = nil
	out, err = m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	if v, ok := out["age"]; !ok || v != nil {
		t.Fatalf("age = %v, %v; want an explicit null", v, ok)
	}

	// A nested record that is not an object is left for validation.
	in = person()
	in["work"] = "downtown"
	out, err = m.MigrateData(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out["work"], "downtown")
	_, err = m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	if fieldOf(err) != "work" {
		t.Fatalf("Migrate = %v, want a validation error on work", err)
	}
}

func TestNestedHooksFireInsideParent(t *testing.T) {
	m := personManager(t)
	rec := &recorder{}
	a := newTrace("a", rec)
	s := stepHook{newTrace("s", rec)}
	m.AddHook(a, s)
	in := person()
	in["work"] = map[string]any{"street": "4 Office Pl"}
	_, err := m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	addr := []string{
		"a.before Address 1.0.0>2.0.0", "s.before Address 1.0.0>2.0.0",
		"s.beforeStep Address #0 1.0.0>2.0.0 auto=true",
		"s.afterStep Address #0 err=false",
		"s.after Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0",
	}
	want := []string{
		"a.before Person 1.0.0>2.0.0", "s.before Person 1.0.0>2.0.0",
		"s.beforeStep Person #0 1.0.0>2.0.0 auto=true",
	}
	for range 4 { // home, past[0], past[1], work
		want = append(want, addr...)
	}
	want = append(want,
		"s.afterStep Person #0 err=false",
		"s.after Person 1.0.0>2.0.0", "a.after Person 1.0.0>2.0.0",
	)
	equal(t, rec.get(), want)
	a.check(t)
	s.check(t)
}

func TestNestedFailure(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[nAddrV1](m, "Address", "1.0.0"))
	mustOK(t, core.Register[nAddrV2](m, "Address", "2.0.0")) // not compatible: needs a function
	mustOK(t, core.Register[nPersonV1](m, "Person", "1.0.0"))
	mustOK(t, core.Register[nPersonV2](m, "Person", "2.0.0", core.WithBackwardCompatible()))
	mustOK(t, m.RegisterMigration("Address", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		if d["street"] == "bad" {
			return nil, errTest
		}
		d["zip"] = "99999"
		return d, nil
	}))
	rec := &recorder{}
	a := newTrace("a", rec)
	m.AddHook(a)

	in := person()
	out, err := m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out["home"], map[string]any{"street": "1 Main St", "zip": "99999"})

	rec.reset()
	in["past"] = []any{map[string]any{"street": "ok"}, map[string]any{"street": "bad"}}
	orig := clone(t, in)
	_, err = m.Migrate(context.Background(), in, "Person", "1.0.0", "2.0.0")
	if !errors.Is(err, errTest) {
		t.Fatalf("err = %v, want the nested function's error", err)
	}
	if !strings.Contains(err.Error(), `field "past": [1]`) {
		t.Fatalf("error %q does not say where", err)
	}
	var me *core.MigrationError
	if !errors.As(err, &me) || me.Model != "Person" {
		t.Fatalf("outer error %#v, want a *MigrationError for Person", err)
	}
	equal(t, in, orig)
	equal(t, rec.get(), []string{
		"a.before Person 1.0.0>2.0.0",
		"a.before Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0", // home
		"a.before Address 1.0.0>2.0.0", "a.after Address 1.0.0>2.0.0", // past[0]
		"a.before Address 1.0.0>2.0.0", "a.error Address 1.0.0>2.0.0 migration_function", // past[1]
		"a.error Person 1.0.0>2.0.0 migration_function",
	})
	a.check(t)
}

// docV is the same Go type serving two versions of Doc: the meaning of
// size changes (kilobytes in 1.0.0, bytes in 2.0.0), not the shape.
type docV struct {
	Size float64 `json:"size"`
}

type folder struct {
	Docs []docV `json:"docs"`
	Main *docV  `json:"main,omitempty"`
}

func TestSameTypeSeveralVersions(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[docV](m, "Doc", "1.0.0"))
	mustOK(t, core.Register[docV](m, "Doc", "2.0.0"))
	mustOK(t, m.RegisterMigration("Doc", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["size"] = d["size"].(float64) * 1024
		return d, nil
	}))
	mustOK(t, core.Register[folder](m, "Folder", "1.0.0"))
	mustOK(t, core.Register[folder](m, "Folder", "2.0.0", core.WithBackwardCompatible()))
	out, err := m.Migrate(context.Background(), core.Data{
		"docs": []any{map[string]any{"size": 1.0}, map[string]any{"size": 2.0}},
		"main": map[string]any{"size": 3.0},
	}, "Folder", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{
		"docs": []any{map[string]any{"size": 1024.0}, map[string]any{"size": 2048.0}},
		"main": map[string]any{"size": 3072.0},
	})
	out, err = m.Migrate(context.Background(), core.Data{"size": 1.0}, "Doc", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{"size": 1024.0})
}

func TestSchemaNestedAutoMigration(t *testing.T) {
	m := core.NewManager()
	mustOK(t, m.RegisterSchema("Item", "1.0.0", core.Schema{Fields: []core.Field{{Name: "sku", Required: true}}}))
	mustOK(t, m.RegisterSchema("Item", "2.0.0", core.Schema{Fields: []core.Field{
		{Name: "sku", Required: true}, {Name: "qty", Kind: core.KindInteger, Default: []byte("1")},
	}}, core.WithBackwardCompatible()))
	for _, v := range []string{"1.0.0", "2.0.0"} {
		mustOK(t, m.RegisterSchema("Order", v, core.Schema{Fields: []core.Field{
			{Name: "items", Model: "Item", List: true, Required: true},
		}}, core.WithBackwardCompatible()))
	}
	out, err := m.Migrate(context.Background(), core.Data{"items": []any{map[string]any{"sku": "a"}}}, "Order", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{"items": []any{map[string]any{"sku": "a", "qty": 1.0}}})
	_, err = m.Migrate(context.Background(), core.Data{"items": []any{map[string]any{"sku": "a"}, map[string]any{}}}, "Order", "1.0.0", "2.0.0")
	if fieldOf(err) != "items[1].sku" {
		t.Fatalf("err = %v, want a validation error on items[1].sku", err)
	}
}

func TestMigrateValidation(t *testing.T) {
	m := userManager(t)
	mustOK(t, m.RegisterMigration("User", "1.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["first"] = 7.0 // the wrong kind
		return d, nil
	}))
	_, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0")
	if !errors.Is(err, core.ErrValidation) || fieldOf(err) != "first" {
		t.Fatalf("err = %v, want a validation error naming first", err)
	}
	if !strings.Contains(err.Error(), `field "first"`) || core.ErrorType(err) != "validation" {
		t.Fatalf("err = %q (%s)", err, core.ErrorType(err))
	}
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.Model != "User" || ve.Version.String() != "3.0.0" {
		t.Fatalf("ValidationError = %+v", ve)
	}
	// MigrateData does not validate.
	out, err := m.MigrateData(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, out["first"], 7.0)

	// A migration to an unregistered version cannot be validated.
	mustOK(t, m.RegisterMigration("User", "3.0.0", "4.0.0", tagFn("3>4")))
	if _, err := m.Migrate(context.Background(), core.Data{"first": "a", "last": "b"}, "User", "3.0.0", "4.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("Migrate to an unregistered version = %v", err)
	}
	if _, err := m.MigrateData(context.Background(), core.Data{"first": "a", "last": "b"}, "User", "3.0.0", "4.0.0"); err != nil {
		t.Fatalf("MigrateData to an unregistered version = %v", err)
	}
}

func TestMigrateSameVersion(t *testing.T) {
	m := userManager(t)
	rec := &recorder{}
	m.AddHook(newTrace("a", rec))
	in := core.Data{"name": "x"}
	for _, f := range []func(context.Context, core.Data, string, string, string) (core.Data, error){m.Migrate, m.MigrateData} {
		out, err := f(context.Background(), in, "User", "1.0.0", "1.0.0")
		mustOK(t, err)
		if reflect.ValueOf(out).UnsafePointer() != reflect.ValueOf(in).UnsafePointer() {
			t.Fatal("from == to did not return the input itself")
		}
	}
	// Migrate still validates; MigrateData looks nothing up.
	if _, err := m.Migrate(context.Background(), core.Data{}, "User", "1.0.0", "1.0.0"); fieldOf(err) != "name" {
		t.Fatalf("Migrate(invalid, same version) = %v", err)
	}
	if _, err := m.MigrateData(context.Background(), in, "Nope", "1.0.0", "1.0.0"); err != nil {
		t.Fatalf("MigrateData(same version) = %v", err)
	}
	if got := rec.get(); len(got) != 0 {
		t.Fatalf("hooks fired for from == to: %v", got)
	}
}

// mutator is a migration function that changes everything it can reach in
// its argument, nested maps and slices included.
func mutator(_ context.Context, d core.Data) (core.Data, error) {
	for k, v := range d {
		switch x := v.(type) {
		case map[string]any:
			x["mutated"] = true
			for kk := range x {
				if kk != "mutated" {
					delete(x, kk)
				}
			}
		case []any:
			for i := range x {
				if mm, ok := x[i].(map[string]any); ok {
					mm["mutated"] = true
				}
				x[i] = "mutated"
			}
		case []string:
			for i := range x {
				x[i] = "mutated"
			}
		}
		if k != "keep" {
			delete(d, k)
		}
	}
	d["added"] = 1.0
	return d, nil
}

func TestInputNeverModified(t *testing.T) {
	mk := func() core.Data {
		return core.Data{
			"keep":  "k",
			"name":  "Ada Lovelace",
			"obj":   map[string]any{"a": 1.0, "deep": map[string]any{"b": []any{1.0, 2.0}}},
			"list":  []any{map[string]any{"x": 1.0}, "s", []any{"inner"}},
			"strs":  []string{"a", "b"},
			"typed": []map[string]any{{"t": 1.0}},
			"null":  nil,
		}
	}
	m := core.NewManager()
	mustOK(t, core.Register[pAny](m, "M", "1.0.0"))
	mustOK(t, core.Register[pAny](m, "M", "2.0.0"))
	mustOK(t, core.Register[pAny](m, "M", "3.0.0", core.WithBackwardCompatible()))
	mustOK(t, m.RegisterMigration("M", "1.0.0", "2.0.0", mutator))
	mustOK(t, m.RegisterMigration("M", "2.0.0", "4.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		if d["keep"] == "fail" {
			return nil, errTest
		}
		return mutator(ctx, d)
	}))
	mustOK(t, m.RegisterMigration("M", "2.0.0", "5.0.0", func(context.Context, core.Data) (core.Data, error) { panic("boom") }))
	mustOK(t, m.RegisterMigration("M", "1.0.0", "6.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		mutator(context.Background(), d)
		return nil, errTest
	}))
	m.AddHook(validatorHook{newTrace("v", &recorder{}), nil})

	cases := []struct {
		name    string
		to      string
		fail    bool
		wantErr bool
	}{
		{"mutating function", "2.0.0", false, false},
		{"mutating function then auto", "3.0.0", false, false},
		{"two mutating functions", "4.0.0", false, false},
		{"failure after a mutating step", "4.0.0", true, true},
		{"panic after a mutating step", "5.0.0", false, true},
		{"mutating function that fails", "6.0.0", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := mk()
			if tc.fail {
				in["keep"] = "fail"
			}
			orig := clone(t, in)
			out, err := m.MigrateData(context.Background(), in, "M", "1.0.0", tc.to)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			equal(t, in, orig)
			if err == nil {
				// And the result shares nothing with the input.
				mutator(context.Background(), out)
				equal(t, in, orig)
			}
		})
	}
}

func TestWithoutInputCopy(t *testing.T) {
	m := personManager(t, core.WithoutInputCopy())
	mustOK(t, m.RegisterMigration("Person", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		out := make(core.Data, len(d)+1) // a pure function: builds a new map
		for k, v := range d {
			out[k] = v
		}
		out["v3"] = true
		return out, nil
	}))
	in := person()
	orig := clone(t, in)
	out, err := m.MigrateData(context.Background(), in, "Person", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, in, orig) // auto steps are pure by themselves
	equal(t, out["v3"], true)
	equal(t, out["home"], map[string]any{"street": "1 Main St", "zip": "00000"})
}

func TestMigrateErrors(t *testing.T) {
	m := userManager(t)
	mustOK(t, m.RegisterMigration("User", "2.0.0", "7.0.0", func(context.Context, core.Data) (core.Data, error) { return nil, nil }))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "8.0.0", func(context.Context, core.Data) (core.Data, error) { panic("kaboom") }))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "9.0.0", func(context.Context, core.Data) (core.Data, error) { panic(errTest) }))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "10.0.0", func(context.Context, core.Data) (core.Data, error) { return nil, errTest }))
	mustOK(t, m.RegisterMigration("User", "2.0.0", "11.0.0", func(context.Context, core.Data) (core.Data, error) {
		var d core.Data
		d["x"] = 1 //lint:ignore SA5000 a nil map write: the runtime panic under test
		return d, nil
	}))
	for _, v := range []string{"7.0.0", "8.0.0", "9.0.0", "10.0.0", "11.0.0"} {
		mustOK(t, core.Register[pAny](m, "User", v))
	}
	good := func() core.Data { return core.Data{"name": "A B"} }

	cases := []struct {
		name     string
		data     core.Data
		model    string
		from, to string
		is       error
		typ      string
		step     string // the failed step "from>to", if any
		contains string
	}{
		{"nil data", nil, "User", "1.0.0", "2.0.0", core.ErrInvalidData, "invalid_data", "", "nil data"},
		{"unknown model", good(), "Nope", "1.0.0", "2.0.0", core.ErrModelNotFound, "model_not_found", "", `model "Nope" not found`},
		{"unknown version", good(), "User", "1.0.0", "4.0.0", core.ErrModelNotFound, "model_not_found", "", `version 4.0.0 not found`},
		{"no path", good(), "User", "3.0.0", "1.0.0", core.ErrNoMigrationPath, "no_migration_path", "", "no migration path"},
		{"function returns nil", good(), "User", "1.0.0", "7.0.0", core.ErrInvalidData, "invalid_data", "2.0.0>7.0.0", "returned nil"},
		{"function panics", good(), "User", "1.0.0", "8.0.0", nil, "panic", "2.0.0>8.0.0", "panic: kaboom"},
		{"function panics with an error", good(), "User", "1.0.0", "9.0.0", errTest, "panic", "2.0.0>9.0.0", "test error"},
		{"function fails", good(), "User", "1.0.0", "10.0.0", errTest, "migration_function", "2.0.0>10.0.0", "test error"},
		{"runtime panic", good(), "User", "1.0.0", "11.0.0", nil, "panic", "2.0.0>11.0.0", "nil map"},
		{"bad from", good(), "User", "1.0", "2.0.0", core.ErrInvalidVersion, "invalid_version", "", `"1.0"`},
		{"bad to", good(), "User", "1.0.0", "x", core.ErrInvalidVersion, "invalid_version", "", `"x"`},
		{"first function fails", core.Data{"name": 1.0}, "User", "1.0.0", "2.0.0", nil, "migration_function", "1.0.0>2.0.0", "not a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []func(context.Context, core.Data, string, string, string) (core.Data, error){m.Migrate, m.MigrateData} {
				out, err := f(context.Background(), tc.data, tc.model, tc.from, tc.to)
				if err == nil || out != nil {
					t.Fatalf("got %v, %v; want an error and no data", out, err)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Fatalf("err = %v, want %v", err, tc.is)
				}
				if got := core.ErrorType(err); got != tc.typ {
					t.Fatalf("ErrorType = %q, want %q (%v)", got, tc.typ, err)
				}
				if !strings.Contains(err.Error(), tc.contains) {
					t.Fatalf("error %q does not contain %q", err, tc.contains)
				}
				if tc.typ == "invalid_version" {
					continue
				}
				var me *core.MigrationError
				if !errors.As(err, &me) {
					t.Fatalf("err %T is not a *MigrationError", err)
				}
				if me.Model != tc.model {
					t.Fatalf("Model = %q", me.Model)
				}
				if tc.step != "" {
					if got := me.From.String() + ">" + me.To.String(); got != tc.step {
						t.Fatalf("failed step %s, want %s", got, tc.step)
					}
					prefix := `migration failed for "User": ` + strings.Replace(tc.step, ">", " → ", 1) + ": "
					if !strings.HasPrefix(err.Error(), prefix) {
						t.Fatalf("message %q, want the prefix %q", err, prefix)
					}
				}
				if tc.typ == "panic" {
					var pe *core.PanicError
					if !errors.As(err, &pe) || len(pe.Stack) == 0 {
						t.Fatalf("no *PanicError with a stack in %v", err)
					}
				}
			}
		})
	}
}

func TestMigrateCancelled(t *testing.T) {
	m := userManager(t)
	ran := 0
	mustOK(t, m.RegisterMigration("User", "2.0.0", "5.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		ran++
		return d, nil
	}))
	in := core.Data{"name": "A B"}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.MigrateData(ctx, in, "User", "1.0.0", "5.0.0")
	if !errors.Is(err, context.Canceled) || core.ErrorType(err) != "canceled" {
		t.Fatalf("err = %v (%s), want context.Canceled", err, core.ErrorType(err))
	}
	var me *core.MigrationError
	if !errors.As(err, &me) || me.From.String() != "1.0.0" {
		t.Fatalf("err = %#v, want a MigrationError at the first step", err)
	}

	// Cancelled by the first step: the second does not run. A cause is
	// kept, and the error still matches ctx.Err().
	cause := errors.New("shutting down")
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	defer cancel2(nil)
	m2 := core.NewManager()
	mustOK(t, m2.RegisterMigration("X", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		cancel2(cause)
		return d, nil
	}))
	mustOK(t, m2.RegisterMigration("X", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		ran++
		return d, nil
	}))
	_, err = m2.MigrateData(ctx2, core.Data{}, "X", "1.0.0", "3.0.0")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
		t.Fatalf("err = %v, want both context.Canceled and the cause", err)
	}
	if !errors.As(err, &me) || me.From.String() != "2.0.0" {
		t.Fatalf("err = %v, want the MigrationError of the second step", err)
	}

	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	_, err = m.MigrateData(dctx, in, "User", "1.0.0", "5.0.0")
	if !errors.Is(err, context.DeadlineExceeded) || core.ErrorType(err) != "deadline_exceeded" {
		t.Fatalf("err = %v (%s), want DeadlineExceeded", err, core.ErrorType(err))
	}
	if ran != 0 {
		t.Fatalf("%d steps ran after the ctx ended", ran)
	}
	// A nil ctx is taken as Background.
	//lint:ignore SA1012 testing the nil ctx on purpose
	if _, err := m.MigrateData(nil, in, "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateAs(t *testing.T) {
	m := userManager(t)
	u, err := core.MigrateAs[tUserV3](context.Background(), m, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, u, tUserV3{First: "Ada", Last: "Lovelace", Email: "none"})

	u, err = core.MigrateAs[tUserV3](context.Background(), m, core.Data{"name": 1.0}, "User", "1.0.0", "3.0.0")
	if err == nil || u != (tUserV3{}) {
		t.Fatalf("MigrateAs = %+v, %v; want the zero value and an error", u, err)
	}
	// Decoding into a type that does not fit is an error too.
	_, err = core.MigrateAs[struct {
		First int `json:"first"`
	}](context.Background(), m, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	if err == nil {
		t.Fatal("MigrateAs into a mismatched type succeeded")
	}
	// MigrateVersions is Migrate with parsed versions.
	out, err := m.MigrateVersions(context.Background(), core.Data{"name": "A B"}, "User", core.MustParseVersion("1.0.0"), core.MustParseVersion("2.0.0"))
	mustOK(t, err)
	equal(t, out, core.Data{"first": "A", "last": "B"})
}

func TestDefaultsAreNotShared(t *testing.T) {
	type v1 struct{}
	type v2 struct {
		Meta map[string]any `json:"meta" default:"{\"tags\":[\"a\"]}"`
	}
	m := core.NewManager()
	mustOK(t, core.Register[v1](m, "D", "1.0.0"))
	mustOK(t, core.Register[v2](m, "D", "2.0.0", core.WithBackwardCompatible()))
	first, err := m.Migrate(context.Background(), core.Data{}, "D", "1.0.0", "2.0.0")
	mustOK(t, err)
	first["meta"].(map[string]any)["tags"].([]any)[0] = "changed"
	first["meta"].(map[string]any)["new"] = true
	second, err := m.Migrate(context.Background(), core.Data{}, "D", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, second, core.Data{"meta": map[string]any{"tags": []any{"a"}}})
}

func TestZeroManager(t *testing.T) {
	var m core.Manager
	equal(t, len(m.Models()), 0)
	if m.HasPath("User", "1.0.0", "2.0.0") {
		t.Fatal("a zero manager has a path")
	}
	if _, err := m.Migrate(context.Background(), core.Data{}, "User", "1.0.0", "2.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("Migrate = %v", err)
	}
	mustOK(t, core.Register[tUserV1](&m, "User", "1.0.0"))
	mustOK(t, core.Register[tUserV2](&m, "User", "2.0.0"))
	mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	rec := &recorder{}
	m.AddHook(newTrace("a", rec), panicHook{where: "AfterMigrate"})
	out, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{"first": "A", "last": "B"})
	equal(t, rec.get(), []string{"a.before User 1.0.0>2.0.0", "a.after User 1.0.0>2.0.0"})
	m.ClearHooks()
	equal(t, len(m.Hooks()), 0)
}

func TestNilOptions(t *testing.T) {
	m := core.NewManager(nil, core.WithErrorHandler(nil))
	mustOK(t, core.Register[tUserV1](m, "User", "1.0.0", nil))
	m.AddHook(panicHook{where: "AfterMigrate"}) // reported to the default handler
	mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	if _, err := m.MigrateData(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
}

// TestNestedGoTypedSlices: a migration function may build Go-typed
// slices; the auto steps after it and the validation handle them too.
func TestNestedGoTypedSlices(t *testing.T) {
	type personV2 struct {
		Past []nAddrV1 `json:"past"`
		Tags []string  `json:"tags"`
	}
	type personV3 struct {
		Past []*nAddrV2 `json:"past"`
		Tags []string   `json:"tags"`
	}
	m := core.NewManager()
	mustOK(t, core.Register[nAddrV1](m, "Address", "1.0.0"))
	mustOK(t, core.Register[nAddrV2](m, "Address", "2.0.0", core.WithBackwardCompatible()))
	mustOK(t, core.Register[pAny](m, "P", "1.0.0"))
	mustOK(t, core.Register[personV2](m, "P", "2.0.0"))
	mustOK(t, core.Register[personV3](m, "P", "3.0.0", core.WithBackwardCompatible()))
	mustOK(t, m.RegisterMigration("P", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["past"] = []map[string]any{{"street": "a"}, nil, {"street": "b"}}
		d["tags"] = []string{"x"}
		return d, nil
	}))
	rec := &recorder{}
	m.AddHook(newTrace("h", rec))
	out, err := m.Migrate(context.Background(), core.Data{}, "P", "1.0.0", "3.0.0")
	mustOK(t, err)
	equal(t, out, core.Data{
		"past": []map[string]any{{"street": "a", "zip": "00000"}, nil, {"street": "b", "zip": "00000"}},
		"tags": []string{"x"},
	})
	equal(t, len(rec.get()), 2+2*2) // P, and two Addresses

	// The validation sees into typed slices.
	_, err = m.Migrate(context.Background(), core.Data{"past": []map[string]any{{"street": 1.0}}, "tags": []string{}}, "P", "3.0.0", "3.0.0")
	if fieldOf(err) != "past[0].street" {
		t.Fatalf("err = %v", err)
	}
	_, err = m.Migrate(context.Background(), core.Data{"past": []any{}, "tags": []any{"a", 2.0}}, "P", "3.0.0", "3.0.0")
	if fieldOf(err) != "tags[1]" {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorType(t *testing.T) {
	_, verr := core.ParseVersion("x")
	pe := &core.PanicError{Value: errTest}
	hp := &core.HookPanicError{Hook: nopHook{}, Method: "OnError", Value: errTest}
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errTest, "*errors.errorString"},
		{context.Canceled, "canceled"},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "deadline_exceeded"},
		{fmt.Errorf("wrapped: %w", verr), "invalid_version"},
		{&core.NotFoundError{Model: "M"}, "model_not_found"},
		{&core.ValidationError{Model: "M"}, "validation"},
		{pe, "panic"},
		{hp, "hook_panic"},
		{&core.ItemError{Index: 1, Err: pe}, "panic"},
		{&core.BatchError{}, "batch"},
		{&core.MigrationError{Model: "M"}, "migration"},
		{&core.MigrationError{Model: "M", Err: core.ErrNoMigrationPath}, "no_migration_path"},
	}
	for _, tc := range cases {
		if got := core.ErrorType(tc.err); got != tc.want {
			t.Errorf("ErrorType(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if !errors.Is(pe, errTest) || !errors.Is(hp, errTest) {
		t.Fatal("panic errors do not unwrap to an error value")
	}
	if (&core.PanicError{Value: "x"}).Unwrap() != nil {
		t.Fatal("a non-error panic value unwraps to something")
	}
	equal(t, (&core.BatchError{}).Error(), "batch failed")
	equal(t, (&core.BatchError{Items: []*core.ItemError{{Index: 2, Err: errTest}}}).Error(), "batch: 1 item failed: item 2: test error")
	equal(t, hp.Error(), "hook core_test.nopHook panicked in OnError: test error")
	equal(t, core.KindInteger.String(), "integer")
	equal(t, core.Kind(42).String(), "Kind(42)")
}
