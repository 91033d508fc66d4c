package core

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
)

// Register registers the Go struct T as version of model. Field names come
// from json tags; a field is required unless it is a pointer, has
// omitempty (or omitzero) or has a `default:"<JSON literal>"` tag. A
// struct-typed field (or a slice of one) whose type is itself registered
// is a nested model. Registering the same model version twice is an error
// matching [ErrAlreadyRegistered].
func Register[T any](m *Manager, model, version string, opts ...ModelOption) error {
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("register %q %s: %w: %s is not a struct", model, version, ErrInvalidModel, t)
	}
	v, err := ParseVersion(version)
	if err != nil {
		return fmt.Errorf("register %q: %w", model, err)
	}
	c := &compiler{checks: map[reflect.Type]*checkFunc{}}
	fields, err := c.structFields(t)
	if err != nil {
		return fmt.Errorf("register %q %s: %w", model, version, err)
	}
	return m.addModel(&modelVersion{model: model, version: v, goType: t, fields: fields}, opts)
}

// RegisterSchema registers a model version described at run time.
func (m *Manager) RegisterSchema(model, version string, s Schema, opts ...ModelOption) error {
	v, err := ParseVersion(version)
	if err != nil {
		return fmt.Errorf("register %q: %w", model, err)
	}
	fields, err := schemaFields(s.Fields)
	if err != nil {
		return fmt.Errorf("register %q %s: %w", model, version, err)
	}
	return m.addModel(&modelVersion{model: model, version: v, fields: fields}, opts)
}

func (m *Manager) addModel(mv *modelVersion, opts []ModelOption) error {
	if mv.model == "" {
		return fmt.Errorf("register: %w: empty model name", ErrInvalidModel)
	}
	for _, o := range opts {
		if o != nil {
			o.applyModel(mv)
		}
	}
	for i := range mv.fields {
		if mv.fields[i].isNested() {
			mv.hasNested = true
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.registry()
	mr := old.models[mv.model].clone(mv.model)
	if _, dup := mr.byVersion[mv.version]; dup {
		return fmt.Errorf("register %q %s: %w", mv.model, mv.version, ErrAlreadyRegistered)
	}
	mr.byVersion[mv.version] = mv
	mr.versions = slices.SortedFunc(maps.Keys(mr.byVersion), Version.Compare)
	reg := old.with(mr)
	if mv.goType != nil {
		reg.byType = maps.Clone(old.byType)
		if reg.byType == nil {
			reg.byType = map[reflect.Type][]typeRef{}
		}
		refs := append(slices.Clone(reg.byType[mv.goType]), typeRef{mv.model, mv.version})
		sort.Slice(refs, func(i, j int) bool { return refs[i].version.Less(refs[j].version) })
		reg.byType[mv.goType] = refs
	}
	m.reg.Store(reg)
	return nil
}

// RegisterMigration registers fn as the migration of model from one
// version to another: adjacent, a jump (1.0.0 → 3.0.0) or a downgrade.
// The versions need not be registered yet. Registering a second function
// for the same pair is an error matching [ErrAlreadyRegistered].
func (m *Manager) RegisterMigration(model, from, to string, fn MigrationFunc, opts ...MigrationOption) error {
	fv, err := ParseVersion(from)
	if err != nil {
		return fmt.Errorf("register migration %q: %w", model, err)
	}
	tv, err := ParseVersion(to)
	if err != nil {
		return fmt.Errorf("register migration %q: %w", model, err)
	}
	switch {
	case model == "":
		return fmt.Errorf("register migration: %w: empty model name", ErrInvalidModel)
	case fn == nil:
		return fmt.Errorf("register migration %q %s → %s: %w: nil function", model, fv, tv, ErrInvalidModel)
	}
	return m.addMigration(model, fv, tv, fn, nil, opts)
}

// addMigration registers a map step, or a typed one (ts not nil, fn its
// map form).
func (m *Manager) addMigration(model string, fv, tv Version, fn MigrationFunc, ts *typedStep, opts []MigrationOption) error {
	what := "register migration"
	if ts != nil {
		what = "register typed migration"
	}
	switch {
	case model == "":
		return fmt.Errorf("%s: %w: empty model name", what, ErrInvalidModel)
	case fv == tv:
		return fmt.Errorf("%s %q %s → %s: %w: same version", what, model, fv, tv, ErrInvalidModel)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.registry()
	mr := old.models[model].clone(model)
	key := [2]Version{fv, tv}
	if _, dup := mr.migrations[key]; dup {
		return fmt.Errorf("%s %q %s → %s: %w", what, model, fv, tv, ErrAlreadyRegistered)
	}
	mr.migrations[key] = fn
	if ts != nil {
		mr.typed[key] = ts
	}
	if c := newMigrationConfig(opts); c.description != "" {
		mr.described[key] = c.description
	}
	m.reg.Store(old.with(mr))
	return nil
}
