package core

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
)

// codec converts between the values of one Go type and their record form
// (what a [Data] holds: maps, []any, strings, json.Number, bools, nil),
// without a JSON round trip. Codecs are built once per type, from the
// fields that validation compiles ([Register]'s description), and reused.
type codec struct {
	// dec sets dst (settable, of the codec's type) from the record value
	// v. A value of the wrong shape is a problem, never a panic. strict
	// refuses a nested record with fields its struct does not declare.
	dec func(v any, dst reflect.Value, strict bool) *problem
	// enc returns the record form of src, in containers of its own.
	enc func(src reflect.Value) any
	// sc is the struct codec of a struct type, nil for any other.
	sc *structCodec
	// fits, if not nil, checks the JSON form of a value of the type
	// before encoding/json decodes it (see fits.go); nil: nothing to check.
	fits func(b []byte) bool
}

// structCodec is the codec of a struct type, with its fields.
type structCodec struct {
	t        reflect.Type
	fields   []field
	codecs   []*codec
	names    map[string]int // each field's index in fields
	required int            // how many fields are required
	// onEncode, if set (by a test, before any migration), is called for
	// each struct turned into a record.
	onEncode func()
}

// codecs builds and keeps the codecs of a manager, one per Go type.
// Lookups of built codecs take no lock.
type codecs struct {
	ready  sync.Map // reflect.Type → *codec, complete
	mu     sync.Mutex
	byType map[reflect.Type]*codec // every codec built or being built; mu
}

// of returns the codec of t, built on first use.
func (cs *codecs) of(t reflect.Type) *codec {
	if c, ok := cs.ready.Load(t); ok {
		return c.(*codec)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.codec(t) // complete once the outermost build returns
	cs.ready.Store(t, c)
	return c
}

// structCodec returns the codec of struct type t, built on first use.
func (cs *codecs) structCodec(t reflect.Type) *structCodec { return cs.of(t).sc }

// codec returns the codec of t; cs.mu is held. A type met again inside
// itself gets the codec being built, through an indirection.
func (cs *codecs) codec(t reflect.Type) *codec {
	if c := cs.byType[t]; c != nil {
		return c
	}
	if cs.byType == nil {
		cs.byType = map[reflect.Type]*codec{}
	}
	c := &codec{}
	cs.byType[t] = c
	*c = cs.build(t)
	return c
}

func (cs *codecs) build(t reflect.Type) codec {
	if t == timeType {
		return codec{dec: decTime, enc: encText}
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		switch {
		case pt.Implements(jsonUnmarshaler):
			return codec{dec: decJSON, enc: encJSON}
		case pt.Implements(textUnmarshaler):
			return codec{dec: decText, enc: encText}
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return codec{dec: decAny, enc: encAny}
	case reflect.Pointer:
		c := cs.pointerCodec(t)
		c.fits = pointerFits(cs.codec(t.Elem()))
		return c
	case reflect.Slice, reflect.Array:
		c := cs.listCodec(t)
		if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
			c.fits = listFits(cs.codec(t.Elem()))
		}
		return c
	case reflect.Map:
		c := cs.mapCodec(t)
		c.fits = mapFits(cs.codec(t.Elem()))
		return c
	case reflect.Struct:
		c := cs.newStructCodec(t)
		c.fits = func(b []byte) bool { return c.sc.fitsObject(b, "") }
		return c
	}
	return scalarCodec(t)
}

func (cs *codecs) pointerCodec(t reflect.Type) codec {
	elem := cs.codec(t.Elem())
	return codec{
		dec: func(v any, dst reflect.Value, strict bool) *problem {
			if v == nil {
				dst.SetZero()
				return nil
			}
			p := reflect.New(t.Elem())
			if pr := elem.dec(v, p.Elem(), strict); pr != nil {
				return pr
			}
			dst.Set(p)
			return nil
		},
		enc: func(src reflect.Value) any {
			if src.IsNil() {
				return nil
			}
			return elem.enc(src.Elem())
		},
	}
}

func (cs *codecs) listCodec(t reflect.Type) codec {
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return codec{dec: decBytes, enc: encBytes}
	}
	elem := cs.codec(t.Elem())
	return codec{
		dec: func(v any, dst reflect.Value, strict bool) *problem {
			if v == nil {
				dst.SetZero()
				return nil
			}
			n, ok := listLen(v)
			if !ok {
				return &problem{reason: "want an array, got " + jsonKind(v)}
			}
			if t.Kind() == reflect.Slice {
				dst.Set(reflect.MakeSlice(t, n, n))
			} else {
				dst.SetZero()
				n = min(n, t.Len())
			}
			for i := range n {
				if p := elem.dec(listAt(v, i), dst.Index(i), strict); p != nil {
					return p.prefix("[" + strconv.Itoa(i) + "]")
				}
			}
			return nil
		},
		enc: func(src reflect.Value) any {
			if t.Kind() == reflect.Slice && src.IsNil() {
				return nil
			}
			out := make([]any, src.Len())
			for i := range out {
				out[i] = elem.enc(src.Index(i))
			}
			return out
		},
	}
}

