package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/transmute-go/transmute/core"
)

// Draft is the JSON Schema dialect of [JSON].
const Draft = "https://json-schema.org/draft/2020-12/schema"

// JSON returns the JSON Schema (draft 2020-12) of a registered model
// version: an object with its properties, the required ones listed,
// defaults and docs, extra properties allowed (records keep fields they
// do not declare), and the nested models it uses under $defs. The
// [WithTransform] functions run on the document before it is encoded,
// with sorted keys and a final newline.
func JSON(m *core.Manager, model, version string, opts ...Option) ([]byte, error) {
	cfg := newConfig(opts)
	d, err := collect(m, model, version)
	if err != nil {
		return nil, err
	}
	doc, err := cfg.transform(d.root, jsonDocument(d))
	if err != nil {
		return nil, err
	}
	return encodeJSON(doc)
}

// jsonDocument builds the JSON Schema of d as a tree of maps.
func jsonDocument(d *document) map[string]any {
	doc := jsonObject(d, d.root.Fields)
	doc["$schema"] = Draft
	doc["title"] = d.root.Model + " " + d.root.Version.String()
	if len(d.defs) > 0 {
		defs := map[string]any{}
		for _, s := range d.defs {
			def := jsonObject(d, s.Fields)
			def["title"] = s.Model + " " + s.Version.String()
			defs[d.names[refOf(s)]] = def
		}
		doc["$defs"] = defs
	}
	return doc
}

// jsonObject is the schema of an object of fields.
func jsonObject(d *document, fields []core.Field) map[string]any {
	props := map[string]any{}
	required := []string{}
	for i := range fields {
		f := &fields[i]
		props[f.Name] = jsonField(d, f)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// jsonField is the schema of a field's value: its type, null when
// nullable, its default and its doc.
func jsonField(d *document, f *core.Field) map[string]any {
	s := jsonType(d, f)
	if f.Nullable && f.Kind != core.KindAny {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		} else {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
	}
	if f.Default != nil {
		var v any
		if json.Unmarshal(f.Default, &v) == nil {
			s["default"] = v
		}
	}
	if f.Doc != "" {
		s["description"] = f.Doc
	}
	return s
}

// jsonType is the schema of a kind.
func jsonType(d *document, f *core.Field) map[string]any {
	switch f.Kind {
	case core.KindString:
		return map[string]any{"type": "string"}
	case core.KindInteger:
		s := map[string]any{"type": "integer"}
		if lo, hi, ok := intRange(f); ok {
			s["minimum"], s["maximum"] = lo, hi
		} else if f.Unsigned {
			s["minimum"] = 0
		}
		return s
	case core.KindNumber:
		return map[string]any{"type": "number"}
	case core.KindBool:
		return map[string]any{"type": "boolean"}
	case core.KindTime:
		return map[string]any{"type": "string", "format": "date-time"}
	case core.KindBytes:
		return map[string]any{"type": "string", "contentEncoding": "base64"}
	case core.KindModel:
		if (ref{f.Model, f.ModelVersion}) == refOf(d.root) {
			return map[string]any{"$ref": "#"} // the document itself
		}
		return map[string]any{"$ref": "#/$defs/" + d.nameOf(f)}
	case core.KindObject:
		if f.Fields == nil {
			return map[string]any{"type": "object"}
		}
		return jsonObject(d, f.Fields)
	case core.KindArray:
		s := map[string]any{"type": "array"}
		if f.Elem != nil {
			s["items"] = jsonField(d, f.Elem)
		}
		return s
	case core.KindMap:
		s := map[string]any{"type": "object"}
		if f.Elem != nil {
			s["additionalProperties"] = jsonField(d, f.Elem)
		}
		return s
	}
	return map[string]any{} // any value
}

// transform runs the Transformers on a document, in order.
func (c *config) transform(s core.Schema, doc map[string]any) (map[string]any, error) {
	for _, fn := range c.transforms {
		out, err := fn(s.Model, s.Version, doc)
		if err != nil {
			return nil, fmt.Errorf("schema %s %s: transform: %w", s.Model, s.Version, err)
		}
		if out == nil {
			return nil, fmt.Errorf("schema %s %s: transform returned no document", s.Model, s.Version)
		}
		doc = out
	}
	return doc, nil
}

// encodeJSON encodes v indented by two spaces, keys sorted, HTML left
// unescaped, with a final newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("schema: encode: %w", err)
	}
	return b.Bytes(), nil
}

// intRange returns the bounds of an integer field of at most 32 bits.
func intRange(f *core.Field) (lo, hi int64, ok bool) {
	if f.Bits <= 0 || f.Bits > 32 {
		return 0, 0, false
	}
	if f.Unsigned {
		return 0, 1<<f.Bits - 1, true
	}
	return -(1 << (f.Bits - 1)), 1<<(f.Bits-1) - 1, true
}
