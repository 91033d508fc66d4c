package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

const vkey = "schema_version"

func TestVersionOf(t *testing.T) {
	m := userManager(t, core.WithVersionKey(vkey))
	v, err := m.VersionOf(core.Data{vkey: "2.0.0"})
	if err != nil || v != core.MustParseVersion("2.0.0") {
		t.Fatalf("VersionOf = %v, %v", v, err)
	}
	for name, tc := range map[string]struct {
		d       core.Data
		want    error
		message string
	}{
		"missing":    {core.Data{"name": "x"}, core.ErrNoVersion, `no "schema_version" field`},
		"null":       {core.Data{vkey: nil}, core.ErrNoVersion, `"schema_version" field is null`},
		"malformed":  {core.Data{vkey: "2.x"}, core.ErrInvalidVersion, `"2.x"`},
		"not a text": {core.Data{vkey: 2.0}, core.ErrInvalidVersion, `"2"`},
		"nil data":   {nil, core.ErrInvalidData, "nil record"},
	} {
		_, err := m.VersionOf(tc.d)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%s: %v, want %v quoting %s", name, err, tc.want, tc.message)
		}
	}
	if _, err := userManager(t).VersionOf(core.Data{vkey: "1.0.0"}); !errors.Is(err, core.ErrNoVersion) {
		t.Errorf("a manager without a key: %v", err)
	}
}

func TestMigrateTo(t *testing.T) {
	m := userManager(t, core.WithVersionKey(vkey))
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	ctx := context.Background()
	in := core.Data{vkey: "1.0.0", "name": "Ada Lovelace"}
	out, err := m.MigrateTo(ctx, in, "User", core.Latest)
	mustOK(t, err)
	if out[vkey] != "3.0.0" || out["first"] != "Ada" {
		t.Fatalf("MigrateTo = %v", out)
	}
	if !reflect.DeepEqual(in, core.Data{vkey: "1.0.0", "name": "Ada Lovelace"}) {
		t.Fatalf("the input was modified: %v", in)
	}
	calls := rec.Calls()
	if calls[0].Event.From.String() != "1.0.0" || calls[len(calls)-1].Migrated[vkey] != "3.0.0" {
		t.Errorf("hooks saw From %s, result %v", calls[0].Event.From, calls[len(calls)-1].Migrated)
	}

	// Downgrade, with an explicit target.
	down, err := m.MigrateTo(ctx, core.Data{vkey: "2.0.0", "first": "A", "last": "B"}, "User", "1.0.0")
	mustOK(t, err)
	if down[vkey] != "1.0.0" || down["name"] != "A B" {
		t.Fatalf("downgrade = %v", down)
	}
	// A record already at the target is validated and returned.
	at := core.Data{vkey: "3.0.0", "first": "A", "last": "B"}
	same, err := m.MigrateTo(ctx, at, "User", "3.0.0")
	mustOK(t, err)
	if !reflect.DeepEqual(same, at) {
		t.Fatalf("at target: %v", same)
	}
	if _, err := m.MigrateTo(ctx, core.Data{vkey: "3.0.0", "first": 1.0}, "User", "3.0.0"); !errors.Is(err, core.ErrValidation) {
		t.Fatalf("an invalid record at its target: %v", err)
	}
	// No version: the hooks see the migration begin and fail, with a
	// zero From, and its type is no_version.
	rec.Reset()
	_, err = m.MigrateTo(ctx, core.Data{"name": "A B"}, "User", "3.0.0")
	if !errors.Is(err, core.ErrNoVersion) || core.ErrorType(err) != "no_version" {
		t.Fatalf("no version: %v (%s)", err, core.ErrorType(err))
	}
	if got := rec.Methods(); !reflect.DeepEqual(got, []string{"BeforeMigrate", "OnError"}) {
		t.Fatalf("no version: hook calls %v", got)
	}
	if e := rec.Calls()[1].Event; !e.From.IsZero() || e.Path != nil || e.To.String() != "3.0.0" {
		t.Fatalf("no version: OnError saw %+v", e)
	}
	if err := rec.CheckPairing(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(err.Error(), "0.0.0") {
		t.Errorf("no version: the message names a version 0.0.0: %v", err)
	}
	if _, err := m.MigrateTo(ctx, core.Data{vkey: "1.0.0", "name": "A B"}, "Nope", core.Latest); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("latest of an unknown model: %v", err)
	}
}

