package core

import (
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
)

// compiler builds the checkers of Go types, once per type, recursive
// types included.
type compiler struct {
	checks     map[reflect.Type]*checkFunc
	describing map[reflect.Type]bool // the structs being described, against recursion
}

func (c *compiler) check(t reflect.Type) checkFunc {
	if p, ok := c.checks[t]; ok {
		return func(v any) *problem { return (*p)(v) }
	}
	var fn checkFunc
	c.checks[t] = &fn
	fn = c.build(t)
	return fn
}

func (c *compiler) build(t reflect.Type) checkFunc {
	if t == timeType {
		return checkTime
	}
	pt := reflect.PointerTo(t)
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if pt.Implements(textUnmarshaler) {
			// Such as time.Time or netip.Addr: the JSON form is a string.
			return checkString
		}
		if pt.Implements(jsonUnmarshaler) {
			return checkAny
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return checkAny
	case reflect.Pointer:
		return c.check(t.Elem())
	case reflect.Slice, reflect.Array:
		return c.listCheck(t)
	case reflect.Map:
		return c.mapCheck(t)
	case reflect.Struct:
		return c.structCheck(t)
	}
	if check := scalarCheck(t); check != nil {
		return check
	}
	return func(any) *problem { return &problem{reason: "type " + t.String() + " has no JSON form"} }
}

// scalarCheck returns the check of a string, bool or number type, or nil.
func scalarCheck(t reflect.Type) checkFunc {
	switch t.Kind() {
	case reflect.String:
		return checkString
	case reflect.Bool:
		return checkBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo, hi := intRange(t)
		return func(v any) *problem { return checkInteger(v, lo, hi) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		hi := math.Ldexp(1, t.Bits())
		return func(v any) *problem { return checkInteger(v, 0, hi) }
	case reflect.Float32, reflect.Float64:
		return checkNumber
	}
	return nil
}

// listCheck returns the check of a slice or array type.
func (c *compiler) listCheck(t reflect.Type) checkFunc {
	if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
		return checkBytes // []byte is base64 text
	}
	if isAnyType(t.Elem()) {
		return checkArray // any element will do: only the kind matters
	}
	elem := c.check(t.Elem())
	elemNullable := nullable(t.Elem())
	return func(v any) *problem { return checkList(v, elem, elemNullable) }
}

// mapCheck returns the check of a map type: a JSON object whose keys
// decode into the key type and whose values are checked as the element's.
func (c *compiler) mapCheck(t reflect.Type) checkFunc {
	key := mapKeyCheck(t.Key())
	if key == nil {
		return func(v any) *problem {
			return &problem{reason: "map key type " + t.Key().String() + " has no JSON form"}
		}
	}
	if isAnyType(t.Elem()) && t.Key().Kind() == reflect.String {
		return checkObject // any value under any key will do
	}
	return mapOf(key, c.check(t.Elem()), nullable(t.Elem()))
}

// structCheck returns the check of a struct type: its fields, as for a
// registered model.
func (c *compiler) structCheck(t reflect.Type) checkFunc {
	fields, err := c.structFields(t)
	if err != nil {
		msg := err.Error()
		return func(any) *problem { return &problem{reason: msg} }
	}
	return objectCheck(fields)
}

// isAnyType reports whether t is an interface with no methods, which any
// JSON value decodes into.
func isAnyType(t reflect.Type) bool {
	return t.Kind() == reflect.Interface && t.NumMethod() == 0
}

// mapKeyCheck returns the check of the keys of a map type as
// encoding/json decodes them (strings, integers, or text), or nil when the
// key type has no JSON form.
func mapKeyCheck(t reflect.Type) func(k string) *problem {
	switch t.Kind() {
	case reflect.String:
		return func(string) *problem { return nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(k string) *problem {
			if _, err := strconv.ParseInt(k, 10, bits); err != nil {
				return &problem{reason: "key is not an integer of " + strconv.Itoa(bits) + " bits"}
			}
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := t.Bits()
		return func(k string) *problem {
			if _, err := strconv.ParseUint(k, 10, bits); err != nil {
				return &problem{reason: "key is not an unsigned integer of " + strconv.Itoa(bits) + " bits"}
			}
			return nil
		}
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return func(string) *problem { return nil }
	}
	return nil
}

func intRange(t reflect.Type) (lo, hi float64) {
	b := t.Bits()
	return -math.Ldexp(1, b-1), math.Ldexp(1, b-1)
}

// nullable reports whether JSON null is a meaningful value of t.
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return true
	}
	return false
}

