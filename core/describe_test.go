package core_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

type dAddress struct {
	City string `json:"city" doc:"The city, as written locally."`
	Zip  string `json:"zip,omitempty"`
}

type dInline struct {
	X int `json:"x"`
}

type dUser struct {
	Name    string            `json:"name"`
	Age     int               `json:"age" default:"0"`
	Score   float64           `json:"score,omitempty"`
	Active  bool              `json:"active"`
	Nick    *string           `json:"nick"`
	Born    time.Time         `json:"born"`
	Avatar  []byte            `json:"avatar,omitempty"`
	Tags    []string          `json:"tags"`
	Labels  map[string]int    `json:"labels,omitempty"`
	Home    dAddress          `json:"home"`
	Past    []dAddress        `json:"past,omitempty"`
	Inline  dInline           `json:"inline"`
	Extra   any               `json:"extra,omitempty"`
	Free    map[string]any    `json:"free,omitempty"`
	Quoted  int               `json:"quoted,string,omitempty"`
	Matrix  [][]float64       `json:"matrix,omitempty"`
	Strings map[string]string `json:"strings,omitempty"`
	Small   int8              `json:"small,omitempty"`
	Count   uint32            `json:"count,omitempty"`
}

func describeManager(t *testing.T) *core.Manager {
	t.Helper()
	m := core.NewManager()
	mustOK(t, core.Register[dAddress](m, "Address", "1.0.0"))
	mustOK(t, core.Register[dUser](m, "User", "1.0.0"))
	return m
}

func TestSchemaOfAGoStruct(t *testing.T) {
	m := describeManager(t)
	s, err := m.Schema("User", "1.0.0")
	mustOK(t, err)
	if s.Model != "User" || s.Version != core.MustParseVersion("1.0.0") {
		t.Fatalf("schema of %s %s", s.Model, s.Version)
	}
	addr := core.Field{Kind: core.KindModel, Model: "Address", ModelVersion: "1.0.0"}
	want := []core.Field{
		{Name: "name", Required: true, Kind: core.KindString},
		{Name: "age", Kind: core.KindInteger, Bits: 64, Default: json.RawMessage("0")},
		{Name: "score", Kind: core.KindNumber},
		{Name: "active", Required: true, Kind: core.KindBool},
		{Name: "nick", Nullable: true, Kind: core.KindString},
		{Name: "born", Required: true, Kind: core.KindTime},
		{Name: "avatar", Nullable: true, Kind: core.KindBytes},
		{Name: "tags", Required: true, Nullable: true, Kind: core.KindArray, Elem: &core.Field{Kind: core.KindString}},
		{Name: "labels", Nullable: true, Kind: core.KindMap, Elem: &core.Field{Kind: core.KindInteger, Bits: 64}},
		{Name: "home", Required: true, Kind: core.KindModel, Model: "Address", ModelVersion: "1.0.0"},
		{Name: "past", Nullable: true, Kind: core.KindArray, Elem: &addr},
		{Name: "inline", Required: true, Kind: core.KindObject, Fields: []core.Field{{Name: "x", Required: true, Kind: core.KindInteger, Bits: 64}}},
		{Name: "extra", Nullable: true, Kind: core.KindAny},
		{Name: "free", Nullable: true, Kind: core.KindMap, Elem: &core.Field{Kind: core.KindAny, Nullable: true}},
		{Name: "quoted", Kind: core.KindString},
		{Name: "matrix", Nullable: true, Kind: core.KindArray, Elem: &core.Field{Kind: core.KindArray, Nullable: true, Elem: &core.Field{Kind: core.KindNumber}}},
		{Name: "strings", Nullable: true, Kind: core.KindMap, Elem: &core.Field{Kind: core.KindString}},
		{Name: "small", Kind: core.KindInteger, Bits: 8},
		{Name: "count", Kind: core.KindInteger, Bits: 32, Unsigned: true},
	}
	if len(s.Fields) != len(want) {
		t.Fatalf("%d fields, want %d: %+v", len(s.Fields), len(want), s.Fields)
	}
	for i := range want {
		if !reflect.DeepEqual(s.Fields[i], want[i]) {
			t.Errorf("field %d:\n got %+v\nwant %+v", i, s.Fields[i], want[i])
		}
	}
	a, err := m.Schema("Address", "1.0.0")
	mustOK(t, err)
	if a.Fields[0].Doc != "The city, as written locally." {
		t.Errorf("doc = %q", a.Fields[0].Doc)
	}

	// The result is the caller's: changing it changes nothing registered.
	s.Fields[0].Name = "changed"
	s.Fields[7].Elem.Kind = core.KindBool
	s.Fields[1].Default[0] = '9'
	again, _ := m.Schema("User", "1.0.0")
	if again.Fields[0].Name != "name" || again.Fields[7].Elem.Kind != core.KindString || string(again.Fields[1].Default) != "0" {
		t.Fatal("Schema shares its result with the registry")
	}
}

