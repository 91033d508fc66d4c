package core

import (
	"encoding/json"
	"maps"
	"reflect"
)

// DeepCopy returns a copy of d that shares no map or slice with it. Maps
// and slices of any type are copied (decoded JSON has only map[string]any
// and []any, which take a fast path); other values are copied as values.
// Pointers, channels and functions are shared, as a value copy would.
func DeepCopy(d Data) Data {
	if d == nil {
		return nil
	}
	out := make(Data, len(d))
	for k, v := range d {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch x := v.(type) {
	case nil, string, float64, bool, int, int64, json.Number:
		return v
	case map[string]any:
		return DeepCopy(x)
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopyValue(e)
		}
		return out
	case []map[string]any:
		if x == nil {
			return x
		}
		out := make([]map[string]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	case []string:
		if x == nil {
			return x
		}
		return append([]string(nil), x...)
	case map[string]string:
		return maps.Clone(x)
	}
	return reflectCopy(reflect.ValueOf(v)).Interface()
}

// reflectCopy copies maps and slices of any other type.
func reflectCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), copyElem(it.Value(), v.Type().Elem()))
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(copyElem(v.Index(i), v.Type().Elem()))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(copyElem(v.Index(i), v.Type().Elem()))
		}
		return out
	}
	return v
}

func copyElem(e reflect.Value, t reflect.Type) reflect.Value {
	if t.Kind() == reflect.Interface {
		if e.IsNil() {
			return e
		}
		return reflect.ValueOf(deepCopyValue(e.Interface()))
	}
	return reflectCopy(e)
}
