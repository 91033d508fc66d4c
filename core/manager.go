package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Manager holds models, migrations and hooks, and runs migrations. It is
// safe for concurrent use: registration and hook changes may race with
// migrations, which see either the state before or the state after. The
// zero Manager is ready to use, with the default options of [NewManager].
type Manager struct {
	mu    sync.Mutex // serialises writers; readers use the snapshots
	reg   atomic.Pointer[registry]
	hooks atomic.Pointer[hookSet]
	cfg   config
}

// NewManager returns an empty manager.
func NewManager(opts ...Option) *Manager {
	m := &Manager{}
	m.cfg.onError = func(err error) { slog.Error("transmute: "+err.Error(), "error_type", ErrorType(err)) }
	for _, o := range opts {
		if o != nil {
			o.applyManager(&m.cfg)
		}
	}
	m.reg.Store(&registry{models: map[string]*modelReg{}, byType: map[reflect.Type][]typeRef{}})
	m.hooks.Store(m.newHookSet(nil))
	return m
}

// registry returns the current snapshot of the registrations.
func (m *Manager) registry() *registry {
	if r := m.reg.Load(); r != nil {
		return r
	}
	return &emptyRegistry // a zero Manager
}

// emptyRegistry is the registry of a zero Manager; it is never modified.
var emptyRegistry registry

// registry is an immutable snapshot; writers build a new one.
type registry struct {
	models map[string]*modelReg
	byType map[reflect.Type][]typeRef // Go type → the model versions it describes
}

type typeRef struct {
	model   string
	version Version
}

type modelReg struct {
	name       string
	versions   []Version // registered, ascending
	byVersion  map[Version]*modelVersion
	migrations map[[2]Version]MigrationFunc
	graph      *graph
	plans      sync.Map // [2]Version → *planEntry, filled on demand
	last       atomic.Pointer[planEntry]
}

type modelVersion struct {
	model      string
	version    Version
	goType     reflect.Type // nil for a Schema
	fields     []field
	compatible bool
	hasNested  bool
}

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
	fields, err := schemaFields(s)
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
func (m *Manager) RegisterMigration(model, from, to string, fn MigrationFunc) error {
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
	case fv == tv:
		return fmt.Errorf("register migration %q %s → %s: %w: same version", model, fv, tv, ErrInvalidModel)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.registry()
	mr := old.models[model].clone(model)
	key := [2]Version{fv, tv}
	if _, dup := mr.migrations[key]; dup {
		return fmt.Errorf("register migration %q %s → %s: %w", model, fv, tv, ErrAlreadyRegistered)
	}
	mr.migrations[key] = fn
	m.reg.Store(old.with(mr))
	return nil
}

func (mr *modelReg) clone(name string) *modelReg {
	if mr == nil {
		return &modelReg{name: name, byVersion: map[Version]*modelVersion{}, migrations: map[[2]Version]MigrationFunc{}}
	}
	return &modelReg{
		name:       mr.name,
		versions:   slices.Clone(mr.versions),
		byVersion:  maps.Clone(mr.byVersion),
		migrations: maps.Clone(mr.migrations),
	}
}

// with returns a new snapshot with mr in place of its model, its graph
// built.
func (r *registry) with(mr *modelReg) *registry {
	mr.graph = buildGraph(mr)
	n := &registry{models: maps.Clone(r.models), byType: r.byType}
	if n.models == nil {
		n.models = map[string]*modelReg{}
	}
	n.models[mr.name] = mr
	return n
}

// Models returns the registered model names, sorted. A model appears once
// it has a registered version or migration.
func (m *Manager) Models() []string {
	return slices.Sorted(maps.Keys(m.registry().models))
}

// Versions returns the registered versions of model, ascending.
func (m *Manager) Versions(model string) ([]Version, error) {
	mr := m.registry().models[model]
	if mr == nil || len(mr.versions) == 0 {
		return nil, &NotFoundError{Model: model}
	}
	return slices.Clone(mr.versions), nil
}

// Latest returns the highest registered version of model.
func (m *Manager) Latest(model string) (Version, error) {
	vs, err := m.Versions(model)
	if err != nil {
		return Version{}, err
	}
	return vs[len(vs)-1], nil
}

