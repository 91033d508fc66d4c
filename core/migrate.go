package core

import (
	"context"
	"maps"
	"reflect"
	"runtime/debug"
	"strconv"
	"time"
)

// MigrateData migrates data of model from one version to another, with no
// validation of the result (the [Validator] hooks still run). The caller's
// map is never modified, even by a failed migration (the engine works on a
// deep copy, unless [WithoutInputCopy]); when from == to it returns
// data itself, looks nothing up and fires no hooks.
//
// Every failure is a *[MigrationError], except a bad version string
// (*[VersionError]). The bad arguments (a bad version string, nil data)
// are returned before any hook runs; every other failure reaches the
// hooks' OnError. A ctx that ends stops the migration before its next
// step, with an error that matches ctx.Err() (and its cause, if any).
func (m *Manager) MigrateData(ctx context.Context, data Data, model, from, to string) (Data, error) {
	fv, tv, err := parsePair(from, to)
	if err != nil {
		return nil, err
	}
	return m.run(ctx, data, model, fv, tv, runTop)
}

// Migrate is [Manager.MigrateData] followed by the validation of the result
// against the target version of the model: required fields present and
// each value of a JSON kind that decodes into the field's type. A failure
// matches [ErrValidation] and its *[ValidationError] names the field; the
// hooks see it through OnError.
func (m *Manager) Migrate(ctx context.Context, data Data, model, from, to string) (Data, error) {
	fv, tv, err := parsePair(from, to)
	if err != nil {
		return nil, err
	}
	return m.run(ctx, data, model, fv, tv, runTop|runValidate)
}

// MigrateVersions is [Manager.Migrate] with parsed versions.
func (m *Manager) MigrateVersions(ctx context.Context, data Data, model string, from, to Version) (Data, error) {
	return m.run(ctx, data, model, from, to, runTop|runValidate)
}

// MigrateAs migrates data like [Manager.Migrate] and converts the result
// to a T (usually the Go struct registered for to), with the converter of
// [Convert], not through JSON: fields of the result that T does not
// declare are not part of a T. to may be [Latest], and from may be "",
// which takes the version from the record's version key as
// [Manager.MigrateTo] does: MigrateAs[OrderV3](ctx, m, row, "Order", "",
// core.Latest) is the one call from a stored record to the newest struct.
func MigrateAs[T any](ctx context.Context, m *Manager, data Data, model, from, to string) (T, error) {
	var zero T
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return zero, err
	}
	var d Data
	var fv Version
	if from == "" {
		d, err = m.MigrateTo(ctx, data, model, tv.String())
		if err == nil {
			fv, _ = m.VersionOf(data)
		}
	} else {
		if fv, err = ParseVersion(from); err != nil {
			return zero, err
		}
		d, err = m.run(ctx, data, model, fv, tv, runTop|runValidate)
	}
	if err != nil {
		return zero, err
	}
	return decodeAs[T](m, d, model, fv, tv)
}

// runMode says how run migrates.
type runMode uint8

const (
	runValidate runMode = 1 << iota // validate the result against the target version
	runTop                          // a record of its own, not a nested one: its version key is set
)