// listLen returns the length of a record's array, which is a []any or a
// []map[string]any.
func listLen(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	case []map[string]any:
		return len(x), true
	}
	return 0, false
}

// listAt returns element i of a record's array (listLen said it is one).
func listAt(v any, i int) any {
	if x, ok := v.([]any); ok {
		return x[i]
	}
	return v.([]map[string]any)[i]
}

func (cs *codecs) mapCodec(t reflect.Type) codec {
	key := mapKeyCodec(t.Key())
	elem := cs.codec(t.Elem())
	return codec{
		dec: func(v any, dst reflect.Value, strict bool) *problem {
			if v == nil {
				dst.SetZero()
				return nil
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return &problem{reason: "want an object, got " + jsonKind(v)}
			}
			if key.dec == nil {
				return &problem{reason: "map key type " + t.Key().String() + " has no JSON form"}
			}
			out := reflect.MakeMapWithSize(t, len(obj))
			for k, ev := range obj {
				kv := reflect.New(t.Key()).Elem()
				if p := key.dec(k, kv); p != nil {
					return p.prefix("<key>")
				}
				e := reflect.New(t.Elem()).Elem()
				if p := elem.dec(ev, e, strict); p != nil {
					return p.prefix("<key>")
				}
				out.SetMapIndex(kv, e)
			}
			dst.Set(out)
			return nil
		},
		enc: func(src reflect.Value) any {
			if src.IsNil() || key.enc == nil {
				return nil
			}
			out := make(map[string]any, src.Len())
			for it := src.MapRange(); it.Next(); {
				out[key.enc(it.Key())] = elem.enc(it.Value())
			}
			return out
		},
	}
}

// keyCodec converts a map key to and from its JSON object key.
type keyCodec struct {
	dec func(k string, dst reflect.Value) *problem
	enc func(src reflect.Value) string
}

