package core

import (
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
)

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
	typed      map[[2]Version]*typedStep // the typed ones among the migrations
	described  map[[2]Version]string     // the descriptions of migrations (WithDescription)
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

func (mr *modelReg) clone(name string) *modelReg {
	if mr == nil {
		return &modelReg{name: name, byVersion: map[Version]*modelVersion{}, migrations: map[[2]Version]MigrationFunc{},
			typed: map[[2]Version]*typedStep{}, described: map[[2]Version]string{}}
	}
	return &modelReg{
		name:       mr.name,
		versions:   slices.Clone(mr.versions),
		byVersion:  maps.Clone(mr.byVersion),
		migrations: maps.Clone(mr.migrations),
		typed:      maps.Clone(mr.typed),
		described:  maps.Clone(mr.described),
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

// modelVersion finds a registered model version.
func (r *registry) modelVersion(model string, v Version) (*modelVersion, error) {
	mr := r.models[model]
	if mr == nil {
		return nil, &NotFoundError{Model: model}
	}
	mv := mr.byVersion[v]
	if mv == nil {
		return nil, &NotFoundError{Model: model, Version: v}
	}
	return mv, nil
}
