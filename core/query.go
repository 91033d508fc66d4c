package core

import (
	"errors"
	"maps"
	"slices"
)

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

// Migration is one step the engine can take between two versions of a
// model: a registered function, or an auto-migration.
type Migration struct {
	From, To Version
	// Auto: no function is registered for the pair; the target version
	// is WithBackwardCompatible and adjacent to From, so the engine
	// migrates by itself.
	Auto bool
	// Description is the text registered with the function
	// ([WithDescription]), "" when there is none.
	Description string
}

// Migrations returns the steps of model's migration graph, registered
// functions and auto-migrations alike, sorted by From then To. Paths
// ([Manager.Path]) are chains of these steps. It fails with an error
// matching [ErrModelNotFound] for an unknown model.
func (m *Manager) Migrations(model string) ([]Migration, error) {
	mr := m.registry().models[model]
	if mr == nil {
		return nil, &NotFoundError{Model: model}
	}
	g := mr.graph
	var out []Migration
	for from, es := range g.adj {
		for _, e := range es {
			key := [2]Version{g.nodes[from], g.nodes[e.to]}
			out = append(out, Migration{From: key[0], To: key[1], Auto: e.auto, Description: mr.described[key]})
		}
	}
	return out, nil // nodes ascending, targets ascending
}

// VersionKey returns the field in which records carry their version
// ([WithVersionKey]), or "".
func (m *Manager) VersionKey() string { return m.cfg.versionKey }