// The key is set on the record, never on its nested records, and a pure
// migration that returns its input does not get the caller's map stamped.
func TestVersionKeyIsSetOnTheRecordOnly(t *testing.T) {
	m := core.NewManager(core.WithVersionKey(vkey), core.WithoutInputCopy())
	type addr struct {
		City string `json:"city"`
	}
	type userA struct {
		Home addr `json:"home"`
	}
	mustOK(t, core.Register[addr](m, "Addr", "1.0.0"))
	mustOK(t, core.Register[addr](m, "Addr", "2.0.0", core.WithBackwardCompatible()))
	mustOK(t, core.Register[userA](m, "U", "1.0.0"))
	mustOK(t, core.Register[userA](m, "U", "2.0.0"))
	mustOK(t, m.RegisterMigration("U", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }))
	in := core.Data{vkey: "1.0.0", "home": map[string]any{"city": "Paris"}}
	out, err := m.MigrateTo(context.Background(), in, "U", "2.0.0")
	mustOK(t, err)
	if out[vkey] != "2.0.0" || in[vkey] != "1.0.0" {
		t.Fatalf("out %v, in %v", out, in)
	}
	if _, ok := out["home"].(map[string]any)[vkey]; ok {
		t.Fatal("the nested record got a version key")
	}
}

func TestBatchAndStreamTakeEachItemsVersion(t *testing.T) {
	m := userManager(t, core.WithVersionKey(vkey))
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	ctx := context.Background()
	items := func() []core.Data {
		return []core.Data{
			{vkey: "1.0.0", "name": "A B"},
			{vkey: "2.0.0", "first": "C", "last": "D"},
			{"name": "E F"}, // no key: the batch's from
			{vkey: "3.0.0", "first": "G", "last": "H"},
		}
	}
	out, err := m.MigrateBatch(ctx, items(), "User", "1.0.0", core.Latest, core.WithVersionFromRecord())
	mustOK(t, err)
	for i, d := range out {
		if d[vkey] != "3.0.0" {
			t.Errorf("item %d: %v", i, d)
		}
	}
	var froms []string
	for _, c := range rec.Calls() {
		if c.Method == transmutetest.BeforeMigrate {
			froms = append(froms, c.Event.From.String())
		}
	}
	slices.Sort(froms)
	if !slices.Equal(froms, []string{"1.0.0", "1.0.0", "2.0.0"}) { // 3.0.0 is at its target: no hooks
		t.Errorf("hooks saw From %v", froms)
	}

	// Without a fallback, an item with no version fails on its own.
	_, err = m.MigrateBatch(ctx, items(), "User", "", "3.0.0", core.WithVersionFromRecord(), core.WithContinueOnError())
	var be *core.BatchError
	if !errors.As(err, &be) || !slices.Equal(be.Indexes(), []int{2}) || !errors.Is(err, core.ErrNoVersion) {
		t.Fatalf("batch: %v", err)
	}
	n := 0
	for d, err := range m.MigrateStream(ctx, slices.Values(items()), "User", "", core.Latest, core.WithVersionFromRecord(), core.WithContinueOnError()) {
		if (err != nil) != (n == 2) || err == nil && d[vkey] != "3.0.0" {
			t.Errorf("stream item %d: %v, %v", n, d, err)
		}
		n++
	}
	if _, err := m.MigrateBatch(ctx, items(), "User", "", "3.x", core.WithVersionFromRecord()); !errors.Is(err, core.ErrInvalidVersion) {
		t.Fatalf("a bad target: %v", err)
	}
}

