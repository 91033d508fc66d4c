package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unsafe"
)

// RegisterTyped registers fn as the migration of model from one version
// to another, written for Go structs: From must be the Go type registered
// for model at from and To the one registered at to ([Register]), else a
// registration error matching [ErrInvalidModel] names both types. A
// typed step and a map step ([Manager.RegisterMigration]) for the same
// pair is an error matching [ErrAlreadyRegistered], as two map steps are.
//
// A path may mix typed, map and auto steps. The engine converts a record
// between its map form and its struct form only where the representation
// changes, with a converter built once per Go type from the same
// description validation uses; never through JSON. The fields of a
// step's input record that From does not declare, which fn never sees,
// are carried into its output unless To declares them (as maps.Clone in
// a map step carries them); the fields From declares are fn's to keep or
// drop. A nested record or list element with fields its Go type does not
// declare fails the step with a *[ValidationError] rather than lose them,
// and so does a record that lacks a field From requires, or holds null
// where From cannot: fn never sees a zero value standing in for data the
// record does not have.
//
// fn may return an error or panic: the migration fails with a
// *[MigrationError] (a *[PanicError] cause for a panic) and nothing the
// caller owns is modified.
func RegisterTyped[From, To any](m *Manager, model, from, to string, fn func(ctx context.Context, in From) (To, error), opts ...MigrationOption) error {
	fv, tv, err := parsePair(from, to)
	if err != nil {
		return fmt.Errorf("register typed migration %q: %w", model, err)
	}
	if fn == nil {
		return fmt.Errorf("register typed migration %q %s → %s: %w: nil function", model, fv, tv, ErrInvalidModel)
	}
	ft, tt := reflect.TypeFor[From](), reflect.TypeFor[To]()
	if err := m.registry().checkTypes(model, fv, tv, ft, tt); err != nil {
		return err
	}
	ts := newTypedStep(m, model, fv, fn)
	return m.addMigration(model, fv, tv, ts.mapped, ts, opts)
}

// checkTypes checks that From and To are the Go types registered for the
// two versions of a typed step.
func (r *registry) checkTypes(model string, from, to Version, ft, tt reflect.Type) error {
	for _, c := range [2]struct {
		v Version
		t reflect.Type
	}{{from, ft}, {to, tt}} {
		mv, err := r.modelVersion(model, c.v)
		var reg reflect.Type
		if err == nil {
			reg = mv.goType
		}
		if reg != c.t {
			return &typeMismatchError{Model: model, From: from, To: to, FromType: ft, ToType: tt, Version: c.v, Registered: reg, Missing: err != nil}
		}
	}
	return nil
}

// typeMismatchError is the registration error of a typed step whose
// types are not those registered for its versions.
type typeMismatchError struct {
	Model      string
	From, To   Version
	FromType   reflect.Type
	ToType     reflect.Type
	Version    Version
	Registered reflect.Type // nil: the version is not registered from a Go struct
	Missing    bool         // the version is not registered at all
}

func (e *typeMismatchError) Error() string {
	what := "is not registered from a Go struct"
	switch {
	case e.Missing:
		what = "is not registered (register it with core.Register first)"
	case e.Registered != nil:
		what = "is registered as " + e.Registered.String()
	}
	return fmt.Sprintf("register typed migration %q %s → %s: invalid model: the step takes %s and returns %s, but %s %s %s",
		e.Model, e.From, e.To, e.FromType, e.ToType, e.Model, e.Version, what)
}

func (e *typeMismatchError) Is(target error) bool { return target == ErrInvalidModel }
func (e *typeMismatchError) ErrorType() string    { return "invalid_model" }

// typedStep is a registered typed migration in the forms the engine calls
// it: on records (mapped), and on structs, where [Convert] calls it with
// no conversion: only (From → To), first (From → *next), mid (*From →
// *To) and last (*From → To), each recovering a panic as a *PanicError.
type typedStep struct {
	from, to reflect.Type
	mapped   MigrationFunc
	only     any // func(context.Context, From) (To, error)
	first    any // func(context.Context, From, unsafe.Pointer) error
	last     any // func(context.Context, unsafe.Pointer) (To, error)
	mid      func(ctx context.Context, in, out unsafe.Pointer) error

	// decode reads a JSON object into a new From, refusing fields it does
	// not declare; encode writes a To as JSON.
	decode func(b []byte, c JSONCodec, dst unsafe.Pointer) error
	encode func(p unsafe.Pointer, prefix []byte, size int, c JSONCodec) ([]byte, error)
	flat   bool // From holds no struct decoded field by field below its top: its top-level keys say whether an input fits

	fromCodec, toCodec *structCodec

	// out keeps zeroed To values to hold a step's result until the next
	// step has read it; in, zeroed From values for MigrateJSON to decode
	// into when no hook may keep a view of them.
	out, in valuePool

	shape atomic.Pointer[keyShape] // the last key sequence MigrateJSON let through
}

// release puts a result buffer of ts back in its pool; a nil ts holds no
// buffer (the value is not the engine's to keep).
func (ts *typedStep) release(p unsafe.Pointer) {
	if ts != nil {
		ts.out.put(p)
	}
}

// valuePool keeps zeroed values of one Go type, by pointer.
type valuePool struct {
	pool  sync.Pool
	zero  func(unsafe.Pointer)  // zeroes a value, so that a kept one holds nothing
	fresh func() unsafe.Pointer // a new value, never kept
}

// initValuePool makes vp a pool of T values.
func initValuePool[T any](vp *valuePool) {
	vp.zero = func(p unsafe.Pointer) { *(*T)(p) = *new(T) }
	vp.fresh = func() unsafe.Pointer { return unsafe.Pointer(new(T)) }
	vp.pool.New = func() any { return vp.fresh() }
}

