package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// fieldOf returns the field a validation error names, or "" when err is
// not a validation error.
func fieldOf(err error) string {
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

// checkValidation runs one validation case: wantField "" means valid.
func checkValidation(t *testing.T, m *core.Manager, model, version string, data core.Data, wantField string) {
	t.Helper()
	err := m.Validate(data, model, version)
	if wantField == "" {
		if err != nil {
			t.Fatalf("Validate(%v): %v", data, err)
		}
		return
	}
	if !errors.Is(err, core.ErrValidation) {
		t.Fatalf("Validate(%v) = %v, want an ErrValidation", data, err)
	}
	if got := fieldOf(err); got != wantField {
		t.Fatalf("Validate(%v) names field %q, want %q (error: %v)", data, got, wantField, err)
	}
	if !strings.Contains(err.Error(), `"`+wantField+`"`) {
		t.Fatalf("message %q does not quote the field %q", err, wantField)
	}
	if core.ErrorType(err) != "validation" {
		t.Fatalf("ErrorType = %q", core.ErrorType(err))
	}
}

type rAddress struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type rKinds struct {
	Req      string            `json:"req"`
	Ptr      *string           `json:"ptr"`
	Omit     string            `json:"omit,omitempty"`
	Zero     int               `json:"zero,omitzero"`
	Def      string            `json:"def" default:"\"d\""`
	Int      int               `json:"int,omitempty"`
	Int8     int8              `json:"int8,omitempty"`
	Uint     uint              `json:"uint,omitempty"`
	Float    float64           `json:"float,omitempty"`
	Bool     bool              `json:"bool,omitempty"`
	When     time.Time         `json:"when,omitzero"`
	Bytes    []byte            `json:"bytes,omitempty"`
	Ints     []int             `json:"ints,omitempty"`
	Counts   map[string]int    `json:"counts,omitempty"`
	Addr     *rAddress         `json:"addr,omitempty"`
	Addrs    []rAddress        `json:"addrs,omitempty"`
	Any      any               `json:"any,omitempty"`
	Raw      json.RawMessage   `json:"raw,omitempty"`
	Quoted   int               `json:"quoted,string,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	List     []string          `json:"list"`
	NoTag    string            `json:",omitempty"`
	Skipped  func()            `json:"-"`
	Dash     string            `json:"-,omitempty"` //lint:ignore SA5008 the field named "-", on purpose
	internal string            //lint:ignore U1000 unexported: not a field, on purpose
}

func TestRegisterStructValidation(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[rKinds](m, "K", "1.0.0"))
	base := func(extra core.Data) core.Data {
		d := core.Data{"req": "x", "list": []any{}}
		for k, v := range extra {
			if v == "<delete>" {
				delete(d, k)
				continue
			}
			d[k] = v
		}
		return d
	}
	cases := []struct {
		name  string
		data  core.Data
		field string
	}{
		{"minimal", base(nil), ""},
		{"required missing", base(core.Data{"req": "<delete>"}), "req"},
		{"required null", base(core.Data{"req": nil}), "req"},
		{"slice required missing", base(core.Data{"list": "<delete>"}), "list"},
		{"slice may be null", base(core.Data{"list": nil}), ""},
		{"pointer null", base(core.Data{"ptr": nil}), ""},
		{"pointer kind", base(core.Data{"ptr": 1.0}), "ptr"},
		{"string kind", base(core.Data{"req": 1.0}), "req"},
		{"int ok", base(core.Data{"int": 3.0}), ""},
		{"int fraction", base(core.Data{"int": 3.5}), "int"},
		{"int from string", base(core.Data{"int": "3"}), "int"},
		{"int json.Number", base(core.Data{"int": json.Number("12")}), ""},
		{"int go int", base(core.Data{"int": 12}), ""},
		{"int8 range", base(core.Data{"int8": 128.0}), "int8"},
		{"int8 low", base(core.Data{"int8": -128.0}), ""},
		{"uint negative", base(core.Data{"uint": -1.0}), "uint"},
		{"float", base(core.Data{"float": 1.5}), ""},
		{"float kind", base(core.Data{"float": true}), "float"},
		{"bool", base(core.Data{"bool": false}), ""},
		{"bool kind", base(core.Data{"bool": "true"}), "bool"},
		{"time is text", base(core.Data{"when": "2024-01-01T00:00:00Z"}), ""},
		{"time kind", base(core.Data{"when": 1.0}), "when"},
		{"bytes are base64 text", base(core.Data{"bytes": "aGk="}), ""},
		{"slice element", base(core.Data{"ints": []any{1.0, "x"}}), "ints[1]"},
		{"slice kind", base(core.Data{"ints": map[string]any{}}), "ints"},
		{"map value", base(core.Data{"counts": map[string]any{"a": "x"}}), "counts.<key>"},
		{"nested struct", base(core.Data{"addr": map[string]any{"street": "s"}}), "addr.city"},
		{"nested kind", base(core.Data{"addr": "here"}), "addr"},
		{"nested list", base(core.Data{"addrs": []any{map[string]any{"street": "s", "city": "c"}, map[string]any{"street": 1.0, "city": "c"}}}), "addrs[1].street"},
		{"any takes anything", base(core.Data{"any": []any{1.0, nil}}), ""},
		{"raw takes anything", base(core.Data{"raw": 1.0}), ""},
		{"string option", base(core.Data{"quoted": "12"}), ""},
		{"string option kind", base(core.Data{"quoted": 12.0}), "quoted"},
		{"untagged name", base(core.Data{"NoTag": 1.0}), "NoTag"},
		{"dash name", base(core.Data{"-": 1.0}), "-"},
		{"skipped field ignored", base(core.Data{"Skipped": 1.0}), ""},
		{"extra field ignored", base(core.Data{"extra": 1.0}), ""},
		{"labels", base(core.Data{"labels": map[string]any{"a": "b"}}), ""},
		{"default not required", base(core.Data{"def": "<delete>"}), ""},
		{"default kind", base(core.Data{"def": 1.0}), "def"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkValidation(t, m, "K", "1.0.0", tc.data, tc.field) })
	}
}

type eBase struct {
	ID      string `json:"id"`
	Created string `json:"created,omitempty"`
}

type eNote struct {
	Note string `json:"note"`
}

type eTagged struct {
	X string `json:"x"`
}

type eLeft struct{ Both string }
type eRight struct{ Both int }

type eTaggedWins struct {
	Name string `json:"Who"`
}
type eUntagged struct{ Who int }

type eDeep struct {
	eBase        // unexported embedded struct: its fields still count
	Deep  string `json:"deep"`
}

type eEmbeds struct {
	eBase               // flattened; its "id" is hidden by ID below
	*eNote              // embedded pointer: flattened too
	eLeft               // "Both" conflicts with eRight at the same depth: dropped
	eRight              //
	eTaggedWins         // tagged "Who" beats the untagged Who at the same depth
	eUntagged           //
	Tagged      eTagged `json:"tagged"` // a tag makes it a named field
	ID          int     `json:"id"`     // shallower than eBase.ID: wins
	Wrapped     eDeep   `json:"wrapped,omitempty"`
}

func TestRegisterEmbeddedStructs(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[eEmbeds](m, "E", "1.0.0"))
	ok := core.Data{"id": 1.0, "note": "n", "tagged": map[string]any{"x": "y"}, "Who": "w"}
	cases := []struct {
		name  string
		edit  func(core.Data)
		field string
	}{
		{"all there", func(core.Data) {}, ""},
		{"shallow field wins", func(d core.Data) { d["id"] = "not an int" }, "id"},
		{"pointer-embedded field", func(d core.Data) { delete(d, "note") }, "note"},
		{"tagged embedded is a named object", func(d core.Data) { d["tagged"] = map[string]any{} }, "tagged.x"},
		{"embedded optional", func(d core.Data) { d["created"] = 1.0 }, "created"},
		{"conflicting names are dropped", func(d core.Data) { d["Both"] = []any{} }, ""},
		{"tagged beats untagged", func(d core.Data) { d["Who"] = 1.0 }, "Who"},
		{"nested embedded", func(d core.Data) { d["wrapped"] = map[string]any{"deep": "d"} }, "wrapped.id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := clone(t, ok)
			tc.edit(d)
			checkValidation(t, m, "E", "1.0.0", d, tc.field)
		})
	}
	// encoding/json agrees with the field names used above.
	b, err := json.Marshal(eEmbeds{ID: 1, eNote: &eNote{Note: "n"}})
	mustOK(t, err)
	var keys map[string]any
	mustOK(t, json.Unmarshal(b, &keys))
	for _, k := range []string{"id", "note", "tagged", "Who", "created", "wrapped"} {
		if _, ok := keys[k]; !ok && k != "created" {
			t.Errorf("encoding/json has no %q: %s", k, b)
		}
	}
	if _, ok := keys["Both"]; ok {
		t.Errorf("encoding/json kept the ambiguous field Both: %s", b)
	}
}

type rRecursive struct {
	Name string       `json:"name"`
	Kids []rRecursive `json:"kids,omitempty"`
}

func TestRegisterRecursiveType(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[rRecursive](m, "Tree", "1.0.0"))
	kid := map[string]any{"name": "k", "kids": []any{map[string]any{"kids": []any{}}}}
	checkValidation(t, m, "Tree", "1.0.0", core.Data{"name": "root", "kids": []any{kid}}, "kids[0].kids[0].name")
}

func TestRegisterErrors(t *testing.T) {
	type badDefault struct {
		N int `json:"n" default:"nope"`
	}
	type wrongDefault struct {
		N int `json:"n" default:"\"text\""`
	}
	type nullDefault struct {
		N *int `json:"n" default:"null"`
	}
	m := core.NewManager()
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"not a struct", core.Register[int](m, "M", "1.0.0"), core.ErrInvalidModel},
		{"bad version", core.Register[tUserV1](m, "M", "1.0"), core.ErrInvalidVersion},
		{"empty model", core.Register[tUserV1](m, "", "1.0.0"), core.ErrInvalidModel},
		{"default not JSON", core.Register[badDefault](m, "M", "1.0.0"), core.ErrInvalidModel},
		{"default of the wrong kind", core.Register[wrongDefault](m, "M", "1.0.0"), core.ErrInvalidModel},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.want) {
				t.Fatalf("err = %v, want %v", tc.err, tc.want)
			}
		})
	}
	if got := m.Models(); len(got) != 0 {
		t.Fatalf("failed registrations left models behind: %v", got)
	}
	mustOK(t, core.Register[nullDefault](m, "M", "1.0.0"))
	mustOK(t, core.Register[*tUserV1](m, "P", "1.0.0")) // a pointer type is its struct
	checkValidation(t, m, "P", "1.0.0", core.Data{}, "name")
}

func TestRegisterDuplicates(t *testing.T) {
	m := core.NewManager()
	mustOK(t, core.Register[tUserV1](m, "User", "1.0.0"))
	err := core.Register[tUserV2](m, "User", "1.0.0")
	if !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Fatalf("second Register = %v, want ErrAlreadyRegistered", err)
	}
	err = m.RegisterSchema("User", "1.0.0", core.Schema{})
	if !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Fatalf("RegisterSchema over a Go model = %v, want ErrAlreadyRegistered", err)
	}
	// The first registration stays in force.
	checkValidation(t, m, "User", "1.0.0", core.Data{"name": "x"}, "")
	checkValidation(t, m, "User", "1.0.0", core.Data{"first": "x", "last": "y"}, "name")

	first := func(_ context.Context, d core.Data) (core.Data, error) { d["by"] = "first"; return d, nil }
	second := func(_ context.Context, d core.Data) (core.Data, error) { d["by"] = "second"; return d, nil }
	mustOK(t, m.RegisterMigration("User", "1.0.0", "2.0.0", first))
	if err := m.RegisterMigration("User", "1.0.0", "2.0.0", second); !errors.Is(err, core.ErrAlreadyRegistered) {
		t.Fatalf("second RegisterMigration = %v, want ErrAlreadyRegistered", err)
	}
	mustOK(t, m.RegisterMigration("User", "2.0.0", "1.0.0", second)) // the other direction is another pair
	out, err := m.MigrateData(context.Background(), core.Data{}, "User", "1.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, out["by"], "first")

	bad := []struct {
		name     string
		model    string
		from, to string
		fn       core.MigrationFunc
		want     error
	}{
		{"bad from", "User", "1", "2.0.0", first, core.ErrInvalidVersion},
		{"bad to", "User", "1.0.0", "v2", first, core.ErrInvalidVersion},
		{"nil function", "User", "1.0.0", "3.0.0", nil, core.ErrInvalidModel},
		{"same version", "User", "1.0.0", "1.0.0", first, core.ErrInvalidModel},
		{"empty model", "", "1.0.0", "2.0.0", first, core.ErrInvalidModel},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if err := m.RegisterMigration(tc.model, tc.from, tc.to, tc.fn); !errors.Is(err, tc.want) {
				t.Fatalf("RegisterMigration = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRegisterSchema(t *testing.T) {
	m := core.NewManager()
	mustOK(t, m.RegisterSchema("Item", "1.0.0", core.Schema{Fields: []core.Field{
		{Name: "sku", Required: true, Kind: core.KindString},
		{Name: "qty", Kind: core.KindInteger, Default: json.RawMessage(`1`)},
	}}))
	mustOK(t, m.RegisterSchema("Order", "1.0.0", core.Schema{Fields: []core.Field{
		{Name: "id", Required: true, Kind: core.KindInteger},
		{Name: "paid", Kind: core.KindBool},
		{Name: "total", Kind: core.KindNumber},
		{Name: "meta", Kind: core.KindObject},
		{Name: "tags", Kind: core.KindArray},
		{Name: "note", Required: true, Default: json.RawMessage(`"none"`)}, // a default makes it optional
		{Name: "items", Model: "Item", ModelVersion: "1.0.0", List: true},
		{Name: "main", Model: "Item", ModelVersion: "1.0.0"},
	}}))
	cases := []struct {
		name  string
		data  core.Data
		field string
	}{
		{"minimal", core.Data{"id": 1.0}, ""},
		{"required", core.Data{}, "id"},
		{"required null", core.Data{"id": nil}, "id"},
		{"optional null", core.Data{"id": 1.0, "paid": nil}, ""},
		{"integer", core.Data{"id": 1.5}, "id"},
		{"bool", core.Data{"id": 1.0, "paid": "yes"}, "paid"},
		{"number", core.Data{"id": 1.0, "total": "1"}, "total"},
		{"object", core.Data{"id": 1.0, "meta": []any{}}, "meta"},
		{"array", core.Data{"id": 1.0, "tags": map[string]any{}}, "tags"},
		{"nested list ok", core.Data{"id": 1.0, "items": []any{map[string]any{"sku": "a"}}}, ""},
		{"nested list item", core.Data{"id": 1.0, "items": []any{map[string]any{"sku": "a"}, map[string]any{"qty": 2.0}}}, "items[1].sku"},
		{"nested list kind", core.Data{"id": 1.0, "items": map[string]any{}}, "items"},
		{"nested object", core.Data{"id": 1.0, "main": map[string]any{"sku": 3.0}}, "main.sku"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkValidation(t, m, "Order", "1.0.0", tc.data, tc.field) })
	}

	bad := []struct {
		name string
		s    core.Schema
	}{
		{"no name", core.Schema{Fields: []core.Field{{Kind: core.KindString}}}},
		{"twice", core.Schema{Fields: []core.Field{{Name: "a"}, {Name: "a"}}}},
		{"bad default", core.Schema{Fields: []core.Field{{Name: "a", Default: json.RawMessage(`{`)}}}},
		{"bad nested version", core.Schema{Fields: []core.Field{{Name: "a", Model: "Item", ModelVersion: "1"}}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if err := m.RegisterSchema("Bad", "1.0.0", tc.s); !errors.Is(err, core.ErrInvalidModel) {
				t.Fatalf("RegisterSchema = %v, want ErrInvalidModel", err)
			}
		})
	}
	if err := m.RegisterSchema("Bad", "1", core.Schema{}); !errors.Is(err, core.ErrInvalidVersion) {
		t.Fatalf("RegisterSchema(bad version) = %v", err)
	}
	if err := m.RegisterSchema("", "1.0.0", core.Schema{}); !errors.Is(err, core.ErrInvalidModel) {
		t.Fatalf("RegisterSchema(empty model) = %v", err)
	}
}

func TestValidateErrors(t *testing.T) {
	m := userManager(t)
	if err := m.Validate(core.Data{}, "Nope", "1.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("unknown model: %v", err)
	}
	if err := m.Validate(core.Data{}, "User", "9.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("unknown version: %v", err)
	}
	if err := m.Validate(core.Data{}, "User", "9.0"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Fatalf("bad version: %v", err)
	}
	if err := m.Validate(nil, "User", "1.0.0"); !errors.Is(err, core.ErrInvalidData) {
		t.Fatalf("nil data: %v", err)
	}
}

func TestMapKeysAndAnyValues(t *testing.T) {
	type keyed struct {
		ByID   map[int]string   `json:"by_id,omitempty"`
		BySize map[uint8]string `json:"by_size,omitempty"`
		Free   map[string]any   `json:"free,omitempty"`
		List   []any            `json:"list,omitempty"`
		Arr    [2]any           `json:"arr,omitzero"`
		Bad    map[bool]int     `json:"bad,omitempty"`
	}
	m := core.NewManager()
	mustOK(t, core.Register[keyed](m, "K", "1.0.0"))
	cases := []struct {
		name  string
		data  core.Data
		field string
	}{
		{"int keys", core.Data{"by_id": map[string]any{"1": "a", "-2": "b"}}, ""},
		{"not an int key", core.Data{"by_id": map[string]any{"x": "a"}}, "by_id.<key>"},
		{"int key, wrong value", core.Data{"by_id": map[string]any{"1": 2.0}}, "by_id.<key>"},
		{"uint8 key out of range", core.Data{"by_size": map[string]any{"256": "a"}}, "by_size.<key>"},
		{"any values", core.Data{"free": map[string]any{"a": []any{nil, 1.0}}}, ""},
		{"any values, not an object", core.Data{"free": []any{}}, "free"},
		{"any elements", core.Data{"list": []any{nil, "x", map[string]any{}}}, ""},
		{"any elements, not an array", core.Data{"list": "x"}, "list"},
		{"array of any", core.Data{"arr": []any{1.0, "x"}}, ""},
		{"a key type with no JSON form", core.Data{"bad": map[string]any{}}, "bad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkValidation(t, m, "K", "1.0.0", tc.data, tc.field) })
	}
}

// Records built in Go may hold any Go number: each one validates as a
// number, and a whole one as an integer.
func TestValidateGoNumbers(t *testing.T) {
	type nums struct {
		I int     `json:"i"`
		F float64 `json:"f"`
	}
	m := core.NewManager()
	mustOK(t, core.Register[nums](m, "N", "1.0.0"))
	for _, v := range []any{int8(-3), int16(300), int32(7), int64(9), int(1), uint8(200), uint16(60000), uint32(5), uint64(6), uint(2), float32(4)} {
		if err := m.Validate(core.Data{"i": v, "f": v}, "N", "1.0.0"); err != nil {
			t.Errorf("%T %v: %v", v, v, err)
		}
	}
	if err := m.Validate(core.Data{"i": float32(1.5), "f": 1.0}, "N", "1.0.0"); err == nil {
		t.Error("1.5 accepted as an int")
	}
}

// TestWithDescription: the description of a map step and of a typed step
// are listed by Migrations; an auto step and a step without one have
// none; a nil option is ignored.
func TestWithDescription(t *testing.T) {
	type a1 struct {
		Name string `json:"name"`
	}
	type a2 struct {
		Name string `json:"name"`
		Age  int64  `json:"age" default:"0"`
	}
	type a3 struct {
		Name string `json:"name"`
		Age  int64  `json:"age"`
		Nick string `json:"nick" default:"\"\""`
	}
	m := core.NewManager()
	mustOK(t, errors.Join(
		core.Register[a1](m, "A", "1.0.0"),
		core.Register[a2](m, "A", "2.0.0"),
		core.Register[a3](m, "A", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("A", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil },
			core.WithDescription("The age is added, 0 when unknown"), nil),
		core.RegisterTyped(m, "A", "2.0.0", "1.0.0", func(_ context.Context, v a2) (a1, error) { return a1{Name: v.Name}, nil },
			core.WithDescription("The age is dropped")),
	))
	got, err := m.Migrations("A")
	mustOK(t, err)
	want := []core.Migration{
		{From: ver("1.0.0"), To: ver("2.0.0"), Description: "The age is added, 0 when unknown"},
		{From: ver("2.0.0"), To: ver("1.0.0"), Description: "The age is dropped"},
		{From: ver("2.0.0"), To: ver("3.0.0"), Auto: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Migrations:\n got %+v\nwant %+v", got, want)
	}
}

func ver(s string) core.Version {
	v, err := core.ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}
