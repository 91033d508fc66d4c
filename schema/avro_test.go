package schema_test

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

func parseAvro(t *testing.T, m *core.Manager, model, version string) avro.Schema {
	t.Helper()
	doc, err := schema.Avro(m, model, version, schema.WithNamespace("com.example.users"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := avro.ParseBytes(doc)
	if err != nil {
		t.Fatalf("%s %s: the generated .avsc does not parse: %v\n%s", model, version, err, doc)
	}
	return s
}

func TestAvroParses(t *testing.T) {
	m := newManager()
	for _, model := range m.Models() {
		versions, _ := m.Versions(model)
		for _, v := range versions {
			parseAvro(t, m, model, v.String())
		}
	}
}

// A record the engine accepts encodes and decodes through the schema.
func TestAvroRoundTrip(t *testing.T) {
	m := newManager()
	s := parseAvro(t, m, "User", "3.0.0")
	in := validUser3()
	if err := m.Validate(in, "User", "3.0.0"); err != nil {
		t.Fatal(err)
	}
	native := toAvro(t, s, in)
	b, err := avro.Marshal(s, native)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var out map[string]any
	if err := avro.Unmarshal(s, b, &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if out["first_name"] != "Ada" || out["id"] != int64(7) || !out["joined"].(time.Time).Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("decoded %v", out)
	}
	home := out["home"].(map[string]any)
	if home["city"] != "London" || home["postcode"] != nil {
		t.Errorf("decoded home %v", home)
	}
	if avatar := out["avatar"]; !reflect.DeepEqual(avatar, []byte{1, 2, 3}) { // a nullable union decodes to its value
		t.Errorf("decoded avatar %v", avatar)
	}
}

// toAvro converts a record as decoded from JSON to the values hamba's
// generic encoding takes, guided by the schema: unions as a map from the
// branch's name to the value, times as time.Time, bytes from base64,
// values of no declared type as their JSON text.
func toAvro(t *testing.T, s avro.Schema, v any) any {
	t.Helper()
	switch s := s.(type) {
	case *avro.RecordSchema:
		rec, _ := v.(map[string]any)
		out := map[string]any{}
		for _, f := range s.Fields() {
			val, ok := rec[f.Name()]
			if !ok && f.HasDefault() {
				val = f.Default()
			}
			out[f.Name()] = toAvro(t, f.Type(), val)
		}
		return out
	case *avro.UnionSchema:
		if v == nil {
			return map[string]any(nil)
		}
		for _, b := range s.Types() {
			if b.Type() != avro.Null {
				return map[string]any{branchName(b): toAvro(t, b, v)}
			}
		}
	case *avro.ArraySchema:
		var out []any
		for _, e := range v.([]any) {
			out = append(out, toAvro(t, s.Items(), e))
		}
		return out
	case *avro.MapSchema:
		out := map[string]any{}
		for k, e := range v.(map[string]any) {
			out[k] = toAvro(t, s.Values(), e)
		}
		return out
	case *avro.PrimitiveSchema:
		return primitive(t, s, v)
	case *avro.RefSchema: // a record named after its definition
		return toAvro(t, s.Schema(), v)
	}
	t.Fatalf("no conversion of %v to %s", v, s.String())
	return nil
}

func primitive(t *testing.T, s *avro.PrimitiveSchema, v any) any {
	switch {
	case s.Logical() != nil && s.Logical().Type() == avro.TimestampMicros:
		tm, err := time.Parse(time.RFC3339Nano, v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	case s.Type() == avro.Long:
		return int64(v.(float64))
	case s.Type() == avro.Bytes:
		b, err := base64.StdEncoding.DecodeString(v.(string))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case s.Type() == avro.String:
		if str, ok := v.(string); ok {
			return str
		}
		b, _ := json.Marshal(v) // a value of no declared type: its JSON text
		return string(b)
	}
	return v
}

func branchName(s avro.Schema) string {
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// For adjacent versions, hamba's reader/writer compatibility check (can
// the new version read what the old one wrote?) agrees with Breaking(),
// but for removed fields: Avro readers skip them, while Breaking() warns
// that the migration loses their data.
func TestAvroCompatibilityAgreesWithBreaking(t *testing.T) {
	m := newManager()
	compat := avro.NewSchemaCompatibility()
	for _, pair := range [][3]string{{"User", "1.0.0", "2.0.0"}, {"User", "2.0.0", "3.0.0"}, {"Address", "1.0.0", "2.0.0"}} {
		model, from, to := pair[0], pair[1], pair[2]
		diff, err := schema.Compare(m, model, from, to)
		if err != nil {
			t.Fatal(err)
		}
		breaking := slices.DeleteFunc(diff.Breaking(), func(s string) bool { return strings.HasPrefix(s, "Removed fields") })
		avroErr := compat.Compatible(parseAvro(t, m, model, to), parseAvro(t, m, model, from))
		if (avroErr == nil) != (len(breaking) == 0) {
			t.Errorf("%s %s → %s: Avro says %v; Breaking() says %q", model, from, to, avroErr, breaking)
		}
	}
}