// Integers are checked exactly at the edges of their Go type, and beyond
// 2^53 when they come as json.Number.
func TestIntegerEdges(t *testing.T) {
	m := core.NewManager()
	type ints struct {
		I64 int64  `json:"i64,omitempty"`
		U64 uint64 `json:"u64,omitempty"`
		I8  int8   `json:"i8,omitempty"`
	}
	mustOK(t, core.Register[ints](m, "I", "1.0.0"))
	for _, tc := range []struct {
		d     core.Data
		valid bool
	}{
		{core.Data{"i64": int64(math.MaxInt64)}, true},
		{core.Data{"i64": int64(math.MinInt64)}, true},
		{core.Data{"i64": json.Number("9007199254740993")}, true},
		{core.Data{"i64": json.Number("9223372036854775807")}, true},
		{core.Data{"i64": json.Number("9223372036854775808")}, false},
		{core.Data{"i64": json.Number("-9223372036854775809")}, false},
		{core.Data{"i64": json.Number("1.5")}, false},
		{core.Data{"i64": json.Number("1e3")}, false}, // encoding/json does not decode it into an int64
		{core.Data{"i64": json.Number("1.0")}, false},
		{core.Data{"i64": json.Number("1e400")}, false},
		{core.Data{"i64": 1.5}, false},
		{core.Data{"i64": 1000.0}, true},
		{core.Data{"i64": float64(1 << 53)}, true},
		{core.Data{"i64": float64(1<<53 + 2)}, false}, // a float64 beyond 2^53: no longer exact
		{core.Data{"i64": -float64(1<<53 + 2)}, false},
		{core.Data{"i64": math.NaN()}, false},
		{core.Data{"i64": math.Inf(1)}, false},
		{core.Data{"u64": uint64(math.MaxUint64)}, true},
		{core.Data{"u64": json.Number("18446744073709551615")}, true},
		{core.Data{"u64": json.Number("18446744073709551616")}, false},
		{core.Data{"u64": json.Number("-1")}, false},
		{core.Data{"u64": -1}, false},
		{core.Data{"i8": 127}, true},
		{core.Data{"i8": 128}, false},
		{core.Data{"i8": json.Number("-128")}, true},
		{core.Data{"i8": json.Number("-129")}, false},
	} {
		err := m.Validate(tc.d, "I", "1.0.0")
		if (err == nil) != tc.valid {
			t.Errorf("%v: %v, want valid=%v", tc.d, err, tc.valid)
		}
		if err != nil {
			continue
		}
		// What validates, encodes and decodes into the struct.
		var v ints
		b, err := json.Marshal(tc.d)
		if err == nil {
			err = json.Unmarshal(b, &v)
		}
		if err != nil {
			t.Errorf("%v validates but does not decode: %v", tc.d, err)
		}
	}
}

// Float fields take finite numbers only: NaN and ±Inf have no JSON form,
// and a json.Number beyond a float64 does not decode.
func TestFloatEdges(t *testing.T) {
	m := core.NewManager()
	type floats struct {
		F float64 `json:"f"`
	}
	mustOK(t, core.Register[floats](m, "F", "1.0.0"))
	for _, tc := range []struct {
		v      any
		valid  bool
		reason string
	}{
		{1.5, true, ""},
		{json.Number("1e300"), true, ""},
		{math.NaN(), false, "not a finite number"},
		{math.Inf(-1), false, "not a finite number"},
		{float32(math.Inf(1)), false, "not a finite number"},
		{json.Number("1e400"), false, "out of range of a float64"},
	} {
		d := core.Data{"f": tc.v}
		err := m.Validate(d, "F", "1.0.0")
		if (err == nil) != tc.valid || (err != nil && !strings.Contains(err.Error(), tc.reason)) {
			t.Errorf("%v: %v, want valid=%v (%s)", tc.v, err, tc.valid, tc.reason)
		}
		if err == nil {
			if _, err := json.Marshal(d); err != nil {
				t.Errorf("%v validates but does not encode: %v", tc.v, err)
			}
		}
	}
}

func TestResolveVersion(t *testing.T) {
	m := userManager(t)
	for name, want := range map[string]string{core.Latest: "3.0.0", "2.0.0": "2.0.0", "9.9.9": "9.9.9"} {
		if v, err := m.ResolveVersion("User", name); err != nil || v.String() != want {
			t.Errorf("ResolveVersion(%q) = %v, %v; want %s", name, v, err, want)
		}
	}
	if _, err := m.ResolveVersion("Nope", core.Latest); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("latest of an unknown model: %v", err)
	}
	if _, err := m.ResolveVersion("User", "2.x"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Errorf("a bad version: %v", err)
	}
}
