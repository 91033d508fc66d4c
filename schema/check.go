package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// Mode says which migrations [Check] requires, as a schema registry's
// compatibility modes do, but counting the registered migrations: a
// change that a migration on the path handles is not breaking for records
// that go through transmute.
type Mode uint8

// The modes. Backward, Forward and Full check adjacent versions; with
// Transitive (Backward|Transitive, ...) every pair.
const (
	// Backward: records of every older version reach the newest: each
	// step up is a registered migration, or an auto step whose changes
	// defaults and kept fields cover. Roll readers out first.
	Backward Mode = 1 << iota
	// Forward: records of the newest version reach each older version:
	// registered downgrades, or changes an older reader tolerates. Roll
	// writers out first.
	Forward
	// Transitive checks every pair of versions, not only adjacent ones.
	Transitive
	// Full is Backward and Forward: either may roll out first.
	Full = Backward | Forward
)

// String returns the mode as ParseMode reads it: "backward",
// "forward-transitive", "full", ...
func (m Mode) String() string {
	var s string
	switch m &^ Transitive {
	case Backward:
		s = "backward"
	case Forward:
		s = "forward"
	case Full:
		s = "full"
	default:
		return fmt.Sprintf("Mode(%d)", uint8(m))
	}
	if m&Transitive != 0 {
		s += "-transitive"
	}
	return s
}

// ParseMode reads "backward", "forward" or "full", each optionally with
// "-transitive" (or "_transitive", any case).
func ParseMode(s string) (Mode, error) {
	s = strings.ReplaceAll(strings.ToLower(s), "_", "-")
	var m Mode
	if base, ok := strings.CutSuffix(s, "-transitive"); ok {
		m, s = Transitive, base
	}
	switch s {
	case "backward":
		return m | Backward, nil
	case "forward":
		return m | Forward, nil
	case "full":
		return m | Full, nil
	}
	return 0, fmt.Errorf("schema: unknown mode %q (backward, forward or full, each optionally -transitive)", s)
}

// Severity says whether a finding fails the check.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"   // the check fails
	SeverityWarning Severity = "warning" // worth a look; the check passes
)

// The codes of findings: stable, for tools to match.
const (
	CodeNoMigration     = "no_migration"     // no path between the two versions
	CodeFieldRemoved    = "field_removed"    // a field of the source version is not in the target
	CodeTypeChanged     = "type_changed"     // a field's type differs, and no migration converts it
	CodeRequiredAdded   = "required_added"   // the target requires a field the source may not have, with no default
	CodeNullableRemoved = "nullable_removed" // the target refuses null where the source allowed it
	CodeNestedNoPath    = "nested_no_path"   // a nested model changes version with no path between them
	CodeNotRoundTrip    = "not_round_trip"   // a record taken there and back comes back different (the command's check --round-trip)
)

