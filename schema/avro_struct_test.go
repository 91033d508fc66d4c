package schema_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

type gearV1 struct {
	Meta  map[string]int `json:"meta"`
	Tags  []string       `json:"tags,omitempty"`
	Blob  []byte         `json:"blob"`
	Score float64        `json:"score" default:"0"`
	Count int            `json:"count,omitempty"`
	Note  *string        `json:"note"`
	At    time.Time      `json:"at"`
	Home  AddressV2      `json:"home"`
	Past  []AddressV1    `json:"past"`
	Ptr   *AddressV1     `json:"ptr"`
}

// A version's Avro schema encodes and decodes values of the version's own
// Go struct with hamba/avro: nil and non-nil maps, slices and bytes,
// pointers, defaults, nested records.
func TestAvroEncodesTheGoStruct(t *testing.T) {
	m := core.NewManager()
	if err := core.Register[AddressV1](m, "Address", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := core.Register[AddressV2](m, "Address", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := core.Register[gearV1](m, "Gear", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	doc, err := schema.Avro(m, "Gear", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	api := avro.Config{TagKey: "json"}.Freeze() // the struct's json names are the schema's
	s, err := avro.ParseBytes(doc)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	note, pc := "n", "SW1"
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, in := range map[string]gearV1{
		"zero": {At: at},
		"full": {
			Meta: map[string]int{"a": 1}, Tags: []string{"x"}, Blob: []byte{1, 2}, Score: 2.5, Count: 3, Note: &note, At: at,
			Home: AddressV2{Street: "s", City: "c", Postcode: &pc}, Past: []AddressV1{{Street: "p", City: "q"}}, Ptr: &AddressV1{City: "z"},
		},
	} {
		b, err := api.Marshal(s, in)
		if err != nil {
			t.Fatalf("%s: encode: %v\n%s", name, err, doc)
		}
		var out gearV1
		if err := api.Unmarshal(s, b, &out); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		out.At, in.At = out.At.UTC(), in.At.UTC()
		if name == "full" && !reflect.DeepEqual(out, in) {
			t.Errorf("%s: decoded %+v, want %+v", name, out, in)
		}
	}
}

// One rule for null in a field that has a default or may be left out: it
// may be missing, not null, for Validate, the JSON Schema and Avro alike.
func TestNullInADefaultedField(t *testing.T) {
	m := core.NewManager()
	type scored struct {
		Score float64 `json:"score" default:"0"`
	}
	if err := core.Register[scored](m, "S", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(core.Data{"score": nil}, "S", "1.0.0"); err == nil {
		t.Error("Validate accepts null in a defaulted, non-nullable field")
	}
	if err := m.Validate(core.Data{}, "S", "1.0.0"); err != nil {
		t.Errorf("Validate refuses the field left out: %v", err)
	}
	doc, _ := schema.JSON(m, "S", "1.0.0")
	js := compileJSON(t, doc)
	if err := js.Validate(map[string]any{"score": nil}); err == nil {
		t.Error("the JSON Schema accepts null")
	}
	avsc, _ := schema.Avro(m, "S", "1.0.0")
	as, err := avro.ParseBytes(avsc)
	if err != nil {
		t.Fatal(err)
	}
	if typ := as.(*avro.RecordSchema).Fields()[0].Type().Type(); typ != avro.Double {
		t.Errorf("the Avro field is %s, want a plain double", typ)
	}
}
