package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Latest is the version name that [Manager.MigrateTo] and the batches of
// [WithVersionFromRecord] take for the latest registered version.
const Latest = "latest"

// VersionOf returns the version a record carries in the manager's version
// key ([WithVersionKey]). A record without it (or a manager without a
// key) is an error matching [ErrNoVersion]; a value that is not a version
// string is an error matching [ErrInvalidVersion] that quotes it.
func (m *Manager) VersionOf(data Data) (Version, error) {
	key := m.cfg.versionKey
	switch {
	case key == "":
		return Version{}, fmt.Errorf("%w: the manager has no version key (see core.WithVersionKey)", ErrNoVersion)
	case data == nil:
		return Version{}, fmt.Errorf("version of a record: %w: nil data", ErrInvalidData)
	}
	raw, ok := data[key]
	if !ok || raw == nil {
		return Version{}, fmt.Errorf("%w: the record has no %q field", ErrNoVersion, key)
	}
	s, ok := raw.(string)
	if !ok {
		text, _ := json.Marshal(raw)
		return Version{}, fmt.Errorf("field %q: %w", key, &VersionError{Input: string(text), Reason: "not a string"})
	}
	v, err := ParseVersion(s)
	if err != nil {
		return Version{}, fmt.Errorf("field %q: %w", key, err)
	}
	return v, nil
}

// MigrateTo migrates a record from the version it carries in the
// manager's version key to version to ([Latest] for the latest registered
// one), validates the result and returns it with the key set to the
// target version: [Manager.Migrate], with the same hooks, errors and
// guarantees, for records that say what they are. A record already at to
// is validated and returned as it is. A record without a readable version
// fails as [Manager.VersionOf] says, before any hook runs.
func (m *Manager) MigrateTo(ctx context.Context, data Data, model, to string) (Data, error) {
	from, err := m.VersionOf(data)
	if err != nil {
		return nil, fmt.Errorf("migrate %q: %w", model, err)
	}
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return nil, err
	}
	return m.run(ctx, data, model, from, tv, runTop|runValidate)
}

// ResolveVersion parses a version name of model: [Latest] is the model's
// latest registered version (an error matching [ErrModelNotFound] when it
// has none), anything else is parsed by [ParseVersion].
func (m *Manager) ResolveVersion(model, version string) (Version, error) {
	if version != Latest {
		return ParseVersion(version)
	}
	mr := m.registry().models[model]
	if mr == nil || len(mr.versions) == 0 {
		return Version{}, &NotFoundError{Model: model}
	}
	return mr.versions[len(mr.versions)-1], nil
}

// WithVersionFromRecord makes [Manager.MigrateBatch] and
// [Manager.MigrateStream] take each item's version from the item's
// version key ([WithVersionKey]), so one batch may mix versions; the
// hooks see each item's own From. The from argument is then the version
// of the items that carry none ("" fails them with [ErrNoVersion]), and
// to may be [Latest]. An item whose version cannot be read fails as
// [Manager.VersionOf] says, before any hook of its own runs.
func WithVersionFromRecord() BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.fromRecord = true })
}

// batchVersions parses the versions of a batch: with WithVersionFromRecord,
// from may be "" and to may be Latest.
func (m *Manager) batchVersions(model, from, to string, cfg batchConfig) (Version, Version, error) {
	if !cfg.fromRecord {
		return parsePair(from, to)
	}
	var fv Version
	if from != "" {
		var err error
		if fv, err = ParseVersion(from); err != nil {
			return Version{}, Version{}, err
		}
	}
	tv, err := m.ResolveVersion(model, to)
	return fv, tv, err
}

// runItem migrates one item of a batch or a stream.
func (m *Manager) runItem(ctx context.Context, d Data, model string, from, to Version, cfg batchConfig) (Data, error) {
	mode := runTop
	if !cfg.noValidate {
		mode |= runValidate
	}
	if cfg.fromRecord {
		v, err := m.VersionOf(d)
		switch {
		case err == nil:
			from = v
		case from.IsZero() || !errors.Is(err, ErrNoVersion):
			return nil, &MigrationError{Model: model, To: to, Reason: "cannot read the record's version", Err: err}
		}
	}
	return m.run(ctx, d, model, from, to, mode)
}
