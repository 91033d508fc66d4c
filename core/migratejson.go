package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/transmute-go/transmute/internal/jsonscan"
)

// MigrateJSON migrates a record given as JSON and returns the result as
// JSON: [Manager.Migrate] (or, with from "", [Manager.MigrateTo], which
// reads the version from the record's version key), with the same hooks,
// errors and guarantees; to may be [Latest]. The input must be one JSON
// object ([DecodeJSON]'s rules). The result carries the target version in
// the manager's version key, if it has one; HTML characters are not
// escaped, and the order of its keys is not part of the contract.
//
// When every step of the path is typed ([RegisterTyped]), the input is
// decoded straight into the first step's Go struct and the result encoded
// straight from the last step's, with no record built unless a hook reads
// the data, provided that the input fits the struct at every level: every
// field, nested records' included, declared by its struct (or the
// version key, at the top), the required ones there and none that cannot
// be null is; otherwise the record path runs, which carries or refuses
// such fields as [RegisterTyped] says.
func (m *Manager) MigrateJSON(ctx context.Context, in []byte, model, from, to string) ([]byte, error) {
	return m.migrateJSONTo(ctx, in, model, from, to, nil)
}

// MigrateJSONValue is [Manager.MigrateJSON] that also returns the result
// as the Go struct of the target version (a pointer to a new value, as
// any) when the typed path built it; nil when the record path ran (then
// decode the JSON). For a caller that would decode the result again.
func (m *Manager) MigrateJSONValue(ctx context.Context, in []byte, model, from, to string) ([]byte, any, error) {
	var v any
	out, err := m.migrateJSONTo(ctx, in, model, from, to, &v)
	if err != nil {
		return nil, nil, err
	}
	return out, v, nil
}

// migrateJSONTo is MigrateJSON with its versions as given, keeping the
// typed result in keep if not nil.
func (m *Manager) migrateJSONTo(ctx context.Context, in []byte, model, from, to string, keep *any) ([]byte, error) {
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return nil, err
	}
	var fv Version
	if from != "" {
		if fv, err = ParseVersion(from); err != nil {
			return nil, err
		}
	}
	return m.migrateJSON(ctx, in, model, fv, tv, from == "", true, nil, keep)
}

// migrateJSON migrates one JSON record from fv (with fromRecord, the
// record's version, fv for a record that carries none) to tv, validated
// or not; the structs of a typed path with codec (nil: encoding/json).
func (m *Manager) migrateJSON(ctx context.Context, in []byte, model string, fv, tv Version, fromRecord, validate bool, codec JSONCodec, keep *any) ([]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var buf [32]jsonscan.Member
	if members, ok := jsonscan.Members(in, buf[:0]); ok {
		mr := m.registry().models[model]
		from := fv
		if fromRecord {
			if v, has := m.versionIn(in, members, mr); has {
				from = v // zero for a version key the scan cannot read: the record path says why
			}
		}
		if out, done, err := m.migrateJSONTyped(ctx, in, members, mr, model, from, tv, codec, keep); done {
			return out, err
		}
	}
	return m.migrateJSONRecord(ctx, in, model, fv, tv, fromRecord, validate)
}

// versionIn reads the version key from the scanned members of a record of
// mr's model (nil: unknown): has says whether the record has the key; v
// is its version, zero unless it holds a plain version string.
func (m *Manager) versionIn(in []byte, members []jsonscan.Member, mr *modelReg) (v Version, has bool) {
	key := m.cfg.versionKey
	if key == "" {
		return Version{}, false
	}
	for _, mb := range members {
		if string(mb.Key) != key {
			continue
		}
		raw := in[mb.ValStart:mb.ValEnd]
		if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw[1:len(raw)-1], '\\') >= 0 {
			return Version{}, true
		}
		if mr != nil {
			if v, ok := mr.graph.byText[string(raw[1:len(raw)-1])]; ok {
				return v, true // a known version, read with no allocation
			}
		}
		v, _ := ParseVersion(string(raw[1 : len(raw)-1]))
		return v, true
	}
	return Version{}, false
}

// migrateJSONRecord is migrateJSON through the record form.
func (m *Manager) migrateJSONRecord(ctx context.Context, in []byte, model string, fv, tv Version, fromRecord, validate bool) ([]byte, error) {
	d, err := DecodeJSON(in)
	if err != nil {
		return nil, &MigrationError{Model: model, From: fv, To: tv, Reason: "cannot decode the record", Err: err}
	}
	mode := runTop
	if validate {
		mode |= runValidate
	}
	var out Data
	if fromRecord {
		out, err = m.runItem(ctx, d, model, fv, tv, batchConfig{fromRecord: true, noValidate: !validate})
	} else {
		out, err = m.run(ctx, d, model, fv, tv, mode)
	}
	if err != nil {
		return nil, err
	}
	b, err := encodeObject(out, nil, len(in)+64)
	if err != nil {
		return nil, &MigrationError{Model: model, From: fv, To: tv, Reason: "cannot encode the result", Err: ErrInvalidData}
	}
	return b, nil
}