// Path returns the versions a migration of model from one version to
// another goes through, from first and to last ([from] when from == to).
// It fails with an error matching [ErrInvalidVersion], [ErrModelNotFound]
// (the model, or one of the versions, is unknown) or [ErrNoMigrationPath].
func (m *Manager) Path(model, from, to string) ([]Version, error) {
	fv, tv, err := parsePair(from, to)
	if err != nil {
		return nil, err
	}
	reg := m.registry()
	if fv == tv {
		mr := reg.models[model]
		switch {
		case mr == nil:
			return nil, &NotFoundError{Model: model}
		case !mr.isNode(fv):
			return nil, &NotFoundError{Model: model, Version: fv}
		}
		return []Version{fv}, nil
	}
	_, pl, err := reg.plan(model, fv, tv)
	if err != nil {
		if errors.Is(err, ErrNoMigrationPath) {
			err = &MigrationError{Model: model, From: fv, To: tv, Err: err}
		}
		return nil, err
	}
	return slices.Clone(pl.path), nil
}

// HasPath reports whether [Manager.Path] would succeed.
func (m *Manager) HasPath(model, from, to string) bool {
	_, err := m.Path(model, from, to)
	return err == nil
}

func parsePair(from, to string) (Version, Version, error) {
	fv, err := ParseVersion(from)
	if err != nil {
		return Version{}, Version{}, err
	}
	tv, err := ParseVersion(to)
	if err != nil {
		return Version{}, Version{}, err
	}
	return fv, tv, nil
}

// plan finds the precomputed plan of a migration, or the error that says
// why there is none.
func (r *registry) plan(model string, from, to Version) (*modelReg, *plan, error) {
	mr := r.models[model]
	if mr == nil {
		return nil, nil, &NotFoundError{Model: model}
	}
	if pl := mr.lookup(from, to); pl != nil {
		return mr, pl, nil
	}
	for _, v := range [2]Version{from, to} {
		if !mr.isNode(v) {
			return mr, nil, &NotFoundError{Model: model, Version: v}
		}
	}
	return mr, nil, ErrNoMigrationPath
}

func (mr *modelReg) isNode(v Version) bool {
	_, ok := mr.graph.index[v]
	return ok
}

// AddHook appends hooks to the manager's hooks. Their optional interfaces
// ([Validator], [StepObserver], [BatchObserver]) are found once, here.
// Nil hooks are ignored.
func (m *Manager) AddHook(hooks ...Hook) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks.Store(m.currentHooks().With(hooks...))
}

// RemoveHook removes the first occurrence of h and reports whether it was
// there. Migrations already running finish with the hooks they started
// with.
func (m *Manager) RemoveHook(h Hook) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.currentHooks().Without(h)
	m.hooks.Store(s)
	return ok
}

// ClearHooks removes every hook.
func (m *Manager) ClearHooks() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks.Store(m.newHookSet(nil))
}

// currentHooks returns the manager's hook set, made with the manager's
// options for a zero Manager.
func (m *Manager) currentHooks() *hookSet {
	if s := m.hooks.Load(); s != nil {
		return s
	}
	return m.newHookSet(nil)
}

// Hooks returns the manager's hooks, in order.
func (m *Manager) Hooks() []Hook { return m.hooks.Load().Hooks() }

type requestHooksKey struct{}

// requestHooks are the hooks of a ctx, with the manager set they were last
// combined with cached.
type requestHooks struct {
	hooks    []Hook
	combined atomic.Pointer[combinedHooks]
}

type combinedHooks struct {
	base, set *hookSet
}

// WithHooks returns a ctx that carries request-scoped hooks: every
// migration run with it (or a ctx derived from it) calls them after the
// manager's own BeforeMigrate hooks and before its AfterMigrate hooks
// (they run inside the manager's). Nested calls add to the hooks already
// in ctx. This is how per-request observers are added without touching
// the shared manager.
func WithHooks(ctx context.Context, hooks ...Hook) context.Context {
	var all []Hook
	if rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks); ok {
		all = slices.Clone(rh.hooks)
	}
	for _, h := range hooks {
		if h != nil {
			all = append(all, h)
		}
	}
	return context.WithValue(ctx, requestHooksKey{}, &requestHooks{hooks: all})
}

// HooksFromContext returns the request-scoped hooks ctx carries.
func HooksFromContext(ctx context.Context) []Hook {
	if rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks); ok {
		return slices.Clone(rh.hooks)
	}
	return nil
}

// hookSet returns the hooks of a migration run with ctx: the manager's,
// then the request's.
func (m *Manager) hookSet(ctx context.Context) *hookSet {
	base := m.hooks.Load()
	rh, ok := ctx.Value(requestHooksKey{}).(*requestHooks)
	if !ok || len(rh.hooks) == 0 {
		return base
	}
	if c := rh.combined.Load(); c != nil && c.base == base {
		return c.set
	}
	from := base
	if from == nil { // a zero Manager
		from = m.newHookSet(nil)
	}
	set := from.With(rh.hooks...)
	rh.combined.Store(&combinedHooks{base: base, set: set})
	return set
}
