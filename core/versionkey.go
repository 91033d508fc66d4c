package core

import (
	"context"
	"encoding/json"
	"errors"
	"time"
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
		return Version{}, &NoVersionError{}
	case data == nil:
		return Version{}, errNilRecord
	}
	raw, ok := data[key]
	if !ok || raw == nil {
		return Version{}, &NoVersionError{Key: key, Null: ok}
	}
	s, ok := raw.(string)
	if !ok {
		text, _ := json.Marshal(raw)
		return Version{}, &VersionError{Input: string(text), Reason: "not a string", Key: key}
	}
	v, err := ParseVersion(s)
	if err != nil {
		ve := err.(*VersionError)
		ve.Key = key
		return Version{}, ve
	}
	return v, nil
}

// MigrateTo migrates a record from the version it carries in the
// manager's version key to version to ([Latest] for the latest registered
// one), validates the result and returns it with the key set to the
// target version: [Manager.Migrate], with the same hooks, errors and
// guarantees, for records that say what they are. A record already at to
// is validated and returned as it is. A bad to (or an unknown model, for
// [Latest]) and nil data fail before any hook runs. A record without a
// readable version fails with a *[MigrationError] whose cause is the error
// of [Manager.VersionOf]; that failure reaches the hooks' OnError, with a
// zero From and no Path.
func (m *Manager) MigrateTo(ctx context.Context, data Data, model, to string) (Data, error) {
	tv, err := m.ResolveVersion(model, to)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, &MigrationError{Model: model, To: tv, Err: errNilRecord}
	}
	from, err := m.VersionOf(data)
	if err != nil {
		return nil, m.unreadable(ctx, data, model, tv, err)
	}
	return m.run(ctx, data, model, from, tv, runTop|runValidate)
}

// unreadable is the failure of a migration of a record whose version
// cannot be read: the hooks see it begin and fail.
func (m *Manager) unreadable(ctx context.Context, data Data, model string, to Version, verr error) error {
	err := &MigrationError{Model: model, To: to, Reason: "cannot read the record's version", Err: verr}
	if ctx == nil {
		ctx = context.Background()
	}
	hs := m.hookSet(ctx)
	if hs.Len() == 0 {
		return err
	}
	var inv invocation
	e := Event{Model: model, To: to, Data: Record{m: data}, Start: m.clock.now()}
	hs.BeforeMigrate(ctx, &e, &inv)
	e.Elapsed = time.Since(e.Start)
	inv.OnError(&e, err)
	return err
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
// [Manager.MigrateTo] says (its hooks see it fail, with a zero From). The
// [Batch] the hooks see then has a zero From and MixedFrom set.
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
			return nil, m.unreadable(ctx, d, model, to, err)
		}
	}
	return m.run(ctx, d, model, from, to, mode)
}