// Finding is one thing [Check] found about records of a model going from
// one version to another.
type Finding struct {
	Model string `json:"model"`
	// From and To are the direction checked: records of From, migrated
	// to To.
	From string `json:"from"`
	To   string `json:"to"`
	// Pointer is the field, as a JSON pointer ("/address/zip"; list
	// elements are "*": "/items/*/qty"); "" for the whole record.
	Pointer  string   `json:"pointer"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Message says what is wrong and what to do.
	Message string `json:"message"`
}

// Report is what [Check] found.
type Report struct {
	Model    string    `json:"model"`
	Mode     string    `json:"mode"`
	Findings []Finding `json:"findings"`
}

// Errors returns the findings of severity error.
func (r *Report) Errors() []Finding {
	return slices.DeleteFunc(slices.Clone(r.Findings), func(f Finding) bool { return f.Severity != SeverityError })
}

// Check checks the versions of model in a mode (see [Mode]): for each pair
// the mode names, whether records of one version reach the other, and
// which field changes on the way no migration handles. A step that is a
// registered migration (a function, typed or not) is trusted with the
// changes it makes, but a field it removes is a warning (declare it, or
// keep it); an auto step is judged by what auto-migration does: a missing
// field gets its default, every other field is kept as it is, nested
// models migrate through their own paths. No [Option] changes what Check
// does yet; it takes them so that one can without a new signature.
func Check(m *core.Manager, model string, mode Mode, _ ...Option) (*Report, error) {
	if mode&Full == 0 {
		return nil, fmt.Errorf("schema: check %q: mode %v names no direction", model, mode)
	}
	versions, err := m.Versions(model)
	if err != nil {
		return nil, fmt.Errorf("schema: check: %w", err)
	}
	c := &checker{m: m, functions: map[string]map[[2]core.Version]bool{}, seen: map[stepKey]bool{}}
	r := &Report{Model: model, Mode: mode.String(), Findings: []Finding{}}
	for _, p := range pairs(versions, mode) {
		r.Findings = append(r.Findings, c.pair(model, p[0], p[1], "")...)
	}
	return r, nil
}

// CheckPath returns what [Check] finds about records of model going from
// one version to another (either way): that a path leads there, and what
// each step of it changes that no migration handles. It fails as
// [core.Manager.Schema] does for an unknown model or version.
func CheckPath(m *core.Manager, model, from, to string) ([]Finding, error) {
	a, err := m.Schema(model, from)
	if err != nil {
		return nil, fmt.Errorf("schema: check: %w", err)
	}
	b, err := m.Schema(model, to)
	if err != nil {
		return nil, fmt.Errorf("schema: check: %w", err)
	}
	c := &checker{m: m, functions: map[string]map[[2]core.Version]bool{}, seen: map[stepKey]bool{}}
	out := c.pair(model, a.Version, b.Version, "")
	if out == nil {
		out = []Finding{}
	}
	return out, nil
}

// pairs returns the (from, to) pairs a mode checks, in a stable order.
func pairs(vs []core.Version, mode Mode) [][2]core.Version {
	var out [][2]core.Version
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if mode&Transitive == 0 && j != i+1 {
				continue
			}
			if mode&Backward != 0 {
				out = append(out, [2]core.Version{vs[i], vs[j]})
			}
			if mode&Forward != 0 {
				out = append(out, [2]core.Version{vs[j], vs[i]})
			}
		}
	}
	return out
}

type checker struct {
	m         *core.Manager
	functions map[string]map[[2]core.Version]bool // model → pairs with a registered function
	seen      map[stepKey]bool                    // the steps judged so far
}

// isFunction reports whether model's step from → to is a registered
// function.
func (c *checker) isFunction(model string, from, to core.Version) bool {
	fs, ok := c.functions[model]
	if !ok {
		fs = map[[2]core.Version]bool{}
		migs, _ := c.m.Migrations(model)
		for _, mg := range migs {
			if !mg.Auto {
				fs[[2]core.Version{mg.From, mg.To}] = true
			}
		}
		c.functions[model] = fs
	}
	return fs[[2]core.Version{from, to}]
}

// pair checks records of model at from going to to: that a path leads
// there, and each step of it (once per step, however many pairs it
// serves); prefix is the JSON pointer of the field that holds them, for a
// nested model.
func (c *checker) pair(model string, from, to core.Version, prefix string) []Finding {
	path, err := c.m.Path(model, from.String(), to.String())
	if err != nil {
		return []Finding{{Model: model, From: from.String(), To: to.String(), Pointer: prefix, Code: CodeNoMigration, Severity: SeverityError,
			Message: fmt.Sprintf("no migration leads from %s to %s: register one (m.RegisterMigration or core.RegisterTyped), or make %s compatible (core.WithBackwardCompatible) if defaults cover the change", from, to, to)}}
	}
	var out []Finding
	for i := 0; i+1 < len(path); i++ {
		key := stepKey{model, path[i], path[i+1], prefix}
		if c.seen[key] {
			continue
		}
		c.seen[key] = true
		out = append(out, c.step(model, path[i], path[i+1], prefix)...)
	}
	return out
}

// stepKey is one step of a model, as found under one pointer.
type stepKey struct {
	model    string
	from, to core.Version
	prefix   string
}

// step judges one step of a path: a registered function is trusted with
// what it changes; an auto step is judged by what auto-migration does.
func (c *checker) step(model string, from, to core.Version, prefix string) []Finding {
	a, errA := c.m.Schema(model, from.String())
	b, errB := c.m.Schema(model, to.String())
	if errA != nil || errB != nil {
		return nil // a version with no schema: nothing to compare
	}
	f := func(ptr, code string, sev Severity, format string, args ...any) Finding {
		return Finding{Model: model, From: from.String(), To: to.String(), Pointer: prefix + ptr, Code: code, Severity: sev, Message: fmt.Sprintf(format, args...)}
	}
	j := judge{c: c, finding: f, function: c.isFunction(model, from, to), from: from, to: to, prefix: prefix}
	return j.fields("", a.Fields, b.Fields)
}

// judge compares the fields of two versions for one pair.
type judge struct {
	c        *checker
	finding  func(ptr, code string, sev Severity, format string, args ...any) Finding
	function bool // the step is a registered function
	from, to core.Version
	prefix   string
}

func (j *judge) fields(ptr string, a, b []core.Field) []Finding {
	var out []Finding
	am, bm := byName(a), byName(b)
	for _, fa := range a {
		if _, ok := bm[fa.Name]; !ok {
			p := ptr + "/" + escape(fa.Name)
			if j.function {
				out = append(out, j.finding(p, CodeFieldRemoved, SeverityWarning,
					"%s is not in %s: the migration drops it; if that is meant, say so in a round-trip test (transmutetest.WithLossy(%q))", fa.Name, j.to, p))
			} else {
				out = append(out, j.finding(p, CodeFieldRemoved, SeverityWarning,
					"%s is not in %s: auto-migration keeps the key, but a reader of %s ignores it; remove it with a migration if it must go", fa.Name, j.to, j.to))
			}
		}
	}
	for _, fb := range b {
		fa, ok := am[fb.Name]
		p := ptr + "/" + escape(fb.Name)
		if !ok {
			out = append(out, j.added(p, &fb)...)
			continue
		}
		out = append(out, j.changed(p, &fa, &fb)...)
	}
	return out
}

// added judges a field the target has and the source has not.
func (j *judge) added(p string, fb *core.Field) []Finding {
	switch {
	case !fb.Required:
		return nil
	case fb.Default != nil:
		return nil
	case j.function:
		return nil // the migration is trusted to set it (check's samples run it)
	}
	return []Finding{j.finding(p, CodeRequiredAdded, SeverityError,
		"%s requires %s, which records of %s do not have: give it a default (`default:\"…\"`) or register a migration that sets it", j.to, strings.TrimPrefix(p, "/"), j.from)}
}