// migrateJSONTyped is MigrateJSON on a path of typed steps only, from
// struct to struct; done is false when it does not apply (the path is not
// all typed, or the input has fields the first struct does not declare,
// or does not decode into it), and the record path must run.
func (m *Manager) migrateJSONTyped(ctx context.Context, in []byte, members []jsonscan.Member, mr *modelReg, model string, fv, tv Version, codec JSONCodec, keep *any) (out []byte, done bool, err error) {
	if fv.IsZero() || fv == tv || mr == nil {
		return nil, false, nil
	}
	pl := mr.lookup(fv, tv)
	if pl == nil || !pl.allTyped {
		return nil, false, nil
	}
	first := pl.steps[0].typed
	if first.flat && !m.declaredOnly(in, members, first) || !first.flat && !first.fromCodec.fitsObject(in, m.cfg.versionKey) {
		// encoding/json would drop or zero what the record path refuses:
		// the record path says why.
		return nil, false, nil
	}
	hs := m.hookSet(ctx)
	pooled := hs.Len() == 0 // with hooks, the input and the result are values a hook may keep a view of
	var src unsafe.Pointer
	if pooled {
		src = first.in.get()
	} else {
		src = first.in.fresh()
	}
	if derr := first.decode(in, codec, src); derr != nil {
		if pooled {
			first.in.put(src)
		}
		return nil, false, nil
	}
	b, err := m.typedJSON(ctx, hs, pl, model, src, len(in)+64, codec, keep, func() {
		if pooled {
			first.in.put(src)
		}
	})
	return b, true, err
}

// typedJSON runs the typed steps of pl from the struct at src and encodes
// the result, with the hooks hs, keeping a copy of it in keep if not nil;
// release is called once src is no longer read.
func (m *Manager) typedJSON(ctx context.Context, hs *hookSet, pl *plan, model string, src unsafe.Pointer, size int, codec JSONCodec, keep *any, release func()) ([]byte, error) {
	last := pl.steps[len(pl.steps)-1].typed
	var b []byte
	err := m.typedRun(ctx, hs, pl, model, src, release, func(res unsafe.Pointer) error {
		if keep != nil { // a copy of the result, for the caller
			v := reflect.New(last.to)
			v.Elem().Set(reflect.NewAt(last.to, res).Elem())
			*keep = v.Interface()
		}
		var err error
		if b, err = last.encode(res, m.stampPrefix(pl), size, codec); err != nil {
			return &MigrationError{Model: model, From: pl.path[0], To: pl.path[len(pl.path)-1], Reason: "cannot encode the result", Err: ErrInvalidData}
		}
		return nil
	})
	return b, err
}

// typedRun runs the typed steps of pl from the struct at src, with the
// hooks hs, and hands the result to finish before its buffer goes back;
// release is called once src is no longer read.
func (m *Manager) typedRun(ctx context.Context, hs *hookSet, pl *plan, model string, src unsafe.Pointer, release func(), finish func(res unsafe.Pointer) error) error {
	var res unsafe.Pointer
	var holder *typedStep // the step whose buffer holds the result; nil: a value a hook may keep
	var err error
	if hs.Len() == 0 {
		res, holder, err = midSteps(ctx, nil, model, pl.steps, 0, src, nil, false)
	} else {
		res, err = m.observedPointers(ctx, hs, model, pl, src)
	}
	release()
	if err != nil {
		return err
	}
	err = finish(res)
	holder.release(res)
	return err
}

// MigrateStructJSON is [Manager.MigrateJSON] for a record given as a
// pointer to the Go struct registered for model at from: the result as
// JSON, with the same hooks, errors and guarantees, to may be [Latest].
// When every step of the path is typed, the functions are called on the
// struct, which is not encoded first nor modified; otherwise it is encoded
// and migrated as MigrateJSON does. A value that is not a non-nil pointer
// to that struct is an error matching [ErrInvalidModel].
func (m *Manager) MigrateStructJSON(ctx context.Context, v any, model, from, to string) ([]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	pl, fv, tv, rv, err := m.structPlan(v, model, from, to)
	if err != nil {
		return nil, err
	}
	if pl != nil {
		return m.typedJSON(ctx, m.hookSet(ctx), pl, model, rv.UnsafePointer(), 512, nil, nil, func() {})
	}
	return m.structJSON(ctx, v, model, fv, tv)
}

// structPlan checks that v is a pointer to the Go struct of model at from
// and returns the plan to to when every step of it is typed (nil
// otherwise, or when from is to).
func (m *Manager) structPlan(v any, model, from, to string) (*plan, Version, Version, reflect.Value, error) {
	rv := reflect.ValueOf(v)
	fv, err := ParseVersion(from)
	if err != nil {
		return nil, fv, fv, rv, err
	}
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return nil, fv, tv, rv, err
	}
	reg := m.registry()
	mv, err := reg.modelVersion(model, fv)
	if err != nil {
		return nil, fv, tv, rv, err
	}
	if mv.goType == nil || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem() != mv.goType {
		return nil, fv, tv, rv, fmt.Errorf("migrate %q %s: %w: a %T is not a pointer to the Go struct registered for the version", model, fv, ErrInvalidModel, v)
	}
	if mr := reg.models[model]; fv != tv && mr != nil {
		if pl := mr.lookup(fv, tv); pl != nil && pl.allTyped {
			return pl, fv, tv, rv, nil
		}
	}
	return nil, fv, tv, rv, nil
}

