package core

import (
	"cmp"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Data is a record as decoded from JSON.
type Data = map[string]any

// MigrationFunc turns a record of one version into the next. It owns data
// (the manager passes it a private copy) and may modify and return it. It
// runs under the ctx produced by the hooks, so spans it starts nest under
// the migration's step span.
type MigrationFunc func(ctx context.Context, data Data) (Data, error)

// Kind is the JSON kind a [Field] of a [Schema] accepts.
type Kind uint8

// The kinds of a schema field.
const (
	KindAny     Kind = iota // any JSON value
	KindString              // a JSON string
	KindNumber              // any JSON number
	KindInteger             // a JSON number with no fractional part
	KindBool                // true or false
	KindObject              // a JSON object
	KindArray               // a JSON array
)

var kindNames = [...]string{"any", "string", "number", "integer", "bool", "object", "array"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Schema describes a model version known only at run time, as an
// alternative to a Go struct ([Register]).
type Schema struct {
	Fields []Field
}

// Field is one field of a [Schema].
type Field struct {
	Name     string
	Required bool
	// Default is the JSON literal that auto-migration fills in when the
	// field is missing (nil: no default). A field with a default is not
	// required.
	Default json.RawMessage
	// Kind is the JSON kind of the value (KindAny accepts anything).
	Kind Kind
	// Model names a registered model when the field holds a nested record
	// (or, with List, an array of them). ModelVersion is its version; empty
	// means the version of the enclosing model.
	Model        string
	ModelVersion string
	List         bool
}

// field is a compiled field of a model version.
type field struct {
	name       string
	required   bool
	nullable   bool
	hasDefault bool
	def        any
	check      checkFunc

	// nested model: by Go type (struct models) or by name (schemas).
	nestedType    reflect.Type
	nestedModel   string
	nestedVersion Version
	nestedVerSet  bool
	list          bool
}

func (f *field) isNested() bool { return f.nestedType != nil || f.nestedModel != "" }

// problem is a validation failure: which field (dotted path) and why.
type problem struct {
	field  string
	reason string
}

func (p *problem) prefix(name string) *problem {
	switch {
	case p.field == "":
		p.field = name
	case strings.HasPrefix(p.field, "["):
		p.field = name + p.field
	default:
		p.field = name + "." + p.field
	}
	return p
}

// checkFunc checks a non-nil value. It allocates only on failure.
type checkFunc func(v any) *problem

func checkAny(any) *problem { return nil }

func validateFields(fields []field, d map[string]any) *problem {
	for i := range fields {
		f := &fields[i]
		v, ok := d[f.name]
		if !ok {
			if f.required {
				return &problem{field: f.name, reason: "required field missing"}
			}
			continue
		}
		if v == nil {
			if f.required && !f.nullable {
				return &problem{field: f.name, reason: "must not be null"}
			}
			continue
		}
		if p := f.check(v); p != nil {
			return p.prefix(f.name)
		}
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// compiler builds the checkers of Go types, once per type, recursive
// types included.
type compiler struct {
	checks map[reflect.Type]*checkFunc
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
	case reflect.String:
		return checkString
	case reflect.Bool:
		return func(v any) *problem {
			if _, ok := v.(bool); ok {
				return nil
			}
			return wrongKind("bool", v)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo, hi := intRange(t)
		return func(v any) *problem { return checkInteger(v, lo, hi) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		hi := math.Ldexp(1, t.Bits())
		return func(v any) *problem { return checkInteger(v, 0, hi) }
	case reflect.Float32, reflect.Float64:
		return func(v any) *problem {
			if _, ok := number(v); ok {
				return nil
			}
			return wrongKind("number", v)
		}
	case reflect.Interface:
		return checkAny
	case reflect.Pointer:
		return c.check(t.Elem())
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return checkString // []byte is base64 text
		}
		if isAnyType(t.Elem()) {
			return checkArray // any element will do: only the kind matters
		}
		elem := c.check(t.Elem())
		elemNullable := nullable(t.Elem())
		return func(v any) *problem { return checkList(v, elem, elemNullable) }
	case reflect.Map:
		key := mapKeyCheck(t.Key())
		if key == nil {
			return func(v any) *problem {
				return &problem{reason: "map key type " + t.Key().String() + " has no JSON form"}
			}
		}
		if isAnyType(t.Elem()) && t.Key().Kind() == reflect.String {
			return checkObject // any value under any key will do
		}
		elem := c.check(t.Elem())
		return func(v any) *problem {
			m, ok := v.(map[string]any)
			if !ok {
				return wrongKind("object", v)
			}
			for k, e := range m {
				if p := key(k); p != nil {
					return p.prefix(k)
				}
				if e == nil {
					continue
				}
				if p := elem(e); p != nil {
					return p.prefix(k)
				}
			}
			return nil
		}
	case reflect.Struct:
		fields, err := c.structFields(t)
		if err != nil {
			msg := err.Error()
			return func(any) *problem { return &problem{reason: msg} }
		}
		return func(v any) *problem {
			m, ok := v.(map[string]any)
			if !ok {
				return wrongKind("object", v)
			}
			return validateFields(fields, m)
		}
	}
	return func(any) *problem { return &problem{reason: "type " + t.String() + " has no JSON form"} }
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

func checkObject(v any) *problem {
	if _, ok := v.(map[string]any); ok {
		return nil
	}
	return wrongKind("object", v)
}

func checkArray(v any) *problem {
	switch v.(type) {
	case []any, []map[string]any, []string:
		return nil
	}
	return wrongKind("array", v)
}

func checkList(v any, elem checkFunc, elemNullable bool) *problem {
	switch l := v.(type) {
	case []any:
		for i, e := range l {
			if p := checkElem(e, elem, elemNullable); p != nil {
				return p.prefix(fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	case []map[string]any:
		for i, e := range l {
			if p := checkElem(e, elem, elemNullable); p != nil {
				return p.prefix(fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	case []string:
		for i, e := range l {
			if p := elem(e); p != nil {
				return p.prefix(fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	}
	return wrongKind("array", v)
}

func checkElem[T any](e T, elem checkFunc, elemNullable bool) *problem {
	var v any = e
	if isNil(v) {
		if elemNullable {
			return nil
		}
		return &problem{reason: "must not be null"}
	}
	return elem(v)
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return x == nil
	}
	return false
}

func checkString(v any) *problem {
	if _, ok := v.(string); ok {
		return nil
	}
	return wrongKind("string", v)
}

func checkInteger(v any, lo, hi float64) *problem {
	f, ok := number(v)
	if !ok {
		return wrongKind("integer", v)
	}
	if f != math.Trunc(f) {
		return &problem{reason: fmt.Sprintf("want an integer, got %v", f)}
	}
	if f < lo || f >= hi {
		return &problem{reason: fmt.Sprintf("%v is out of range", f)}
	}
	return nil
}

func intRange(t reflect.Type) (lo, hi float64) {
	b := t.Bits()
	return -math.Ldexp(1, b-1), math.Ldexp(1, b-1)
}

// number returns v as a float64 when it is any Go number or a json.Number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case int8, int16, uint8, uint16:
		return reflect.ValueOf(n).Convert(reflect.TypeFor[float64]()).Float(), true
	}
	return 0, false
}

func wrongKind(want string, v any) *problem {
	return &problem{reason: fmt.Sprintf("want %s, got %s", want, jsonKind(v))}
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any, []map[string]any, []string:
		return "array"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
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
	type cand struct {
		f      field
		depth  int
		tagged bool
	}
	var order []string
	cands := map[string][]cand{}
	var walk func(t reflect.Type, depth int, visiting map[reflect.Type]bool) error
	walk = func(t reflect.Type, depth int, visiting map[reflect.Type]bool) error {
		if visiting[t] {
			return nil
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := sf.Type
			if sf.Anonymous {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if !sf.IsExported() && et.Kind() != reflect.Struct {
					continue
				}
				if name == "" && et.Kind() == reflect.Struct {
					if err := walk(et, depth+1, visiting); err != nil {
						return err
					}
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tagged := name != ""
			if name == "" {
				name = sf.Name
			}
			f, err := c.fieldOf(sf, name, opts)
			if err != nil {
				return err
			}
			if _, seen := cands[name]; !seen {
				order = append(order, name)
			}
			cands[name] = append(cands[name], cand{f: f, depth: depth, tagged: tagged})
		}
		return nil
	}
	if err := walk(t, 0, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	out := make([]field, 0, len(order))
	for _, n := range order {
		cs := cands[n]
		slices.SortStableFunc(cs, func(a, b cand) int {
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
	return out, nil
}

func (c *compiler) fieldOf(sf reflect.StructField, name, opts string) (field, error) {
	ft := sf.Type
	f := field{name: name, nullable: nullable(ft)}
	omitempty := false
	for o := range strings.SplitSeq(opts, ",") {
		switch o {
		case "omitempty", "omitzero":
			omitempty = true
		case "string":
			f.check = checkString
		}
	}
	if f.check == nil {
		f.check = c.check(ft)
	}
	if d, ok := sf.Tag.Lookup("default"); ok {
		if err := json.Unmarshal([]byte(d), &f.def); err != nil {
			return f, fmt.Errorf("%w: field %s: default tag %q is not a JSON literal: %v", ErrInvalidModel, sf.Name, d, err)
		}
		f.hasDefault = true
		if f.def != nil {
			if p := f.check(f.def); p != nil {
				return f, fmt.Errorf("%w: field %s: default %s: %s", ErrInvalidModel, sf.Name, d, p.prefix(name).describe())
			}
		}
	}
	f.required = ft.Kind() != reflect.Pointer && !omitempty && !f.hasDefault
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

func (p *problem) describe() string {
	if p.field == "" {
		return p.reason
	}
	return fmt.Sprintf("field %q: %s", p.field, p.reason)
}

// schemaFields compiles the fields of a run-time Schema.
func schemaFields(s Schema) ([]field, error) {
	out := make([]field, 0, len(s.Fields))
	seen := map[string]bool{}
	for _, sf := range s.Fields {
		if sf.Name == "" {
			return nil, fmt.Errorf("%w: a schema field has no name", ErrInvalidModel)
		}
		if seen[sf.Name] {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrInvalidModel, sf.Name)
		}
		seen[sf.Name] = true
		f := field{name: sf.Name, required: sf.Required, nullable: !sf.Required, check: kindCheck(sf.Kind)}
		if sf.Model != "" {
			f.nestedModel, f.list = sf.Model, sf.List
			if sf.ModelVersion != "" {
				v, err := ParseVersion(sf.ModelVersion)
				if err != nil {
					return nil, fmt.Errorf("%w: field %q: %w", ErrInvalidModel, sf.Name, err)
				}
				f.nestedVersion, f.nestedVerSet = v, true
			}
			if sf.List {
				f.check = kindCheck(KindArray)
			} else {
				f.check = kindCheck(KindObject)
			}
		}
		if sf.Default != nil {
			if err := json.Unmarshal(sf.Default, &f.def); err != nil {
				return nil, fmt.Errorf("%w: field %q: default is not a JSON literal: %v", ErrInvalidModel, sf.Name, err)
			}
			f.hasDefault, f.required = true, false
		}
		out = append(out, f)
	}
	return out, nil
}

func kindCheck(k Kind) checkFunc {
	switch k {
	case KindString:
		return checkString
	case KindNumber:
		return func(v any) *problem {
			if _, ok := number(v); ok {
				return nil
			}
			return wrongKind("number", v)
		}
	case KindInteger:
		return func(v any) *problem { return checkInteger(v, -math.MaxFloat64, math.MaxFloat64) }
	case KindBool:
		return func(v any) *problem {
			if _, ok := v.(bool); ok {
				return nil
			}
			return wrongKind("bool", v)
		}
	case KindObject:
		return checkObject
	case KindArray:
		return checkArray
	}
	return checkAny
}