// mapKeyCodec returns the key codec of a map's key type, as encoding/json
// treats keys: text first, then strings and integers (dec nil: no JSON
// form, as validation says).
func mapKeyCodec(t reflect.Type) keyCodec {
	if reflect.PointerTo(t).Implements(textUnmarshaler) && t.Kind() != reflect.String {
		return keyCodec{
			dec: func(k string, dst reflect.Value) *problem {
				if dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(k)) != nil {
					return &problem{reason: "key does not decode into " + t.String()}
				}
				return nil
			},
			enc: func(src reflect.Value) string {
				b, _ := src.Interface().(encoding.TextMarshaler).MarshalText()
				return string(b)
			},
		}
	}
	switch t.Kind() {
	case reflect.String:
		return keyCodec{
			dec: func(k string, dst reflect.Value) *problem { dst.SetString(k); return nil },
			enc: func(src reflect.Value) string { return src.String() },
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return keyCodec{
			dec: func(k string, dst reflect.Value) *problem {
				n, err := strconv.ParseInt(k, 10, t.Bits())
				if err != nil {
					return &problem{reason: "key is not an integer of " + strconv.Itoa(t.Bits()) + " bits"}
				}
				dst.SetInt(n)
				return nil
			},
			enc: func(src reflect.Value) string { return strconv.FormatInt(src.Int(), 10) },
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return keyCodec{
			dec: func(k string, dst reflect.Value) *problem {
				n, err := strconv.ParseUint(k, 10, t.Bits())
				if err != nil {
					return &problem{reason: "key is not an unsigned integer of " + strconv.Itoa(t.Bits()) + " bits"}
				}
				dst.SetUint(n)
				return nil
			},
			enc: func(src reflect.Value) string { return strconv.FormatUint(src.Uint(), 10) },
		}
	}
	return keyCodec{}
}

// newStructCodec builds the codec of a struct type from the fields
// validation compiles for it; cs.mu is held.
func (cs *codecs) newStructCodec(t reflect.Type) codec {
	c := &compiler{checks: map[reflect.Type]*checkFunc{}}
	fields, err := c.structFields(t)
	if err != nil {
		msg := err.Error()
		fail := func(any, reflect.Value, bool) *problem { return &problem{reason: msg} }
		return codec{dec: fail, enc: func(reflect.Value) any { return nil }}
	}
	sc := &structCodec{t: t, fields: fields, codecs: make([]*codec, len(fields)), names: make(map[string]int, len(fields))}
	for i := range fields {
		sc.names[fields[i].name] = i
		if fields[i].required {
			sc.required++
		}
		ft := t.FieldByIndex(fields[i].index).Type
		if fields[i].asString {
			sc.codecs[i] = stringOptionCodec(ft)
		} else {
			sc.codecs[i] = cs.codec(ft)
		}
	}
	return codec{
		sc: sc,
		dec: func(v any, dst reflect.Value, strict bool) *problem {
			obj, ok := v.(map[string]any)
			if !ok {
				return &problem{reason: "want an object, got " + jsonKind(v)}
			}
			known, p := sc.decode(obj, dst, strict)
			if p == nil && strict && known < len(obj) {
				p = &problem{reason: undeclared(len(obj)-known, t)}
			}
			return p
		},
		enc: func(src reflect.Value) any { return sc.encode(src) },
	}
}

// undeclared says that a nested record holds fields its Go type does not
// declare, which a typed step would drop: it names neither them nor their
// values.
func undeclared(n int, t reflect.Type) string {
	what := "a field"
	if n > 1 {
		what = strconv.Itoa(n) + " fields"
	}
	return "holds " + what + " that " + t.String() + " does not declare, which a typed step would drop"
}

// decode sets dst's fields from obj and returns how many keys of obj are
// declared fields. A required field that obj lacks is a problem: the zero
// value would stand in for data the record does not have.
func (sc *structCodec) decode(obj map[string]any, dst reflect.Value, strict bool) (known int, _ *problem) {
	dst.SetZero()
	for i := range sc.fields {
		f := &sc.fields[i]
		v, ok := obj[f.name]
		if !ok {
			if f.required {
				return known, &problem{field: f.name, reason: "required field missing"}
			}
			continue
		}
		known++
		fv, ok := fieldByIndex(dst, f.index, true)
		if !ok {
			continue
		}
		if v == nil && !f.nullable {
			return known, &problem{field: f.name, reason: "must not be null"}
		}
		if p := sc.codecs[i].dec(v, fv, strict); p != nil {
			return known, p.prefix(f.name)
		}
	}
	return known, nil
}

// encode returns the record form of src: every field but the empty ones
// that omitempty (or omitzero) leaves out.
func (sc *structCodec) encode(src reflect.Value) Data {
	if sc.onEncode != nil {
		sc.onEncode()
	}
	out := make(Data, len(sc.fields))
	for i := range sc.fields {
		f := &sc.fields[i]
		fv, ok := fieldByIndex(src, f.index, false)
		if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZeroValue(fv) {
			continue
		}
		out[f.name] = sc.codecs[i].enc(fv)
	}
	return out
}

// declares reports whether the struct declares a field named name.
func (sc *structCodec) declares(name string) bool {
	_, ok := sc.names[name]
	return ok
}

// fieldBytes returns the field named by a key read from JSON, with no
// allocation.
func (sc *structCodec) fieldBytes(name []byte) (*field, bool) {
	i, ok := sc.names[string(name)]
	if !ok {
		return nil, false
	}
	return &sc.fields[i], true
}

// fieldByIndex returns the field of v at index, through embedded
// pointers: a nil one is allocated when alloc is set, else the field is
// absent.
func fieldByIndex(v reflect.Value, index []int, alloc bool) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc || !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmptyValue is encoding/json's omitempty rule.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZeroValue is encoding/json's omitzero rule: an IsZero method if the
// type has one, else the zero value.
func isZeroValue(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}

// scalarCodec returns the codec of a string, bool or number type.
func scalarCodec(t reflect.Type) codec {
	switch t.Kind() {
	case reflect.String:
		return codec{
			dec: func(v any, dst reflect.Value, strict bool) *problem {
				s, ok := v.(string)
				if !ok {
					return &problem{reason: "want a string, got " + jsonKind(v)}
				}
				dst.SetString(s)
				return nil
			},
			enc: func(src reflect.Value) any { return src.String() },
		}
	case reflect.Bool:
		return codec{
			dec: func(v any, dst reflect.Value, strict bool) *problem {
				b, ok := v.(bool)
				if !ok {
					return &problem{reason: "want a boolean, got " + jsonKind(v)}
				}
				dst.SetBool(b)
				return nil
			},
			enc: func(src reflect.Value) any { return src.Bool() },
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return codec{dec: decInt, enc: func(src reflect.Value) any { return json.Number(strconv.FormatInt(src.Int(), 10)) }}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return codec{dec: decUint, enc: func(src reflect.Value) any { return json.Number(strconv.FormatUint(src.Uint(), 10)) }}
	case reflect.Float32, reflect.Float64:
		return codec{dec: decFloat, enc: encFloat}
	}
	msg := "type " + t.String() + " has no JSON form"
	return codec{
		dec: func(any, reflect.Value, bool) *problem { return &problem{reason: msg} },
		enc: func(reflect.Value) any { return nil },
	}
}

func decInt(v any, dst reflect.Value, _ bool) *problem {
	lo, hi := intRange(dst.Type())
	if p := checkInteger(v, lo, hi); p != nil {
		return p
	}
	n, ok := asInt64(v)
	if !ok {
		return &problem{reason: "want an integer, got " + jsonKind(v)}
	}
	dst.SetInt(n)
	return nil
}

func decUint(v any, dst reflect.Value, _ bool) *problem {
	if p := checkInteger(v, 0, math.Ldexp(1, dst.Type().Bits())); p != nil {
		return p
	}
	n, ok := asUint64(v)
	if !ok {
		return &problem{reason: "want an integer, got " + jsonKind(v)}
	}
	dst.SetUint(n)
	return nil
}

func decFloat(v any, dst reflect.Value, _ bool) *problem {
	if p := checkNumber(v); p != nil {
		return p
	}
	f, ok := number(v)
	if !ok {
		return &problem{reason: "want a number, got " + jsonKind(v)}
	}
	if dst.Kind() == reflect.Float32 && math.Abs(f) > math.MaxFloat32 {
		return &problem{reason: "out of range of a float32"}
	}
	dst.SetFloat(f)
	return nil
}

// encFloat writes a float as encoding/json would, as a json.Number; NaN
// and infinities, which JSON cannot hold, stay float64 for validation to
// refuse.
func encFloat(src reflect.Value) any {
	f := src.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	b, _ := json.Marshal(src.Interface())
	return json.Number(b)
}

// asInt64 returns an integer of a record, which checkInteger accepted,
// as an int64, exactly.
func asInt64(v any) (int64, bool) {
	if n, ok := v.(json.Number); ok {
		x, err := n.Int64()
		return x, err == nil
	}
	switch rv := reflect.ValueOf(v); {
	case rv.CanInt():
		return rv.Int(), true
	case rv.CanUint():
		return int64(rv.Uint()), rv.Uint() <= math.MaxInt64
	case rv.CanFloat():
		return int64(rv.Float()), true
	}
	return 0, false
}

// asUint64 is asInt64 for an unsigned integer.
func asUint64(v any) (uint64, bool) {
	if n, ok := v.(json.Number); ok {
		x, err := strconv.ParseUint(string(n), 10, 64)
		return x, err == nil
	}
	switch rv := reflect.ValueOf(v); {
	case rv.CanInt():
		return uint64(rv.Int()), rv.Int() >= 0
	case rv.CanUint():
		return rv.Uint(), true
	case rv.CanFloat():
		return uint64(rv.Float()), rv.Float() >= 0
	}
	return 0, false
}

func decTime(v any, dst reflect.Value, _ bool) *problem {
	if t, ok := v.(time.Time); ok {
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	return decText(v, dst, false)
}

// decText decodes a string into a type that unmarshals text.
func decText(v any, dst reflect.Value, _ bool) *problem {
	s, ok := v.(string)
	if !ok {
		return &problem{reason: "want a string, got " + jsonKind(v)}
	}
	if err := dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		if dst.Type() == timeType {
			return &problem{reason: "not an RFC 3339 date-time"}
		}
		return &problem{reason: "does not decode into " + dst.Type().String()}
	}
	return nil
}

// encText encodes a type that marshals text (time.Time as RFC 3339) as
// its string; one that does not, through its JSON form.
func encText(src reflect.Value) any {
	if m, ok := src.Interface().(encoding.TextMarshaler); ok {
		if b, err := m.MarshalText(); err == nil {
			return string(b)
		}
		return nil
	}
	return encJSON(src)
}

// decJSON and encJSON serve the types that have a JSON form of their own
// (json.Unmarshaler): that one field goes through encoding/json.
func decJSON(v any, dst reflect.Value, _ bool) *problem {
	b, err := json.Marshal(v)
	if err == nil {
		err = dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
	}
	if err != nil {
		return &problem{reason: "does not decode into " + dst.Type().String()}
	}
	return nil
}

func encJSON(src reflect.Value) any {
	b, err := json.Marshal(src.Interface())
	if err != nil {
		return nil
	}
	d, err := decodeValue(b)
	if err != nil {
		return nil
	}
	return d
}

// decodeValue decodes one JSON value, numbers as json.Number.
func decodeValue(b []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

func decAny(v any, dst reflect.Value, _ bool) *problem {
	if v == nil {
		dst.SetZero()
		return nil
	}
	rv := reflect.ValueOf(v)
	if !rv.Type().AssignableTo(dst.Type()) {
		return &problem{reason: "does not fit " + dst.Type().String()}
	}
	dst.Set(rv)
	return nil
}

func encAny(src reflect.Value) any {
	if src.IsNil() {
		return nil
	}
	return deepCopyValue(src.Elem().Interface())
}

func decBytes(v any, dst reflect.Value, _ bool) *problem {
	switch x := v.(type) {
	case nil:
		dst.SetZero()
	case []byte:
		dst.SetBytes(append([]byte(nil), x...))
	case string:
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return &problem{reason: "not base64"}
		}
		dst.SetBytes(b)
	default:
		return &problem{reason: "want a base64 string, got " + jsonKind(v)}
	}
	return nil
}

func encBytes(src reflect.Value) any {
	if src.IsNil() {
		return nil
	}
	return base64.StdEncoding.EncodeToString(src.Bytes())
}

// stringOptionCodec is the codec of a field with the ",string" option: a
// number or boolean written as a JSON string.
func stringOptionCodec(t reflect.Type) *codec {
	inner := scalarCodec(t)
	if t.Kind() == reflect.String {
		return &codec{
			dec: func(v any, dst reflect.Value, strict bool) *problem {
				s, ok := v.(string)
				if !ok {
					return &problem{reason: "want a string, got " + jsonKind(v)}
				}
				var in string
				if json.Unmarshal([]byte(s), &in) != nil {
					return &problem{reason: "not a quoted string"}
				}
				dst.SetString(in)
				return nil
			},
			enc: func(src reflect.Value) any {
				b, _ := json.Marshal(src.String())
				return string(b)
			},
		}
	}
	return &codec{
		dec: func(v any, dst reflect.Value, strict bool) *problem {
			s, ok := v.(string)
			if !ok {
				return &problem{reason: "want a string, got " + jsonKind(v)}
			}
			var x any = json.Number(s)
			switch s {
			case "true":
				x = true
			case "false":
				x = false
			}
			return inner.dec(x, dst, strict)
		},
		enc: func(src reflect.Value) any {
			switch e := inner.enc(src).(type) {
			case json.Number:
				return string(e)
			case bool:
				return strconv.FormatBool(e)
			default:
				return e
			}
		},
	}
}
