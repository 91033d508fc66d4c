package core

import (
	"context"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// Convert migrates in, a record of model as the Go struct From, to the
// version the Go struct To is registered for: From and To each name the
// version they are registered for ([Register]); a type registered for no
// version of model, or for two, is an error that says so. The hooks,
// errors and guarantees are [Manager.Migrate]'s.
//
// When every step of the path is typed ([RegisterTyped]), no record is
// built: the functions are called on the structs, and the hooks see the
// data through views built only when a hook reads a value. A typed result
// is valid by construction (its Go type is the version's description), so
// it is not validated again; the [Validator] hooks run. Otherwise in is
// converted to its record form, migrated as [Manager.Migrate] does, and
// the result converted to a To: fields of the result that To does not
// declare are not part of a To.
func Convert[From, To any](ctx context.Context, m *Manager, model string, in From) (To, error) {
	var zero To
	if ctx == nil {
		ctx = context.Background()
	}
	reg := m.registry()
	cv, err := m.conversion(reg, model, reflect.TypeFor[From](), reflect.TypeFor[To]())
	if err != nil {
		return zero, err
	}
	if cv.plan != nil && cv.plan.allTyped {
		hs := m.hookSet(ctx)
		if hs.Len() == 0 {
			return typedSteps[From, To](ctx, nil, model, cv.plan, &in)
		}
		return convertObserved[From, To](ctx, m, hs, model, cv.plan, in)
	}
	return convertRecords[From, To](ctx, m, model, cv.from, cv.to, in)
}

// conversion is what Convert found for a model and two Go types: their
// versions and the plan between them (nil when there is none, or they
// are the same version).
type conversion struct {
	reg      *registry
	model    string
	fromType reflect.Type
	toType   reflect.Type
	from, to Version
	plan     *plan
}

// conversion finds the versions of two Go types and the plan between
// them. The last one found is kept aside (for the registry snapshot it
// was found in), so that a run of the same conversion hashes nothing.
func (m *Manager) conversion(reg *registry, model string, ft, tt reflect.Type) (*conversion, error) {
	if c := m.lastConv.Load(); c != nil && c.reg == reg && c.fromType == ft && c.toType == tt && c.model == model {
		return c, nil
	}
	fv, err := reg.versionOfType(model, ft)
	if err != nil {
		return nil, err
	}
	tv, err := reg.versionOfType(model, tt)
	if err != nil {
		return nil, err
	}
	c := &conversion{reg: reg, model: model, fromType: ft, toType: tt, from: fv, to: tv}
	if mr := reg.models[model]; fv != tv && mr != nil {
		c.plan = mr.lookup(fv, tv)
	}
	m.lastConv.Store(c)
	return c, nil
}

// versionOfType returns the one version of model that Go type t is
// registered for.
func (r *registry) versionOfType(model string, t reflect.Type) (Version, error) {
	var found Version
	n := 0
	for _, ref := range r.byType[t] {
		if ref.model == model {
			found = ref.version
			n++
		}
	}
	if n != 1 {
		e := &TypeError{Model: model, Type: t}
		for _, ref := range r.byType[t] {
			if ref.model == model {
				e.Versions = append(e.Versions, ref.version)
			}
		}
		return Version{}, e
	}
	return found, nil
}

// TypeError is the error of [Convert] for a Go type that does not name one
// version of the model: registered for none (it matches
// [ErrModelNotFound]) or for several (it matches [ErrInvalidModel]).
type TypeError struct {
	Model    string
	Type     reflect.Type
	Versions []Version // the versions it is registered for
}

func (e *TypeError) Error() string {
	if len(e.Versions) == 0 {
		return "model not found: Go type " + e.Type.String() + " is registered for no version of " + strconv.Quote(e.Model)
	}
	return "invalid model: Go type " + e.Type.String() + " is registered for " + strconv.Itoa(len(e.Versions)) +
		" versions of " + strconv.Quote(e.Model) + " (" + e.Versions[0].String() + ", " + e.Versions[1].String() +
		"): it cannot name the version to convert from or to"
}

// Is matches ErrModelNotFound or ErrInvalidModel, as Error says.
func (e *TypeError) Is(target error) bool {
	if len(e.Versions) == 0 {
		return target == ErrModelNotFound
	}
	return target == ErrInvalidModel
}

// ErrorType is "model_not_found" or "invalid_model".
func (e *TypeError) ErrorType() string {
	if len(e.Versions) == 0 {
		return "model_not_found"
	}
	return "invalid_model"
}

// typedSteps runs the typed steps of pl on in, with no record: a path of
// one step calls the function with no conversion at all; a longer one
// keeps each intermediate struct in a buffer of its own. x, if not nil,
// is the migration whose step observers see each step.
func typedSteps[From, To any](ctx context.Context, x *migration, model string, pl *plan, in *From) (To, error) {
	var zero To
	steps := pl.steps
	n := len(steps)
	if err := stepCtx(ctx, model, &steps[0]); err != nil {
		return zero, err
	}
	if n == 1 {
		call, _ := steps[0].typed.only.(func(context.Context, From) (To, error))
		sctx, done := x.beginStep(ctx, 0, &steps[0])
		out, err := call(sctx, *in)
		if err = done(model, &steps[0], err); err != nil {
			return zero, err
		}
		return out, nil
	}
	first, _ := steps[0].typed.first.(func(context.Context, From, unsafe.Pointer) error)
	buf := steps[0].typed.out.get()
	sctx, done := x.beginStep(ctx, 0, &steps[0])
	if err := done(model, &steps[0], first(sctx, *in, buf)); err != nil {
		steps[0].typed.out.put(buf)
		return zero, err
	}
	buf, holder, err := midSteps(ctx, x, model, steps[1:n-1], 1, buf, steps[0].typed, false)
	if err != nil {
		return zero, err
	}
	st := &steps[n-1]
	if err := stepCtx(ctx, model, st); err != nil {
		holder.out.put(buf)
		return zero, err
	}
	last, _ := st.typed.last.(func(context.Context, unsafe.Pointer) (To, error))
	sctx, done = x.beginStep(ctx, n-1, st)
	out, err := last(sctx, buf)
	holder.out.put(buf)
	if err = done(model, st, err); err != nil {
		return zero, err
	}
	return out, nil
}

// midSteps runs steps (the first of them step offset of the path) with
// their mid form, from the struct at cur, held in a buffer of holder's
// (nil: not ours to release). Each result goes into a buffer of its step,
// the last one into a new value nothing else holds when keep is set; it
// returns the last result and its holder.
func midSteps(ctx context.Context, x *migration, model string, steps []planStep, offset int, cur unsafe.Pointer, holder *typedStep, keep bool) (unsafe.Pointer, *typedStep, error) {
	for i := range steps {
		st := &steps[i]
		if err := stepCtx(ctx, model, st); err != nil {
			holder.release(cur)
			return nil, nil, err
		}
		next, nextHolder := unsafe.Pointer(nil), st.typed
		if keep && i == len(steps)-1 {
			next, nextHolder = reflect.New(st.typed.to).UnsafePointer(), nil
		} else {
			next = st.typed.out.get()
		}
		sctx, done := x.beginStep(ctx, offset+i, st)
		err := done(model, st, st.typed.mid(sctx, cur, next))
		holder.release(cur)
		holder, cur = nextHolder, next
		if err != nil {
			holder.release(cur)
			return nil, nil, err
		}
	}
	return cur, holder, nil
}

// stepCtx is the error of a step that ctx ended before.
func stepCtx(ctx context.Context, model string, st *planStep) error {
	if err := ctx.Err(); err != nil {
		return &MigrationError{Model: model, From: st.from, To: st.to, Reason: "canceled before the step", Err: ctxError(ctx)}
	}
	return nil
}

// stepEnd ends a typed step: its error as the migration's.
type stepEnd func(model string, st *planStep, err error) error

// plainEnd ends a step no observer sees.
func plainEnd(model string, st *planStep, err error) error {
	if err == nil {
		return nil
	}
	return &MigrationError{Model: model, From: st.from, To: st.to, Err: err}
}

// beginStep starts step i for the step observers of x, if any, and
// returns the ctx the step runs under and its end.
func (x *migration) beginStep(ctx context.Context, i int, st *planStep) (context.Context, stepEnd) {
	if x == nil || !x.hs.HasStepObservers() {
		return ctx, plainEnd
	}
	step := Step{Index: i, From: st.from, To: st.to}
	si := new(stepInvocation)
	sctx := x.inv.BeforeStep(ctx, &x.e, &step, si)
	return sctx, func(model string, st *planStep, err error) error {
		err = plainEnd(model, st, err)
		si.AfterStep(&x.e, &step, err)
		return err
	}
}

// convertObserved is Convert on a typed path with hooks: they see the
// input and the result through views built when they read a value.
func convertObserved[From, To any](ctx context.Context, m *Manager, hs *hookSet, model string, pl *plan, in From) (To, error) {
	var out To
	first, last := pl.steps[0].typed, pl.steps[len(pl.steps)-1].typed
	input := lazyRecord(first.fromCodec, reflect.ValueOf(&in).Elem())
	err := m.observeTyped(ctx, hs, model, pl, input, func(hctx context.Context, x *migration) (Record, error) {
		var err error
		if out, err = typedSteps[From, To](hctx, x, model, pl, &in); err != nil {
			return Record{}, err
		}
		return lazyRecord(last.toCodec, reflect.ValueOf(&out).Elem()), nil
	})
	if err != nil {
		var zero To
		return zero, err
	}
	return out, nil
}

// observeTyped runs a typed path between the hooks: BeforeMigrate with
// the input's view, run (the steps, under the hooks' ctx, which returns
// the result's view), the Validators, and AfterMigrate or OnError.
func (m *Manager) observeTyped(ctx context.Context, hs *hookSet, model string, pl *plan, input Record, run func(hctx context.Context, x *migration) (Record, error)) error {
	x := &migration{hs: hs, pl: pl, e: Event{Model: model, From: pl.path[0], To: pl.path[len(pl.path)-1], Path: pl.hookPath, Data: input}}
	x.e.Start = m.clock.now()
	hctx := hs.BeforeMigrate(ctx, &x.e, &x.inv)
	res, err := run(hctx, x)
	if err == nil && hs.HasValidators() {
		if h, verr := x.inv.Validate(&x.e, res); verr != nil {
			err = &MigrationError{Model: model, From: x.e.From, To: x.e.To, Err: rejected(x.e, h, verr)}
		}
	}
	x.e.Elapsed = time.Since(x.e.Start)
	defer pl.repair()
	if err != nil {
		x.inv.OnError(&x.e, err)
		return err
	}
	x.inv.AfterMigrate(&x.e, res)
	return nil
}

// convertRecords is Convert on a path that is not all typed: through the
// record form.
func convertRecords[From, To any](ctx context.Context, m *Manager, model string, from, to Version, in From) (To, error) {
	var zero To
	d := m.codecs.structCodec(reflect.TypeFor[From]()).encode(reflect.ValueOf(&in).Elem())
	out, err := m.run(ctx, d, model, from, to, runValidate)
	if err != nil {
		return zero, err
	}
	return decodeAs[To](m, out, model, from, to)
}

// decodeAs converts a migrated record to a T, leniently: fields that T
// does not declare are not part of a T.
func decodeAs[T any](m *Manager, d Data, model string, from, to Version) (T, error) {
	var out T
	c := m.codecs.of(reflect.TypeFor[T]())
	if p := c.dec(d, reflect.ValueOf(&out).Elem(), false); p != nil {
		return out, &MigrationError{Model: model, From: from, To: to, Reason: "cannot convert the result to " + reflect.TypeFor[T]().String(),
			Err: &ValidationError{Model: model, Version: to, Field: p.field, Reason: p.reason}}
	}
	return out, nil
}