// changed judges a field both versions have.
func (j *judge) changed(p string, fa, fb *core.Field) []Finding {
	var out []Finding
	ta, tb := typeName(fa), typeName(fb)
	if ta != tb && !j.function {
		out = append(out, j.finding(p, CodeTypeChanged, SeverityError,
			"the type of %s changes from %s to %s and no migration converts it: register a migration for %s → %s", strings.TrimPrefix(p, "/"), ta, tb, j.from, j.to))
		return out
	}
	if j.function {
		return nil
	}
	if !fa.Required && fb.Required && fb.Default == nil {
		out = append(out, j.finding(p, CodeRequiredAdded, SeverityError,
			"%s becomes required in %s with no default: records of %s without it fail; give it a default or a migration", strings.TrimPrefix(p, "/"), j.to, j.from))
	}
	if fa.Nullable && !fb.Nullable {
		out = append(out, j.finding(p, CodeNullableRemoved, SeverityError,
			"%s no longer accepts null in %s: records of %s holding null fail; register a migration that replaces it", strings.TrimPrefix(p, "/"), j.to, j.from))
	}
	return append(out, j.nested(p, fa, fb)...)
}

// nested judges the records inside a field: a nested model that changes
// version, or the fields of a nested object.
func (j *judge) nested(p string, fa, fb *core.Field) []Finding {
	pa, ea := elemPath(p, fa)
	_, eb := elemPath(p, fb)
	switch {
	case ea.Kind == core.KindModel && eb.Kind == core.KindModel && ea.Model == eb.Model && ea.ModelVersion != eb.ModelVersion:
		va, errA := core.ParseVersion(ea.ModelVersion)
		vb, errB := core.ParseVersion(eb.ModelVersion)
		if errA != nil || errB != nil {
			return nil
		}
		if !j.c.m.HasPath(ea.Model, ea.ModelVersion, eb.ModelVersion) {
			return []Finding{j.finding(p, CodeNestedNoPath, SeverityError,
				"%s holds %s %s in %s and %s in %s, with no migration between them: register one for %s",
				strings.TrimPrefix(p, "/"), ea.Model, ea.ModelVersion, j.from, eb.ModelVersion, j.to, ea.Model)}
		}
		return j.c.pair(ea.Model, va, vb, j.prefix+pa)
	case ea.Kind == core.KindObject && eb.Kind == core.KindObject && ea.Fields != nil && eb.Fields != nil:
		return j.fields(pa, ea.Fields, eb.Fields)
	}
	return nil
}

// elemPath returns the pointer and type of the records a field holds: the
// field itself, or the elements of its list or map ("*").
func elemPath(p string, f *core.Field) (string, *core.Field) {
	for (f.Kind == core.KindArray || f.Kind == core.KindMap) && f.Elem != nil {
		p, f = p+"/*", f.Elem
	}
	return p, f
}

// escape writes a field name as a JSON pointer token.
func escape(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}
