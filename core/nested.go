package core

import (
	"context"
	"reflect"
)

// migrateNested migrates a nested record, or each record of a list.
func (m *Manager) migrateNested(ctx context.Context, v any, model string, from, to Version) (any, error) {
	one := func(e any) (any, error) {
		if em, ok := e.(map[string]any); ok && em != nil {
			return m.run(ctx, em, model, from, to, 0)
		}
		return e, nil
	}
	if out, isList, err := mapElems(v, one); isList {
		return out, err
	}
	return one(v)
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
	return r.resolveType(f.nestedType, enclosing)
}

// resolveType finds the registered model version a Go type describes, in
// a record of version enclosing: see resolveNested.
func (r *registry) resolveType(t reflect.Type, enclosing Version) (string, Version, bool) {
	refs := r.byType[t]
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
