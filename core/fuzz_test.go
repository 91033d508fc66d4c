package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{
		"1.0.0", "0.0.0", "10.20.30", "2147483647.2147483647.2147483647", "v1.0.0", "1.0", "1..0", "01.0.0",
		"1.0.0-rc1", " 1.0.0", "+1.0.0", "١.0.0", "99999999999999999999.0.0", "", "1.0.0.0", "\xff.0.0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := core.ParseVersion(s)
		if err != nil {
			if !errors.Is(err, core.ErrInvalidVersion) {
				t.Fatalf("ParseVersion(%q): error %v does not match ErrInvalidVersion", s, err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseVersion(%q): error %q does not quote the input", s, err)
			}
			return
		}
		// Strict: an accepted string is exactly the canonical form.
		if v.String() != s {
			t.Fatalf("ParseVersion(%q) = %v, which prints as %q", s, v, v.String())
		}
		if v.Major < 0 || v.Minor < 0 || v.Patch < 0 {
			t.Fatalf("ParseVersion(%q) = %+v", s, v)
		}
		again, err := core.ParseVersion(v.String())
		if err != nil || again != v || again.Compare(v) != 0 {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}

// fuzzManager has auto-migrations with nested models (Person 1 → 2), a
// function that mutates everything it can reach (2 → 3) and one that
// reads fields of any type (User 1 → 2).
func fuzzManager(t testing.TB) *core.Manager {
	m := personManager(t)
	mustOK(t, core.Register[pAny](m, "Person", "3.0.0"))
	mustOK(t, m.RegisterMigration("Person", "2.0.0", "3.0.0", mutator))
	mustOK(t, core.Register[tUserV1](m, "User", "1.0.0"))
	mustOK(t, core.Register[tUserV2](m, "User", "2.0.0"))
	mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	m.AddHook(grabHook{}, validatorHook{newTrace("v", &recorder{}), nil})
	return m
}

func FuzzMigrate(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"name":"Ada Lovelace"}`,
		`{"name":1}`,
		`{"name":"A","home":{"street":"s"},"past":[{"street":"p"},null,3,{"zip":"z"}],"work":null}`,
		`{"name":"A","home":{"street":1},"past":{},"work":"x","age":null}`,
		`{"home":[],"past":[[{"street":"s"}]],"extra":{"a":[1,2,{"b":null}]}}`,
		`{"name":"A","home":{"street":"s","zip":5},"past":[],"nick":true,"age":1.5}`,
		`{"a":{"b":{"c":{"d":[[[[{}]]]]}}}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	m := fuzzManager(f)
	routes := []struct{ model, from, to string }{
		{"Person", "1.0.0", "2.0.0"},
		{"Person", "1.0.0", "3.0.0"},
		{"User", "1.0.0", "2.0.0"},
		{"Person", "2.0.0", "1.0.0"},
	}
	f.Fuzz(func(t *testing.T, raw []byte, useNumber bool) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if useNumber {
			dec.UseNumber()
		}
		var in map[string]any
		if err := dec.Decode(&in); err != nil || in == nil {
			return
		}
		orig := clone(t, in)
		if !reflect.DeepEqual(in, orig) {
			t.Fatalf("Copy differs from its source")
		}
		for _, r := range routes {
			for _, validate := range []bool{false, true} {
				var out core.Data
				var err error
				if validate {
					out, err = m.Migrate(context.Background(), in, r.model, r.from, r.to)
				} else {
					out, err = m.MigrateData(context.Background(), in, r.model, r.from, r.to)
				}
				if !reflect.DeepEqual(in, orig) {
					t.Fatalf("%s %s → %s changed its input:\n%v\nwas\n%v", r.model, r.from, r.to, in, orig)
				}
				if err != nil {
					var me *core.MigrationError
					if out != nil || !errors.As(err, &me) || core.ErrorType(err) == "" {
						t.Fatalf("%s %s → %s: %v, %T %v", r.model, r.from, r.to, out, err, err)
					}
					continue
				}
				if validate {
					if verr := m.Validate(out, r.model, r.to); verr != nil {
						t.Fatalf("Migrate returned data that does not validate: %v", verr)
					}
				}
				if _, err := json.Marshal(out); err != nil {
					t.Fatalf("the result does not encode: %v", err)
				}
			}
		}
	})
}

// FuzzTypedPath migrates any decoded object over the Order path of typed,
// auto and map steps: never a panic, the input unchanged, a typed error
// or a result that validates, and the typed Convert of a decoded struct
// agreeing with the record path.
func FuzzTypedPath(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"customer":"A B","items":[{"sku":"a","qty":1}],"amount":1.5}`,
		`{"id":1,"customer":"A B","items":[{"sku":"a","qty":1,"x":2}],"amount":1.5}`,
		`{"id":1.5,"customer":"panic","items":null,"amount":1e400}`,
		`{"id":9007199254740993,"customer":"","items":[],"amount":0,"legacy":[1,{"a":null}]}`,
		`{"customer":{"first":"A"},"items":{},"amount":"x"}`,
	} {
		f.Add([]byte(s))
	}
	m := orderManager(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := core.DecodeJSON(raw)
		if err != nil {
			if !errors.Is(err, core.ErrDecode) {
				t.Fatalf("DecodeJSON: %v is not a DecodeError", err)
			}
			return
		}
		orig := clone(t, in)
		for _, to := range []string{"2.0.0", "4.0.0"} {
			out, err := m.Migrate(context.Background(), in, "Order", "1.0.0", to)
			if !reflect.DeepEqual(in, orig) {
				t.Fatalf("1.0.0 → %s changed its input", to)
			}
			if err != nil {
				var me *core.MigrationError
				if out != nil || !errors.As(err, &me) || core.ErrorType(err) == "" {
					t.Fatalf("1.0.0 → %s: %T %v", to, err, err)
				}
				continue
			}
			if verr := m.Validate(out, "Order", to); verr != nil {
				t.Fatalf("a result that does not validate: %v", verr)
			}
		}
		var v orderV1
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		typed, terr := core.Convert[orderV1, orderV4](context.Background(), m, "Order", v)
		if terr == nil && typed.Currency != "EUR" {
			t.Fatalf("Convert: %+v", typed)
		}
	})
}