// structJSON migrates a struct through its JSON, the record path.
func (m *Manager) structJSON(ctx context.Context, v any, model string, fv, tv Version) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &MigrationError{Model: model, From: fv, To: tv, Reason: "cannot encode the record", Err: ErrInvalidData}
	}
	return m.migrateJSON(ctx, b, model, fv, tv, false, true, nil, nil)
}

// stampPrefix returns the start of an encoded result that sets the
// version key to the plan's target, such as {"schema_version":"3.0.0",
// (nil when the manager has no version key): made once per plan, whose
// registry is the manager's.
func (m *Manager) stampPrefix(pl *plan) []byte {
	key := m.cfg.versionKey
	if key == "" {
		return nil
	}
	if p := pl.stamp.Load(); p != nil {
		return *p
	}
	b := strconv.AppendQuote([]byte{'{'}, key)
	b = append(b, ':', '"')
	b = append(pl.path[len(pl.path)-1].appendText(b), '"', ',')
	pl.stamp.Store(&b)
	return b
}

// declaredOnly reports whether the input can be decoded straight into
// the first step's struct: every top-level field but the version key is
// one the struct declares, none that cannot be null is, and every field
// it requires is there. Otherwise the record path says what is wrong. The
// last key sequence that passed is kept on the step: records of a stream
// share it, and then only the keys and the nulls are compared.
func (m *Manager) declaredOnly(in []byte, members []jsonscan.Member, ts *typedStep) bool {
	if ks := ts.shape.Load(); ks != nil && ks.matches(in, members) {
		return true
	}
	key, sc := m.cfg.versionKey, ts.fromCodec
	ks := &keyShape{keys: make([]string, len(members)), notNull: make([]bool, len(members))}
	required := 0
	for i, mb := range members {
		ks.keys[i] = string(mb.Key)
		if key != "" && ks.keys[i] == key {
			continue
		}
		f, ok := sc.fieldBytes(mb.Key)
		if !ok || !f.nullable && string(in[mb.ValStart:mb.ValEnd]) == "null" {
			return false
		}
		ks.notNull[i] = !f.nullable
		if f.required {
			required++
		}
	}
	if required != sc.required {
		return false
	}
	ts.shape.Store(ks)
	return true
}

// keyShape is a sequence of top-level keys that declaredOnly let through,
// with whether each field cannot be null.
type keyShape struct {
	keys    []string
	notNull []bool
}

// matches reports whether the members have the shape's keys, in its
// order, with no null where the shape's field cannot hold one.
func (ks *keyShape) matches(in []byte, members []jsonscan.Member) bool {
	if len(members) != len(ks.keys) {
		return false
	}
	for i, mb := range members {
		if string(mb.Key) != ks.keys[i] || ks.notNull[i] && string(in[mb.ValStart:mb.ValEnd]) == "null" {
			return false
		}
	}
	return true
}

// observedPointers runs the typed steps of pl between the hooks: they see the input
// and the result through views built when they read a value, so the
// result is a value of its own (a hook may keep its view).
func (m *Manager) observedPointers(ctx context.Context, hs *hookSet, model string, pl *plan, in unsafe.Pointer) (unsafe.Pointer, error) {
	first, last := pl.steps[0].typed, pl.steps[len(pl.steps)-1].typed
	var out unsafe.Pointer
	err := m.observeTyped(ctx, hs, model, pl, lazyRecord(first.fromCodec, reflect.NewAt(first.from, in).Elem()),
		func(hctx context.Context, x *migration) (Record, error) {
			var err error
			if out, _, err = midSteps(hctx, x, model, pl.steps, 0, in, nil, true); err != nil {
				return Record{}, err
			}
			return lazyRecord(last.toCodec, reflect.NewAt(last.to, out).Elem()), nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TypedPath reports whether every step from one version of model to
// another is typed ([RegisterTyped]), so that [Manager.MigrateJSON] and
// [Manager.MigrateBatchJSON] decode and encode Go structs with no record
// in between: a tool that reads JSON can then hand it the bytes as they
// are. With from "" (each record's own version) it reports whether that
// holds from every registered version other than to that has a path to
// it. to may be [Latest]; a bad version or an unknown model is an error.
func (m *Manager) TypedPath(model, from, to string) (bool, error) {
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return false, err
	}
	mr := m.registry().models[model]
	if mr == nil {
		return false, &NotFoundError{Model: model}
	}
	froms := mr.versions
	if from != "" {
		fv, err := ParseVersion(from)
		if err != nil {
			return false, err
		}
		froms = []Version{fv}
	}
	found := false
	for _, fv := range froms {
		if fv == tv {
			continue
		}
		pl := mr.lookup(fv, tv)
		if pl == nil {
			continue
		}
		if !pl.allTyped {
			return false, nil
		}
		found = true
	}
	return found, nil
}