// structFields compiles the JSON fields of a struct type the way
// encoding/json sees them: json tags, "-" skipped, unexported fields
// skipped, embedded structs flattened. Of several fields with the same
// name, the shallowest wins, a tagged one over an untagged one at the same
// depth; two at the same depth that are both tagged or both untagged
// cancel each other out (encoding/json ignores such a name).
func (c *compiler) structFields(t reflect.Type) ([]field, error) {
	w := &structWalk{c: c, cands: map[string][]fieldCand{}, visiting: map[reflect.Type]bool{}}
	if err := w.walk(t, nil); err != nil {
		return nil, err
	}
	return w.fields(), nil
}

// structWalk collects the fields of a struct and of the structs embedded
// in it, as encoding/json sees them: each name with every field that
// claims it, at its depth.
type structWalk struct {
	c        *compiler
	order    []string // names, in declaration order
	cands    map[string][]fieldCand
	visiting map[reflect.Type]bool
}

type fieldCand struct {
	f      field
	depth  int
	tagged bool
}

func (w *structWalk) walk(t reflect.Type, index []int) error {
	if w.visiting[t] {
		return nil
	}
	w.visiting[t] = true
	defer delete(w.visiting, t)
	for i := range t.NumField() {
		if err := w.field(t.Field(i), append(slices.Clip(index), i)); err != nil {
			return err
		}
	}
	return nil
}

// field adds one struct field, at index (its path through embedded
// structs), or walks into it when it is an embedded struct without a name
// of its own.
func (w *structWalk) field(sf reflect.StructField, index []int) error {
	depth := len(index) - 1
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return nil
	}
	name, opts, _ := strings.Cut(tag, ",")
	if sf.Anonymous {
		et := sf.Type
		if et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if !sf.IsExported() && et.Kind() != reflect.Struct {
			return nil
		}
		if name == "" && et.Kind() == reflect.Struct {
			return w.walk(et, index)
		}
	} else if !sf.IsExported() {
		return nil
	}
	tagged := name != ""
	if name == "" {
		name = sf.Name
	}
	f, err := w.c.fieldOf(sf, name, opts)
	if err != nil {
		return err
	}
	f.index = index
	if _, seen := w.cands[name]; !seen {
		w.order = append(w.order, name)
	}
	w.cands[name] = append(w.cands[name], fieldCand{f: f, depth: depth, tagged: tagged})
	return nil
}

// fields resolves each name as encoding/json does: the shallowest field
// wins, a tagged one before an untagged one at the same depth, and a name
// two fields claim equally is dropped.
func (w *structWalk) fields() []field {
	out := make([]field, 0, len(w.order))
	for _, n := range w.order {
		cs := w.cands[n]
		slices.SortStableFunc(cs, func(a, b fieldCand) int {
			if a.depth != b.depth {
				return cmp.Compare(a.depth, b.depth)
			}
			switch {
			case a.tagged == b.tagged:
				return 0
			case a.tagged:
				return -1
			}
			return 1
		})
		if len(cs) > 1 && cs[0].depth == cs[1].depth && cs[0].tagged == cs[1].tagged {
			continue // ambiguous: encoding/json ignores the name
		}
		out = append(out, cs[0].f)
	}
	return out
}

func (c *compiler) fieldOf(sf reflect.StructField, name, opts string) (field, error) {
	ft := sf.Type
	f := field{name: name, nullable: nullable(ft)}
	omitempty := false
	for o := range strings.SplitSeq(opts, ",") {
		switch o {
		case "omitempty":
			omitempty, f.omitEmpty = true, true
		case "omitzero":
			omitempty, f.omitZero = true, true
		case "string":
			f.check, f.asString = checkString, true
		}
	}
	if f.check == nil {
		f.check = c.check(ft)
		f.desc = c.describe(ft)
	} else {
		f.desc = Field{Kind: KindString} // the ",string" option
	}
	f.desc.Name, f.desc.Doc, f.desc.Nullable = name, sf.Tag.Get("doc"), f.nullable
	if d, ok := sf.Tag.Lookup("default"); ok {
		if err := json.Unmarshal([]byte(d), &f.def); err != nil {
			return f, fmt.Errorf("%w: field %s: default tag %q is not a JSON literal: %v", ErrInvalidModel, sf.Name, d, err)
		}
		f.hasDefault = true
		f.desc.Default = json.RawMessage(d)
		if f.def != nil {
			if p := f.check(f.def); p != nil {
				return f, fmt.Errorf("%w: field %s: default %s: %s", ErrInvalidModel, sf.Name, d, p.prefix(name).describe())
			}
		}
	}
	f.required = ft.Kind() != reflect.Pointer && !omitempty && !f.hasDefault
	f.desc.Required = f.required
	// A struct field (or a slice or array of one) may be a nested model,
	// resolved at migration time against the registered types.
	et := ft
	if et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	if et.Kind() == reflect.Slice || et.Kind() == reflect.Array {
		f.list = true
		et = et.Elem()
		if et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
	}
	if et.Kind() == reflect.Struct {
		f.nestedType = et
	} else {
		f.list = false
	}
	return f, nil
}
