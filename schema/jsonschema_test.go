package schema_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

// compileJSON compiles a generated document as draft 2020-12, with
// formats asserted (date-time is then checked, as the engine checks
// times).
func compileJSON(t *testing.T, doc []byte) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("mem://schema.json", v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem://schema.json")
	if err != nil {
		t.Fatalf("the generated JSON Schema does not compile: %v\n%s", err, doc)
	}
	return s
}

func TestJSONSchemaCompiles(t *testing.T) {
	m := newManager()
	for _, model := range m.Models() {
		versions, _ := m.Versions(model)
		for _, v := range versions {
			doc, err := schema.JSON(m, model, v.String())
			if err != nil {
				t.Fatal(err)
			}
			compileJSON(t, doc)
		}
	}
}

// validUser3 is a record of User 3.0.0 that the engine accepts.
func validUser3() core.Data {
	return core.Data{
		"id": 7.0, "first_name": "Ada", "last_name": "Lovelace", "email": nil,
		"tags": []any{"a", "b"}, "scores": map[string]any{"x": 1.5},
		"home":   map[string]any{"street": "1 Main St", "city": "London", "postcode": nil},
		"past":   []any{map[string]any{"street": "2 Side St", "city": "Paris"}},
		"joined": "2026-01-02T03:04:05Z", "avatar": "AQID", "active": true, "level": 2.0,
		"meta": map[string]any{"k": []any{1.0, nil}}, "prefs": map[string]any{"theme": "dark"},
	}
}

// For a corpus of records, the generated JSON Schema and Manager.Validate
// give the same verdict, record by record.
func TestJSONSchemaAgreesWithValidate(t *testing.T) {
	m := newManager()
	doc, err := schema.JSON(m, "User", "3.0.0")
	if err != nil {
		t.Fatal(err)
	}
	s := compileJSON(t, doc)
	with := func(k string, v any) core.Data { d := validUser3(); d[k] = v; return d }
	without := func(k string) core.Data { d := validUser3(); delete(d, k); return d }
	corpus := map[string]core.Data{
		"valid":                     validUser3(),
		"extra field":               with("nickname", "Ada"),
		"optional fields left out":  without("tags"),
		"defaulted field left out":  without("level"),
		"missing required":          without("first_name"),
		"missing nested model":      without("home"),
		"wrong type":                with("first_name", 5.0),
		"1.5 for an integer":        with("id", 1.5),
		"1.0 for an integer":        with("id", 1.0),
		"null, not nullable":        with("last_name", nil),
		"null, nullable":            with("email", nil),
		"null in a list of strings": with("tags", []any{"a", nil}),
		"wrong list element":        with("tags", []any{"a", 2.0}),
		"wrong map value":           with("scores", map[string]any{"x": "high"}),
		"nested error":              with("home", map[string]any{"street": "x", "city": 5.0}),
		"nested missing field":      with("home", map[string]any{"street": "x"}),
		"nested extra field":        with("home", map[string]any{"street": "x", "city": "y", "floor": 2.0}),
		"error in a nested list":    with("past", []any{map[string]any{"street": "x"}}),
		"bad date-time":             with("joined", "yesterday"),
		"date-time not a string":    with("joined", 5.0),
		"inline object error":       with("prefs", map[string]any{"theme": true}),
		"inline object missing":     with("prefs", map[string]any{}),
		"object, not an array":      with("tags", map[string]any{}),
		"any value in meta":         with("meta", map[string]any{"deep": map[string]any{"x": []any{}}}),
		"bool, not an integer":      with("level", true),
	}
	invalid := 0
	for name, d := range corpus {
		engine := m.Validate(d, "User", "3.0.0")
		b, _ := json.Marshal(d)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		generated := s.Validate(inst)
		if (engine == nil) != (generated == nil) {
			t.Errorf("%s: Manager.Validate says %v; the JSON Schema says %v", name, engine, generated)
		}
		if engine != nil {
			invalid++
		}
	}
	if invalid < 15 {
		t.Errorf("only %d invalid records in the corpus", invalid)
	}
}
