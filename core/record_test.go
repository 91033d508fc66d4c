package core_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func recordData() core.Data {
	return core.Data{
		"s":     "str",
		"n":     1.5,
		"b":     true,
		"null":  nil,
		"obj":   map[string]any{"x": 1.0, "inner": map[string]any{"y": "z"}},
		"list":  []any{1.0, map[string]any{"k": "v"}, []any{"deep"}},
		"typed": []map[string]any{{"t": 1.0}},
		"strs":  []string{"a", "b"},
		"smap":  map[string]string{"a": "b"},
	}
}

func TestRecord(t *testing.T) {
	d := recordData()
	orig := clone(t, d)
	r := core.NewRecord(d)

	equal(t, r.Len(), 9)
	equal(t, r.Keys(), []string{"b", "list", "n", "null", "obj", "s", "smap", "strs", "typed"})
	if !r.Has("null") || r.Has("nope") || r.IsNil() {
		t.Fatal("Has/IsNil wrong")
	}
	if v, ok := r.Get("null"); v != nil || !ok {
		t.Fatalf("Get(null) = %v, %v", v, ok)
	}
	if v, ok := r.Get("nope"); v != nil || ok {
		t.Fatalf("Get(nope) = %v, %v", v, ok)
	}
	equal(t, r.Value("s"), "str")
	equal(t, r.Value("n"), 1.5)
	equal(t, r.Value("nope"), nil)

	obj, ok := r.Value("obj").(core.Record)
	if !ok {
		t.Fatalf("a nested map comes back as %T, want core.Record", r.Value("obj"))
	}
	inner, ok := obj.Value("inner").(core.Record)
	if !ok || inner.Value("y") != "z" {
		t.Fatalf("nested record: %#v", obj.Value("inner"))
	}
	list, ok := r.Value("list").(core.List)
	if !ok {
		t.Fatalf("a []any comes back as %T, want core.List", r.Value("list"))
	}
	equal(t, list.Len(), 3)
	equal(t, list.At(0), 1.0)
	if _, ok := list.At(1).(core.Record); !ok {
		t.Fatalf("a map in a list comes back as %T", list.At(1))
	}
	if _, ok := list.At(2).(core.List); !ok {
		t.Fatalf("a list in a list comes back as %T", list.At(2))
	}
	typed, ok := r.Value("typed").(core.List)
	if !ok || typed.Len() != 1 {
		t.Fatalf("a []map[string]any comes back as %T", r.Value("typed"))
	}
	if rec, ok := typed.At(0).(core.Record); !ok || rec.Value("t") != 1.0 {
		t.Fatalf("typed.At(0) = %#v", typed.At(0))
	}
	var idx []int
	for i, v := range list.All() {
		idx = append(idx, i)
		if i == 1 {
			if _, ok := v.(core.Record); !ok {
				t.Fatalf("All yields %T", v)
			}
			break
		}
	}
	equal(t, idx, []int{0, 1})

	// Other maps and slices come back as copies: changing them changes
	// nothing.
	r.Value("strs").([]string)[0] = "changed"
	r.Value("smap").(map[string]string)["a"] = "changed"
	// Clones are deep and the caller's.
	c := r.Clone()
	c["obj"].(map[string]any)["inner"].(map[string]any)["y"] = "changed"
	c["list"].([]any)[2].([]any)[0] = "changed"
	lc := list.Clone()
	lc[1].(map[string]any)["k"] = "changed"
	tc := typed.Clone()
	tc[0].(map[string]any)["t"] = "changed"
	equal(t, d, orig)

	var keys []string
	for k, v := range r.All() {
		keys = append(keys, k)
		if k == "list" {
			if _, ok := v.(core.List); !ok {
				t.Fatalf("All yields %T for a list", v)
			}
		}
		if k == "n" {
			break
		}
	}
	equal(t, keys, []string{"b", "list", "n"})

	got, err := json.Marshal(r)
	mustOK(t, err)
	want, _ := json.Marshal(d)
	equal(t, string(got), string(want))
	got, err = json.Marshal(list)
	mustOK(t, err)
	equal(t, string(got), `[1,{"k":"v"},["deep"]]`)
	got, err = json.Marshal(typed)
	mustOK(t, err)
	equal(t, string(got), `[{"t":1}]`)

	var zero core.Record
	if zero.Len() != 0 || len(zero.Keys()) != 0 || zero.Clone() != nil || !zero.IsNil() {
		t.Fatal("the zero Record is not empty")
	}
}

// grabHook tries everything a hook can do to the data it is shown.
type grabHook struct{ core.NopHook }

func (grabHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	spoil(e.Data)
	return ctx
}

func (grabHook) AfterMigrate(_ context.Context, _ core.Event, migrated core.Record) { spoil(migrated) }

func spoil(r core.Record) {
	c := r.Clone()
	for k := range c {
		c[k] = "spoiled"
	}
	for _, v := range r.All() {
		switch x := v.(type) {
		case []string:
			for i := range x {
				x[i] = "spoiled"
			}
		case map[string]string:
			x["spoiled"] = "yes"
		case core.List:
			for i := range x.Clone() {
				_ = i
			}
		}
	}
}

func TestHooksCannotChangeData(t *testing.T) {
	m := core.NewManager()
	mustOK(t, m.RegisterMigration("M", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["made"] = []string{"x", "y"}
		return d, nil
	}))
	m.AddHook(grabHook{})
	in := recordData()
	orig := clone(t, in)
	out, err := m.MigrateData(context.Background(), in, "M", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, in, orig)
	want := clone(t, orig)
	want["made"] = []string{"x", "y"}
	equal(t, out, want)
}