func TestSchemaLookupErrors(t *testing.T) {
	m := describeManager(t)
	if _, err := m.Schema("Nope", "1.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := m.Schema("User", "9.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := m.Schema("User", "1.x"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Errorf("bad version: %v", err)
	}
}

// A run-time schema is described as it was registered, in its explicit
// form: a Model with no kind is a KindModel, List an array of them, and a
// field that is not required is nullable.
func TestSchemaOfARuntimeSchema(t *testing.T) {
	m := core.NewManager()
	mustOK(t, m.RegisterSchema("Address", "1.0.0", core.Schema{Fields: []core.Field{{Name: "city", Required: true, Kind: core.KindString}}}))
	mustOK(t, m.RegisterSchema("Order", "2.0.0", core.Schema{Fields: []core.Field{
		{Name: "id", Required: true, Kind: core.KindString, Doc: "The order id."},
		{Name: "ship_to", Model: "Address", ModelVersion: "1.0.0"},
		{Name: "history", Model: "Address", ModelVersion: "1.0.0", List: true},
		{Name: "qty", Kind: core.KindInteger, Default: json.RawMessage("1")},
	}}))
	s, err := m.Schema("Order", "2.0.0")
	mustOK(t, err)
	addr := core.Field{Kind: core.KindModel, Model: "Address", ModelVersion: "1.0.0"}
	want := []core.Field{
		{Name: "id", Required: true, Kind: core.KindString, Doc: "The order id."},
		{Name: "ship_to", Nullable: true, Kind: core.KindModel, Model: "Address", ModelVersion: "1.0.0"},
		{Name: "history", Nullable: true, Kind: core.KindArray, Elem: &addr},
		{Name: "qty", Nullable: true, Kind: core.KindInteger, Default: json.RawMessage("1")},
	}
	if !reflect.DeepEqual(s.Fields, want) {
		t.Fatalf("fields\n got %+v\nwant %+v", s.Fields, want)
	}
}

// The description is what validation uses: a manager that registers the
// description of a Go struct as a run-time schema gives the same verdict
// on every record.
func TestSchemaAgreesWithValidation(t *testing.T) {
	m := describeManager(t)
	twin := core.NewManager()
	for _, model := range []string{"Address", "User"} {
		s, err := m.Schema(model, "1.0.0")
		mustOK(t, err)
		mustOK(t, twin.RegisterSchema(model, "1.0.0", s))
	}
	valid := func() core.Data {
		return core.Data{
			"name": "Ada", "active": true, "nick": nil, "born": "2026-01-02T03:04:05Z", "tags": []any{"a"},
			"home": map[string]any{"city": "London"}, "inline": map[string]any{"x": 1.0},
		}
	}
	with := func(k string, v any) core.Data { d := valid(); d[k] = v; return d }
	without := func(k string) core.Data { d := valid(); delete(d, k); return d }
	for name, d := range map[string]core.Data{
		"valid":                 valid(),
		"extra field":           with("unknown", 1.0),
		"missing required":      without("name"),
		"wrong type":            with("name", 1.0),
		"1.5 for an integer":    with("age", 1.5),
		"null, not nullable":    with("name", nil),
		"null, nullable":        with("nick", nil),
		"bad time":              with("born", "yesterday"),
		"time not a string":     with("born", 5.0),
		"bad base64":            with("avatar", "!!"),
		"good base64":           with("avatar", "AQID"),
		"nested error":          with("home", map[string]any{"city": 5.0}),
		"nested missing":        with("home", map[string]any{}),
		"list of nested":        with("past", []any{map[string]any{"city": "Paris"}, map[string]any{"zip": "1"}}),
		"null element":          with("tags", []any{nil}),
		"map value":             with("labels", map[string]any{"a": "x"}),
		"map null value":        with("labels", map[string]any{"a": nil}),
		"inline object error":   with("inline", map[string]any{"x": "1"}),
		"matrix":                with("matrix", []any{[]any{1.0, 2.5}}),
		"matrix wrong":          with("matrix", []any{[]any{"x"}}),
		"quoted is a string":    with("quoted", "12"),
		"quoted not a number":   with("quoted", 12.0),
		"any value":             with("extra", []any{map[string]any{}}),
		"free map":              with("free", map[string]any{"k": nil}),
		"object where a string": with("strings", map[string]any{"k": map[string]any{}}),
		"int8 in range":         with("small", -128.0),
		"int8 out of range":     with("small", 128.0),
		"uint32 negative":       with("count", -1.0),
		"uint32 top":            with("count", 4294967295.0),
		"uint32 beyond":         with("count", 4294967296.0),
	} {
		err1 := m.Validate(d, "User", "1.0.0")
		err2 := twin.Validate(d, "User", "1.0.0")
		if (err1 == nil) != (err2 == nil) || fieldOf(err1) != fieldOf(err2) {
			t.Errorf("%s: Go struct says %v, its description says %v", name, err1, err2)
		}
	}
}
