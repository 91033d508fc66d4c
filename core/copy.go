package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
)

// maxCopyDepth bounds the nesting that Copy follows: as deep as
// encoding/json decodes (10000), and a map that contains itself fails
// cleanly instead of overflowing the stack.
const maxCopyDepth = 10_000

// errTooDeep is the panic value of a copy that went deeper than
// maxCopyDepth; it never leaves this package as a panic.
var errTooDeep = errors.New("data nested too deeply, or containing itself")

// Copy returns a copy of d that shares no map or slice with it. Maps,
// slices and arrays of any type are copied (decoded JSON has only
// map[string]any and []any, which take a fast path), and so are what
// pointers point to and the exported fields of structs (unexported fields
// are copied as values); channels and functions are shared. Data
// nested more than 10000 levels deep, as a map that contains itself is,
// is an error matching [ErrInvalidData]. Copy(nil) is nil.
func Copy(d Data) (Data, error) {
	out, err := copyData(d)
	if err != nil {
		return nil, fmt.Errorf("copy: %w: %w", ErrInvalidData, err)
	}
	return out, nil
}

// copyTop copies a record. Its map has room for one key more than d: a
// migration that adds a field (or renames one, adding the new name before
// deleting the old) then does not rehash the map on its first insert.
func copyTop(d Data) Data {
	if d == nil {
		return nil
	}
	out := make(Data, len(d)+1)
	for k, v := range d {
		out[k] = copyValue(v, 1)
	}
	return out
}

// copyData is copyTop with an error instead of the panic. It runs for
// every migration: a deferred call, no closure.
func copyData(d Data) (out Data, err error) {
	defer recoverTooDeep(&err)
	return copyTop(d), nil
}

// copyAny is copyValue with an error instead of the panic.
func copyAny(v any) (out any, err error) {
	defer recoverTooDeep(&err)
	return copyValue(v, 0), nil
}

// recoverTooDeep, deferred, turns the panic of a copy that went too deep
// into *err (and the copy's result into its zero value, since the
// function returns nothing else); any other panic goes on.
func recoverTooDeep(err *error) {
	if r := recover(); r != nil {
		if r != errTooDeep {
			panic(r)
		}
		*err = errTooDeep
	}
}

func copyMap(d map[string]any, depth int) map[string]any {
	if d == nil {
		return nil
	}
	if depth >= maxCopyDepth {
		panic(errTooDeep)
	}
	out := make(map[string]any, len(d))
	for k, v := range d {
		out[k] = copyValue(v, depth+1)
	}
	return out
}

func deepCopyValue(v any) any { return copyValue(v, 0) }

func copyValue(v any, depth int) any {
	switch x := v.(type) {
	case nil, string, float64, bool, int, int64, json.Number:
		return v
	case map[string]any:
		return copyMap(x, depth)
	case []any, []map[string]any:
		if depth >= maxCopyDepth {
			panic(errTooDeep)
		}
		out, _, _ := mapElems(v, func(e any) (any, error) { return copyValue(e, depth+1), nil })
		return out
	case []string:
		if x == nil {
			return x
		}
		return append([]string(nil), x...)
	case map[string]string:
		return maps.Clone(x)
	}
	return reflectCopy(reflect.ValueOf(v), depth).Interface()
}

// reflectCopy copies maps and slices of any other type.
func reflectCopy(v reflect.Value, depth int) reflect.Value {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
		if depth >= maxCopyDepth {
			panic(errTooDeep)
		}
	}
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), copyElem(it.Value(), v.Type().Elem(), depth+1))
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(copyElem(v.Index(i), v.Type().Elem(), depth+1))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(copyElem(v.Index(i), v.Type().Elem(), depth+1))
		}
		return out
	case reflect.Struct:
		return structCopy(v, depth)
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(reflectCopy(v.Elem(), depth+1))
		return out
	}
	return v
}

// structCopy copies a struct: its exported fields deeply, its unexported
// ones as they are (no package but the struct's own can reach them).
func structCopy(v reflect.Value, depth int) reflect.Value {
	t := v.Type()
	out := reflect.New(t).Elem()
	out.Set(v)
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && !isPlain(f.Type) {
			out.Field(i).Set(copyElem(v.Field(i), f.Type, depth+1))
		}
	}
	return out
}

// isPlain reports whether a value of t shares no memory when copied.
func isPlain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer, reflect.Interface:
		return false
	}
	return true
}

func copyElem(e reflect.Value, t reflect.Type, depth int) reflect.Value {
	if t.Kind() == reflect.Interface {
		if e.IsNil() {
			return e
		}
		return reflect.ValueOf(copyValue(e.Interface(), depth))
	}
	return reflectCopy(e, depth)
}
