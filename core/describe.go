package core

import (
	"reflect"
	"slices"
)

// describe returns the description of the values of Go type t, as a
// Field with no name: the same rules the checks of compile.go follow, so
// that Manager.Schema says what validation accepts.
func (c *compiler) describe(t reflect.Type) Field {
	if t == timeType {
		return Field{Kind: KindTime}
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		if pt.Implements(textUnmarshaler) {
			return Field{Kind: KindString}
		}
		if pt.Implements(jsonUnmarshaler) {
			return Field{Kind: KindAny, Nullable: true}
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return Field{Kind: KindAny, Nullable: true}
	case reflect.Pointer:
		d := c.describe(t.Elem())
		d.Nullable = true
		return d
	case reflect.String:
		return Field{Kind: KindString}
	case reflect.Bool:
		return Field{Kind: KindBool}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Field{Kind: KindInteger, Bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return Field{Kind: KindInteger, Bits: t.Bits(), Unsigned: true}
	case reflect.Float32, reflect.Float64:
		return Field{Kind: KindNumber}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return Field{Kind: KindBytes, Nullable: true}
		}
		elem := c.describe(t.Elem())
		return Field{Kind: KindArray, Nullable: t.Kind() == reflect.Slice, Elem: &elem}
	case reflect.Map:
		elem := c.describe(t.Elem())
		return Field{Kind: KindMap, Nullable: true, Elem: &elem}
	case reflect.Struct:
		return c.describeStruct(t)
	}
	return Field{Kind: KindAny} // no JSON form: the check rejects every value
}

// describeStruct describes a struct: an object of its fields, or, for a
// struct met again inside itself, an object whose fields are not repeated
// (Manager.Schema names it when it is a registered model).
func (c *compiler) describeStruct(t reflect.Type) Field {
	d := Field{Kind: KindObject, goType: t}
	if c.describing[t] {
		return d
	}
	if c.describing == nil {
		c.describing = map[reflect.Type]bool{}
	}
	c.describing[t] = true
	defer delete(c.describing, t)
	fields, err := c.structFields(t)
	if err != nil {
		return d
	}
	d.Fields = make([]Field, len(fields))
	for i := range fields {
		d.Fields[i] = fields[i].desc
	}
	return d
}

// Schema returns the description of a registered model version, whether
// it was registered from a Go struct ([Register]) or at run time
// ([Manager.RegisterSchema]): its fields in declaration order, with nested
// registered models named (Kind [KindModel], with their resolved version)
// and every default, as validation uses them. The result is the caller's
// to modify. It fails with an error matching [ErrInvalidVersion] or
// [ErrModelNotFound].
func (m *Manager) Schema(model, version string) (Schema, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return Schema{}, err
	}
	reg := m.registry()
	mv, err := reg.modelVersion(model, v)
	if err != nil {
		return Schema{}, err
	}
	s := Schema{Model: model, Version: v, Fields: make([]Field, len(mv.fields))}
	for i := range mv.fields {
		s.Fields[i] = reg.resolved(mv.fields[i].desc, v)
	}
	return s, nil
}

// resolved returns a deep copy of f in which a Go struct that is a
// registered model becomes a KindModel field naming it, and a model
// version left to the enclosing one is set.
func (r *registry) resolved(f Field, enclosing Version) Field {
	if f.goType != nil {
		if model, v, ok := r.resolveType(f.goType, enclosing); ok {
			f.Kind, f.Model, f.ModelVersion, f.Fields = KindModel, model, v.String(), nil
		}
		f.goType = nil
	}
	if f.Kind == KindModel && f.ModelVersion == "" {
		f.ModelVersion = enclosing.String()
	}
	if f.Elem != nil {
		e := r.resolved(*f.Elem, enclosing)
		f.Elem = &e
	}
	if f.Fields != nil {
		fields := make([]Field, len(f.Fields))
		for i := range f.Fields {
			fields[i] = r.resolved(f.Fields[i], enclosing)
		}
		f.Fields = fields
	}
	f.Default = slices.Clone(f.Default)
	return f
}
