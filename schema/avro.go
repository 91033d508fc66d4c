package schema

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Avro returns the Avro schema (.avsc) of a registered model version: a
// record in the namespace of [WithNamespace] whose nested models are
// records defined at their first use and named afterwards. A field that a
// record may lack or hold null in is a union ["null", T] with default
// null; integers are long, numbers double, times long with logicalType
// timestamp-micros, bytes bytes. A value of no declared type (any, or an
// object with no declared fields) is a string holding its JSON text.
func Avro(m *core.Manager, model, version string, opts ...Option) ([]byte, error) {
	cfg := newConfig(opts)
	d, err := collect(m, model, version)
	if err != nil {
		return nil, err
	}
	a := &avroWriter{d: d, defined: map[string]bool{}}
	rec := a.record(d.names[refOf(d.root)], d.root.Fields)
	rec["namespace"] = namespace(cfg.namespace)
	return encodeJSON(rec)
}

type avroWriter struct {
	d       *document
	defined map[string]bool // record names already defined in the document
}

func (a *avroWriter) record(name string, fields []core.Field) map[string]any {
	a.defined[name] = true
	out := make([]any, 0, len(fields))
	for i := range fields {
		out = append(out, a.field(name, &fields[i]))
	}
	return map[string]any{"type": "record", "name": name, "fields": out}
}

func (a *avroWriter) field(parent string, f *core.Field) map[string]any {
	name := identifier(f.Name)
	t := a.typeOf(parent+"_"+name, f)
	out := map[string]any{"name": name}
	def, hasDef := avroDefault(f)
	switch {
	case avroNullable(f) && hasDef && def != nil:
		out["type"], out["default"] = []any{t, "null"}, def
	case avroNullable(f):
		out["type"], out["default"] = []any{"null", t}, nil
	case hasDef:
		out["type"], out["default"] = t, def
	case !f.Required:
		if z, ok := avroZero(f); ok { // a record may lack it: a reader fills the Go zero value
			out["default"] = z
		}
		out["type"] = t
	default:
		out["type"] = t
	}
	if f.Doc != "" {
		out["doc"] = f.Doc
	}
	return out
}

// avroNullable reports whether a field's Avro type is a union with null:
// the fields that hold null (a Go pointer), but not arrays, maps and bytes,
// which a Go struct holds as slices and maps that Avro encoders write as
// empty when nil (a union would not encode the struct at all), nor values
// of any type, written as JSON text.
func avroNullable(f *core.Field) bool {
	switch f.Kind {
	case core.KindArray, core.KindMap, core.KindBytes, core.KindAny:
		return false
	}
	return f.Nullable
}

// avroZero is the Avro default of a field that a record may lack: the Go
// zero value of its type.
func avroZero(f *core.Field) (any, bool) {
	switch f.Kind {
	case core.KindString, core.KindAny:
		return "", true
	case core.KindInteger, core.KindNumber, core.KindTime:
		return 0, true
	case core.KindBool:
		return false, true
	case core.KindBytes:
		return "", true
	case core.KindArray:
		return []any{}, true
	case core.KindMap:
		return map[string]any{}, true
	}
	return nil, false
}

// typeOf is the Avro type of a kind; inline is the name an inline object
// record takes.
func (a *avroWriter) typeOf(inline string, f *core.Field) any {
	switch f.Kind {
	case core.KindString, core.KindAny:
		return "string"
	case core.KindInteger:
		return "long"
	case core.KindNumber:
		return "double"
	case core.KindBool:
		return "boolean"
	case core.KindTime:
		return map[string]any{"type": "long", "logicalType": "timestamp-micros"}
	case core.KindBytes:
		return "bytes"
	case core.KindModel:
		s := a.d.schemaOf(f)
		name := a.d.nameOf(f)
		if a.defined[name] || s == nil {
			return name
		}
		return a.record(name, s.Fields)
	case core.KindObject:
		if f.Fields == nil {
			return "string"
		}
		return a.record(inline, f.Fields)
	case core.KindArray, core.KindMap:
		var items any = "string"
		if f.Elem != nil {
			items = a.typeOf(inline+"_item", f.Elem)
			if f.Elem.Nullable && f.Elem.Kind != core.KindAny {
				items = []any{"null", items}
			}
		}
		if f.Kind == core.KindArray {
			return map[string]any{"type": "array", "items": items}
		}
		return map[string]any{"type": "map", "values": items}
	}
	return "string"
}

// avroDefault converts a field's JSON default to its Avro form: a time
// is a count of microseconds; a value of no declared type is its JSON
// text.
func avroDefault(f *core.Field) (any, bool) {
	if f.Default == nil {
		return nil, false
	}
	var v any
	if json.Unmarshal(f.Default, &v) != nil {
		return nil, false
	}
	switch {
	case v == nil:
		return nil, true
	case f.Kind == core.KindTime:
		s, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, false
		}
		return t.UnixMicro(), true
	case f.Kind == core.KindAny || f.Kind == core.KindObject && f.Fields == nil:
		return string(f.Default), true
	}
	return v, true
}

// schemaOf returns the definition of a KindModel type.
func (d *document) schemaOf(f *core.Field) *core.Schema {
	for i := range d.defs {
		if d.defs[i].Model == f.Model && d.defs[i].Version.String() == f.ModelVersion {
			return &d.defs[i]
		}
	}
	if d.root.Model == f.Model && d.root.Version.String() == f.ModelVersion {
		return &d.root
	}
	return nil
}

// namespace makes ns a dotted name whose parts are identifiers.
func namespace(ns string) string {
	parts := strings.Split(ns, ".")
	for i, p := range parts {
		parts[i] = identifier(p)
	}
	return strings.Join(parts, ".")
}
