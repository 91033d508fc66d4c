package core

import (
	"encoding/json"
	"iter"
	"reflect"
	"slices"
	"sync"
)

// Record is a read-only view of a [Data] map, as hooks receive it. A nested
// map comes back as a Record and a nested []any (or []map[string]any) as a
// [List]; any other map or slice comes back as a private copy, so nothing
// reached through the view can change the data (values behind pointers,
// which decoded JSON never has, are shared). Use [Record.Clone] for a
// private, mutable deep copy. On a path of typed steps ([Convert],
// [Manager.MigrateJSON]) a Record is a view of a Go struct whose map form
// is built the first time a value is read, once, and shared by every
// reader. The zero Record is empty.
type Record struct {
	m   Data
	src *lazyData // a Go struct's record form, built at first read
}

// lazyData is the record form of a Go struct, built once, when a hook
// first reads a value: a hook that reads only the event's model and
// versions costs no record.
type lazyData struct {
	once sync.Once
	enc  func() Data
	d    Data
}

func (l *lazyData) get() Data {
	l.once.Do(func() { l.d, l.enc = l.enc(), nil })
	return l.d
}

// lazyRecord returns a view of the record form of *v, a struct of
// sc's type that nothing else will modify.
func lazyRecord(sc *structCodec, v reflect.Value) Record {
	return Record{src: &lazyData{enc: func() Data { return sc.encode(v) }}}
}

// data returns the map the view reads.
func (r Record) data() Data {
	if r.src != nil {
		return r.src.get()
	}
	return r.m
}

// NewRecord returns a read-only view of d. It does not copy d: the view
// sees later changes the owner makes.
func NewRecord(d Data) Record { return Record{m: d} }

// Get returns the value of key and whether it is present. Maps and slices
// come back as read-only views.
func (r Record) Get(key string) (any, bool) {
	v, ok := r.data()[key]
	return view(v), ok
}

// Value returns the value of key, or nil when it is absent.
func (r Record) Value(key string) any { return view(r.data()[key]) }

// Has reports whether key is present (even with a nil value).
func (r Record) Has(key string) bool {
	_, ok := r.data()[key]
	return ok
}

// Len returns the number of keys.
func (r Record) Len() int { return len(r.data()) }

// IsNil reports whether the view has no underlying map at all.
func (r Record) IsNil() bool { return r.m == nil && r.src == nil }

// Keys returns the keys, sorted.
func (r Record) Keys() []string { return r.AppendKeys(make([]string, 0, len(r.data()))) }

// AppendKeys appends the keys, sorted, to dst and returns the extended
// slice. With a dst of enough capacity it does not allocate, which is what
// a hook that lists keys on every migration wants.
func (r Record) AppendKeys(dst []string) []string {
	n := len(dst)
	for k := range r.data() {
		dst = append(dst, k)
	}
	slices.Sort(dst[n:])
	return dst
}

// All iterates over the keys in sorted order with their (viewed) values.
func (r Record) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for _, k := range r.Keys() {
			if !yield(k, view(r.data()[k])) {
				return
			}
		}
	}
}

// Clone returns a deep copy of the data, which the caller owns (see
// [Copy]); nil for data nested too deeply to copy, which a Record made by
// the engine never holds.
func (r Record) Clone() Data {
	out, _ := copyData(r.data())
	return out
}

// MarshalJSON encodes the underlying data.
func (r Record) MarshalJSON() ([]byte, error) { return json.Marshal(r.data()) }

// List is a read-only view of a slice inside a [Record].
type List struct {
	s []any
	m []map[string]any
}

// Len returns the number of elements.
func (l List) Len() int {
	if l.m != nil {
		return len(l.m)
	}
	return len(l.s)
}

// At returns element i as a read-only view. It panics if i is out of range,
// like a slice index.
func (l List) At(i int) any {
	if l.m != nil {
		return Record{m: l.m[i]}
	}
	return view(l.s[i])
}

// All iterates over the elements in order.
func (l List) All() iter.Seq2[int, any] {
	return func(yield func(int, any) bool) {
		for i := range l.Len() {
			if !yield(i, l.At(i)) {
				return
			}
		}
	}
}

// Clone returns a deep copy of the elements, which the caller owns (see
// [Copy]); nil for elements nested too deeply to copy, which a List made
// by the engine never holds.
func (l List) Clone() []any {
	out, err := l.clone()
	if err != nil {
		return nil
	}
	return out
}

func (l List) clone() (out []any, err error) {
	defer recoverTooDeep(&err)
	out = make([]any, l.Len())
	for i := range out {
		if l.m != nil {
			out[i] = copyMap(l.m[i], 1)
		} else {
			out[i] = copyValue(l.s[i], 1)
		}
	}
	return out, nil
}

// MarshalJSON encodes the underlying slice.
func (l List) MarshalJSON() ([]byte, error) {
	if l.m != nil {
		return json.Marshal(l.m)
	}
	return json.Marshal(l.s)
}

// view returns v as a hook may see it: JSON objects and arrays as
// read-only views, scalars as they are, and any other map, slice, array,
// struct or pointer (which decoded JSON does not have, but Go code may
// put in a record) as a private deep copy, so that nothing a hook is
// handed reaches back into the record.
func view(v any) any {
	switch x := v.(type) {
	case nil, string, float64, bool, int, int64, json.Number:
		return v
	case map[string]any:
		return Record{m: x}
	case []any:
		return List{s: x}
	case []map[string]any:
		return List{m: x}
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
		out, err := copyAny(v)
		if err != nil {
			return nil // nested too deeply to copy
		}
		return out
	}
	return v
}