// run is the one migration routine; batches, streams and nested models
// all come through here.
func (m *Manager) run(ctx context.Context, data Data, model string, from, to Version, mode runMode) (Data, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if data == nil {
		return nil, &MigrationError{Model: model, From: from, To: to, Reason: "nil data", Err: ErrInvalidData}
	}
	reg := m.registry()
	if from == to {
		return reg.unchanged(data, model, to, mode&runValidate != 0)
	}
	x := migration{reg: reg, hs: m.hookSet(ctx), e: Event{Model: model, From: from, To: to, Data: Record{m: data}}}
	if mode&runTop != 0 {
		x.versionKey = m.cfg.versionKey
	}
	perr := x.prepare(mode&runValidate != 0)
	if x.hs.Len() == 0 {
		out, err := m.execute(ctx, &x, data, perr)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	x.e.Start = m.clock.now()
	hctx := x.hs.BeforeMigrate(ctx, &x.e, &x.inv)
	out, err := m.execute(hctx, &x, data, perr)
	x.e.Elapsed = time.Since(x.e.Start)
	if err != nil {
		x.inv.OnError(&x.e, err)
		x.pl.repair()
		return nil, err
	}
	x.inv.AfterMigrate(&x.e, Record{m: out})
	x.pl.repair()
	return out, nil
}

// unchanged is a migration to the same version: data itself, validated
// when asked, with no hooks.
func (r *registry) unchanged(data Data, model string, v Version, validate bool) (Data, error) {
	if validate {
		if err := r.validate(model, v, data); err != nil {
			return nil, &MigrationError{Model: model, From: v, To: v, Err: err}
		}
	}
	return data, nil
}

// migration is one run of the engine between its hooks' BeforeMigrate and
// their end.
type migration struct {
	reg    *registry
	hs     *hookSet
	inv    invocation
	e      Event
	pl     *plan
	target *modelVersion // the version the result is validated against, if any

	versionKey string // the field of the result to set to the target version, if any
}

// prepare finds the plan (and the target, to validate the result against);
// its error is the migration's, reported after the hooks' BeforeMigrate.
func (x *migration) prepare(validate bool) error {
	e := &x.e
	_, pl, err := x.reg.plan(e.Model, e.From, e.To)
	if err != nil {
		return &MigrationError{Model: e.Model, From: e.From, To: e.To, Err: err}
	}
	x.pl, e.Path = pl, pl.hookPath
	if validate {
		if x.target = pl.steps[len(pl.steps)-1].toMV; x.target == nil {
			return &MigrationError{Model: e.Model, From: e.From, To: e.To, Err: &NotFoundError{Model: e.Model, Version: e.To}}
		}
	}
	return nil
}

// execute runs the steps on a copy of data (unless WithoutInputCopy) and
// checks the result.
func (m *Manager) execute(ctx context.Context, x *migration, data Data, perr error) (Data, error) {
	if perr != nil {
		return nil, perr
	}
	cur := data
	if !m.cfg.noCopy {
		var err error
		if cur, err = copyData(data); err != nil {
			e := &x.e
			return nil, &MigrationError{Model: e.Model, From: e.From, To: e.To, Reason: "cannot copy the input", Err: errCopy}
		}
	}
	for i := range x.pl.steps {
		st := &x.pl.steps[i]
		if err := ctx.Err(); err != nil {
			return nil, &MigrationError{Model: x.e.Model, From: st.from, To: st.to, Reason: "canceled before the step", Err: ctxError(ctx)}
		}
		out, err := m.observedStep(ctx, x, i, st, cur)
		if err != nil {
			return nil, err
		}
		cur = out
	}
	if x.versionKey != "" {
		cur = x.stamp(cur, data, m.cfg.noCopy)
	}
	return cur, x.check(cur)
}

// stamp sets the version key of the result to the target version. The
// result is the engine's own map unless a pure migration (with
// WithoutInputCopy) returned its input: that one is copied first.
func (x *migration) stamp(cur, in Data, noCopy bool) Data {
	if noCopy && sameMap(cur, in) {
		cur = maps.Clone(cur)
	}
	cur[x.versionKey] = x.e.To.String()
	return cur
}

func sameMap(a, b Data) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// observedStep runs step i between the step observers' BeforeStep and
// AfterStep.
func (m *Manager) observedStep(ctx context.Context, x *migration, i int, st *planStep, cur Data) (Data, error) {
	if !x.hs.HasStepObservers() {
		return m.step(ctx, x.reg, x.e.Model, st, cur)
	}
	step := Step{Index: i, From: st.from, To: st.to, Auto: st.fn == nil}
	var si stepInvocation
	sctx := x.inv.BeforeStep(ctx, &x.e, &step, &si)
	out, err := m.step(sctx, x.reg, x.e.Model, st, cur)
	si.AfterStep(&x.e, &step, err)
	return out, err
}

// check validates the result against the target version, then runs the
// Validator hooks.
func (x *migration) check(cur Data) error {
	e := &x.e
	if t := x.target; t != nil {
		if p := validateFields(t.fields, cur); p != nil {
			return &MigrationError{Model: e.Model, From: e.From, To: e.To, Err: t.problem(p)}
		}
		if t.hasNested {
			if err := x.reg.validateNested(t, cur); err != nil {
				return &MigrationError{Model: e.Model, From: e.From, To: e.To, Err: err}
			}
		}
	}
	if x.hs.HasValidators() {
		if h, err := x.inv.Validate(&x.e, Record{m: cur}); err != nil {
			return &MigrationError{Model: e.Model, From: e.From, To: e.To, Err: rejected(x.e, h, err)}
		}
	}
	return nil
}

// step runs one step: the registered function, or an auto-migration.
func (m *Manager) step(ctx context.Context, reg *registry, model string, st *planStep, d Data) (out Data, err error) {
	if st.fn == nil {
		out, err = m.auto(ctx, reg, st, d)
		if err != nil {
			return nil, &MigrationError{Model: model, From: st.from, To: st.to, Reason: "auto-migration failed", Err: err}
		}
		return out, nil
	}
	defer func() {
		if r := recover(); r != nil {
			// The cause says "panic: …"; no reason needed on top of it.
			out, err = nil, &MigrationError{Model: model, From: st.from, To: st.to,
				Err: &PanicError{Value: r, Stack: debug.Stack()}}
		}
	}()
	out, err = st.fn(ctx, d)
	switch {
	case err != nil:
		return nil, &MigrationError{Model: model, From: st.from, To: st.to, Err: err}
	case out == nil:
		return nil, &MigrationError{Model: model, From: st.from, To: st.to, Reason: "migration function returned nil data", Err: ErrInvalidData}
	}
	return out, nil
}

// auto migrates d into st.toMV with no function: a missing field gets its
// default (an explicit null stays null), every other key is kept as it
// is, and nested models are migrated through the engine, so their hooks
// fire inside this step.
func (m *Manager) auto(ctx context.Context, reg *registry, st *planStep, d Data) (Data, error) {
	out := maps.Clone(d)
	for i := range st.toMV.fields {
		f := &st.toMV.fields[i]
		v, ok := d[f.name]
		if !ok {
			if f.hasDefault {
				out[f.name] = deepCopyValue(f.def)
			}
			continue
		}
		if v == nil || !f.isNested() {
			continue
		}
		name, nfrom, nto, ok := reg.nestedVersions(st, f)
		if !ok || nfrom == nto {
			continue
		}
		nv, err := m.migrateNested(ctx, v, name, nfrom, nto)
		if err != nil {
			return nil, &pathError{path: "field " + strconv.Quote(f.name), err: err}
		}
		out[f.name] = nv
	}
	return out, nil
}
