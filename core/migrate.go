package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
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
	return m.run(ctx, data, model, fv, tv, false)
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
	return m.run(ctx, data, model, fv, tv, true)
}

// MigrateVersions is [Manager.Migrate] with parsed versions.
func (m *Manager) MigrateVersions(ctx context.Context, data Data, model string, from, to Version) (Data, error) {
	return m.run(ctx, data, model, from, to, true)
}

// MigrateAs migrates data like [Manager.Migrate] and decodes the result
// into a T (through encoding/json, so T's json tags apply).
func MigrateAs[T any](ctx context.Context, m *Manager, data Data, model, from, to string) (T, error) {
	var out T
	d, err := m.Migrate(ctx, data, model, from, to)
	if err != nil {
		return out, err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return out, fmt.Errorf("migrate %q as %T: %w", model, out, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("migrate %q as %T: %w", model, out, err)
	}
	return out, nil
}

// run is the one migration routine; batches, streams and nested models
// all come through here.
func (m *Manager) run(ctx context.Context, data Data, model string, from, to Version, validate bool) (Data, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if data == nil {
		return nil, &MigrationError{Model: model, From: from, To: to, Reason: "nil data", Err: ErrInvalidData}
	}
	reg := m.registry()
	if from == to {
		if validate {
			if err := reg.validate(model, to, data); err != nil {
				return nil, &MigrationError{Model: model, From: from, To: to, Err: err}
			}
		}
		return data, nil
	}
	_, pl, perr := reg.plan(model, from, to)
	var target *modelVersion
	if perr == nil && validate {
		if target = pl.steps[len(pl.steps)-1].toMV; target == nil {
			perr = &NotFoundError{Model: model, Version: to}
		}
	}

	hs := m.hookSet(ctx)
	e := Event{Model: model, From: from, To: to, Data: Record{m: data}}
	if pl != nil {
		e.Path = pl.path
	}
	if hs.Len() > 0 {
		e.Start = time.Now()
	}
	var inv invocation
	hctx := hs.BeforeMigrate(ctx, e, &inv)

	fail := func(err error) (Data, error) {
		inv.OnError(e, err)
		return nil, err
	}
	if perr != nil {
		return fail(&MigrationError{Model: model, From: from, To: to, Err: perr})
	}

	cur := data
	if !m.cfg.noCopy {
		var err error
		if cur, err = copyData(data); err != nil {
			return fail(&MigrationError{Model: model, From: from, To: to, Reason: "cannot copy the input", Err: fmt.Errorf("%w: %w", ErrInvalidData, err)})
		}
	}
	for i := range pl.steps {
		st := &pl.steps[i]
		if err := hctx.Err(); err != nil {
			return fail(&MigrationError{Model: model, From: st.from, To: st.to, Reason: "canceled before the step", Err: ctxError(hctx)})
		}
		var out Data
		var err error
		if hs.HasStepObservers() {
			step := Step{Index: i, From: st.from, To: st.to, Auto: st.fn == nil}
			var si stepInvocation
			sctx := inv.BeforeStep(hctx, e, step, &si)
			out, err = m.step(sctx, reg, model, st, cur)
			si.AfterStep(e, step, err)
		} else {
			out, err = m.step(hctx, reg, model, st, cur)
		}
		if err != nil {
			return fail(err)
		}
		cur = out
	}
	if validate {
		if p := validateFields(target.fields, cur); p != nil {
			return fail(&MigrationError{Model: model, From: from, To: to, Err: target.problem(p)})
		}
		if target.hasNested {
			if err := reg.validateNested(target, cur); err != nil {
				return fail(&MigrationError{Model: model, From: from, To: to, Err: err})
			}
		}
	}
	rec := Record{m: cur}
	if hs.HasValidators() {
		if h, err := inv.Validate(e, rec); err != nil {
			return fail(&MigrationError{Model: model, From: from, To: to, Err: rejected(e, h, err)})
		}
	}
	if hs.Len() > 0 {
		inv.AfterMigrate(e, rec)
	}
	return cur, nil
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
			return nil, fmt.Errorf("field %q: %w", f.name, err)
		}
		out[f.name] = nv
	}
	return out, nil
}