func (vp *valuePool) get() unsafe.Pointer { return vp.pool.Get().(unsafe.Pointer) }

func (vp *valuePool) put(p unsafe.Pointer) {
	vp.zero(p)
	vp.pool.Put(p)
}

// encoder is a json.Encoder writing into a prefixed buffer, kept in
// encoders between calls.
type encoder struct {
	w   prefixed
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.w)
	e.enc.SetEscapeHTML(false)
	return e
}}

// encodeObject encodes v, a JSON object, after prefix (see prefixed),
// into a new slice of capacity size, HTML left as it is.
func encodeObject(v any, prefix []byte, size int) ([]byte, error) {
	e := encoders.Get().(*encoder)
	e.w.b, e.w.n = append(make([]byte, 0, size), prefix...), len(prefix)
	if err := e.enc.Encode(v); err != nil {
		return nil, err // e is not kept: a failed write would stay in it
	}
	out := e.w.b
	e.w.b = nil
	encoders.Put(e)
	return out, nil
}

func newTypedStep[From, To any](m *Manager, model string, from Version, fn func(context.Context, From) (To, error)) *typedStep {
	ts := &typedStep{from: reflect.TypeFor[From](), to: reflect.TypeFor[To]()}
	initValuePool[To](&ts.out)
	initValuePool[From](&ts.in)
	ts.flat = !hasNestedStruct(ts.from, true, map[reflect.Type]bool{})
	ts.decode = func(b []byte, c JSONCodec, dst unsafe.Pointer) error {
		// Only for an input that fits From at every level (the caller
		// checked: declaredOnly, fitsObject); dst is a zeroed From.
		if c != nil {
			return c.Unmarshal(b, (*From)(dst))
		}
		return json.Unmarshal(b, (*From)(dst))
	}
	ts.encode = func(p unsafe.Pointer, prefix []byte, size int, c JSONCodec) ([]byte, error) {
		if c == nil {
			return encodeObject((*To)(p), prefix, size)
		}
		b, err := c.Marshal((*To)(p))
		if err != nil {
			return nil, err
		}
		w := prefixed{b: append(make([]byte, 0, size), prefix...), n: len(prefix)}
		_, err = w.Write(b)
		return w.b, err
	}
	ts.only = func(ctx context.Context, in From) (out To, err error) {
		defer recoverPanic(&err)
		return fn(ctx, in)
	}
	ts.first = func(ctx context.Context, in From, out unsafe.Pointer) (err error) {
		defer recoverPanic(&err)
		*(*To)(out), err = fn(ctx, in)
		return err
	}
	ts.last = func(ctx context.Context, in unsafe.Pointer) (out To, err error) {
		defer recoverPanic(&err)
		return fn(ctx, *(*From)(in))
	}
	ts.mid = func(ctx context.Context, in, out unsafe.Pointer) (err error) {
		defer recoverPanic(&err)
		*(*To)(out), err = fn(ctx, *(*From)(in))
		return err
	}
	fromCodec, toCodec := m.codecs.structCodec(ts.from), m.codecs.structCodec(ts.to)
	ts.fromCodec, ts.toCodec = fromCodec, toCodec
	ts.mapped = func(ctx context.Context, d Data) (Data, error) {
		var in From
		known, p := fromCodec.decode(d, reflect.ValueOf(&in).Elem(), true)
		if p != nil {
			return nil, &ValidationError{Model: model, Version: from, Field: p.field, Reason: p.reason}
		}
		out, err := fn(ctx, in) // the engine's step recovers a panic
		if err != nil {
			return nil, err
		}
		res := toCodec.encode(reflect.ValueOf(&out).Elem())
		if known < len(d) {
			carry(res, d, fromCodec, toCodec)
		}
		return res, nil
	}
	return ts
}

// prefixed receives an encoded object (with the newline json.Encoder
// ends it with) after a prefix that opens it and ends with a comma: the
// object's opening brace and the newline are dropped, and the comma too
// when the object is empty. With no prefix, only the newline is dropped.
type prefixed struct {
	b []byte
	n int // the prefix's length
}

func (w *prefixed) Write(p []byte) (int, error) {
	body := bytes.TrimSuffix(p, []byte("\n"))
	switch {
	case w.n == 0:
		w.b = append(w.b, body...)
	case len(body) < 2:
		return 0, errShortObject
	case len(bytes.TrimSpace(body[1:len(body)-1])) == 0:
		w.b = append(w.b[:w.n-1], '}')
	default:
		w.b = append(w.b, body[1:]...)
	}
	return len(p), nil
}

var errShortObject = errors.New("not an object")

// hasNestedStruct reports whether decoding a t with encoding/json decodes
// a struct field by field below the top (top: t itself is the top), where
// a JSON object could hold fields the struct does not declare.
func hasNestedStruct(t reflect.Type, top bool, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
			return false
		}
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return hasNestedStruct(t.Elem(), false, seen)
	case reflect.Struct:
		if !top {
			return true
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
					if hasNestedStruct(ft, true, seen) {
						return true
					}
					continue
				}
			}
			if hasNestedStruct(f.Type, false, seen) {
				return true
			}
		}
	}
	return false
}

// carry copies into out the fields of in that neither the step's input
// type nor its output type declares: the function never saw them.
func carry(out, in Data, from, to *structCodec) {
	for k, v := range in {
		if !from.declares(k) && !to.declares(k) {
			out[k] = v
		}
	}
}

// recoverPanic turns a panic of a typed function into a *PanicError.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}
