package httpversion

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

	"github.com/transmute-go/transmute/core"
)

// Version is an API version: a name (a date such as "2025-06-01", or any
// string) and the version of each model it serves, model → version. A
// model a version does not list keeps the previous version's.
type Version struct {
	Name   string
	Models map[string]string
}

// API is a versioned API over a manager's models. It is safe for
// concurrent use.
type API struct {
	m        *core.Manager
	cfg      config
	versions []*apiVersion // oldest first
	byName   map[string]*apiVersion
	newest   *apiVersion
	requests metric.Int64Counter
	attrs    sync.Map // countKey → metric.AddOption
}

// apiVersion is a Version with every model's version resolved.
type apiVersion struct {
	name   string
	models map[string]core.Version
}

// New returns the API of versions, oldest first, over m's models. It
// checks that the names are distinct and not empty, that every model
// version is registered, that the newest version names the latest version
// of each model it lists, that every model of every version can be
// migrated to the newest version's and back, and that the default (if
// any) is one of the versions; its error names everything missing.
func New(m *core.Manager, versions []Version, opts ...Option) (*API, error) {
	a := &API{m: m, cfg: newConfig(opts), byName: map[string]*apiVersion{}}
	var errs []error
	prev := map[string]core.Version{}
	for i, v := range versions {
		av, err := resolve(m, v, prev)
		errs = append(errs, err)
		if _, dup := a.byName[v.Name]; dup || v.Name == "" {
			errs = append(errs, fmt.Errorf("httpversion: version %d: the name %q is empty or used twice", i, v.Name))
		}
		a.versions = append(a.versions, av)
		a.byName[v.Name] = av
		prev = av.models
	}
	if len(versions) == 0 {
		return nil, errors.New("httpversion: no API version")
	}
	a.newest = a.versions[len(a.versions)-1]
	errs = append(errs, a.checkNewest(versions[len(versions)-1]), a.checkPaths())
	if _, ok := a.byName[a.cfg.def]; a.cfg.def != "" && !ok {
		errs = append(errs, fmt.Errorf("httpversion: the default version %q is not one of the API's", a.cfg.def))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	mp := a.cfg.mp
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	var err error
	a.requests, err = mp.Meter("github.com/transmute-go/transmute/httpversion").Int64Counter("transmute.api.requests",
		metric.WithDescription("Requests to versioned routes, by API version, route and outcome"), metric.WithUnit("{request}"))
	if err != nil {
		return nil, err
	}
	return a, nil
}

// resolve parses a version's models over the previous version's.
func resolve(m *core.Manager, v Version, prev map[string]core.Version) (*apiVersion, error) {
	av := &apiVersion{name: v.Name, models: maps.Clone(prev)}
	var errs []error
	for _, model := range slices.Sorted(maps.Keys(v.Models)) {
		s, err := m.Schema(model, v.Models[model])
		if err != nil {
			errs = append(errs, fmt.Errorf("httpversion: version %q: %w", v.Name, err))
			continue
		}
		av.models[model] = s.Version
	}
	return av, errors.Join(errs...)
}

// checkNewest: the newest version names the latest of each model it lists.
func (a *API) checkNewest(v Version) error {
	var errs []error
	for _, model := range slices.Sorted(maps.Keys(v.Models)) {
		latest, err := a.m.Latest(model)
		if err == nil && a.newest.models[model] != latest {
			errs = append(errs, fmt.Errorf("httpversion: the newest version %q names %s %s, not its latest, %s", v.Name, model, a.newest.models[model], latest))
		}
	}
	return errors.Join(errs...)
}

// checkPaths: every model of every version migrates to the newest
// version's and back.
func (a *API) checkPaths() error {
	var missing []string
	for _, v := range a.versions {
		for _, model := range slices.Sorted(maps.Keys(v.models)) {
			from, to := v.models[model], a.newest.models[model]
			if to.IsZero() {
				missing = append(missing, fmt.Sprintf("%s is in version %q but not in the newest", model, v.name))
				continue
			}
			for _, p := range [][2]core.Version{{from, to}, {to, from}} {
				if p[0] != p[1] && !a.m.HasPath(model, p[0].String(), p[1].String()) {
					missing = append(missing, fmt.Sprintf("%s %s → %s (version %q)", model, p[0], p[1], v.name))
				}
			}
		}
	}
	if len(missing) > 0 {
		return errors.New("httpversion: no migration path for " + strings.Join(missing, "; "))
	}
	return nil
}

// Versions returns the names of the API's versions, oldest first.
func (a *API) Versions() []string {
	out := make([]string, len(a.versions))
	for i, v := range a.versions {
		out[i] = v.name
	}
	return out
}