// migrateNested migrates a nested record, or each record of a list.
func (m *Manager) migrateNested(ctx context.Context, v any, model string, from, to Version) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return m.run(ctx, x, model, from, to, false)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if em, ok := e.(map[string]any); ok && em != nil {
				nv, err := m.run(ctx, em, model, from, to, false)
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				out[i] = nv
			} else {
				out[i] = e
			}
		}
		return out, nil
	case []map[string]any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			if e == nil {
				continue
			}
			nv, err := m.run(ctx, e, model, from, to, false)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = nv
		}
		return out, nil
	}
	return v, nil
}

// nestedVersions resolves the nested model of field f of the step's
// target version, and the version to migrate it from (the source version's
// field of the same name, when it is the same model; else no change).
func (r *registry) nestedVersions(st *planStep, f *field) (model string, from, to Version, ok bool) {
	model, to, ok = r.resolveNested(f, st.to)
	if !ok {
		return "", Version{}, Version{}, false
	}
	from = to
	if st.fromMV != nil {
		for i := range st.fromMV.fields {
			sf := &st.fromMV.fields[i]
			if sf.name != f.name || !sf.isNested() {
				continue
			}
			if sm, sv, ok := r.resolveNested(sf, st.from); ok && sm == model {
				from = sv
			}
			break
		}
	}
	return model, from, to, true
}

// resolveNested finds which registered model and version a nested field
// refers to. A Go type that serves several versions of a model resolves to
// the version of the enclosing model's step when it has one, else to the
// highest version below it, else to its lowest.
func (r *registry) resolveNested(f *field, enclosing Version) (string, Version, bool) {
	if f.nestedModel != "" {
		if f.nestedVerSet {
			return f.nestedModel, f.nestedVersion, true
		}
		return f.nestedModel, enclosing, true
	}
	refs := r.byType[f.nestedType]
	if len(refs) == 0 {
		return "", Version{}, false
	}
	best := refs[0]
	for _, ref := range refs {
		if ref.model != best.model {
			continue
		}
		if ref.version.Compare(enclosing) <= 0 {
			best = ref
		}
	}
	return best.model, best.version, true
}

func (mv *modelVersion) problem(p *problem) *ValidationError {
	return &ValidationError{Model: mv.model, Version: mv.version, Field: p.field, Reason: p.reason}
}

// validate checks d against a registered model version.
func (r *registry) validate(model string, v Version, d Data) error {
	mr := r.models[model]
	if mr == nil {
		return &NotFoundError{Model: model}
	}
	mv := mr.byVersion[v]
	if mv == nil {
		return &NotFoundError{Model: model, Version: v}
	}
	if p := validateFields(mv.fields, d); p != nil {
		return mv.problem(p)
	}
	if mv.hasNested {
		return r.validateNested(mv, d)
	}
	return nil
}

// validateNested checks the nested records of schema-described fields
// against their registered model versions (a Go struct's nested types are
// already checked by its compiled checker).
func (r *registry) validateNested(mv *modelVersion, d Data) error {
	for i := range mv.fields {
		f := &mv.fields[i]
		if f.nestedModel == "" || d[f.name] == nil {
			continue
		}
		model, ver, _ := r.resolveNested(f, mv.version)
		check := func(path string, x any) error {
			xm, ok := x.(map[string]any)
			if !ok || xm == nil {
				return nil // the kind check has run already
			}
			err := r.validate(model, ver, xm)
			if err == nil {
				return nil
			}
			// A field of the nested record: name it from the parent.
			var inner *ValidationError
			if errors.As(err, &inner) && inner.Err == nil {
				p := &problem{field: inner.Field, reason: inner.Reason}
				return mv.problem(p.prefix(path))
			}
			return &ValidationError{Model: mv.model, Version: mv.version, Field: path, Err: err}
		}
		switch x := d[f.name].(type) {
		case []any:
			for j, e := range x {
				if err := check(fmt.Sprintf("%s[%d]", f.name, j), e); err != nil {
					return err
				}
			}
		case []map[string]any:
			for j, e := range x {
				if err := check(fmt.Sprintf("%s[%d]", f.name, j), e); err != nil {
					return err
				}
			}
		default:
			if err := check(f.name, x); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks data against a registered model version, as
// [Manager.Migrate] does with its result.
func (m *Manager) Validate(data Data, model, version string) error {
	v, err := ParseVersion(version)
	if err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("validate %q %s: %w", model, v, ErrInvalidData)
	}
	return m.registry().validate(model, v, data)
}
