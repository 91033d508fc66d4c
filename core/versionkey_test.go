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
		"null":       {core.Data{vkey: nil}, core.ErrNoVersion, `no "schema_version" field`},
		"malformed":  {core.Data{vkey: "2.x"}, core.ErrInvalidVersion, `"2.x"`},
		"not a text": {core.Data{vkey: 2.0}, core.ErrInvalidVersion, `"2"`},
		"nil data":   {nil, core.ErrInvalidData, "nil data"},
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
	// No version, no hooks.
	rec.Reset()
	if _, err := m.MigrateTo(ctx, core.Data{"name": "A B"}, "User", "3.0.0"); !errors.Is(err, core.ErrNoVersion) || len(rec.Calls()) != 0 {
		t.Fatalf("no version: %v, %d hook calls", err, len(rec.Calls()))
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
		{core.Data{"i64": json.Number("1e3")}, true},
		{core.Data{"i64": 1.5}, false},
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
		if err := m.Validate(tc.d, "I", "1.0.0"); (err == nil) != tc.valid {
			t.Errorf("%v: %v, want valid=%v", tc.d, err, tc.valid)
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
