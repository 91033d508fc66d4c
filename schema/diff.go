package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/samber/lo"

	"github.com/transmute-go/transmute/core"
)

// Diff is what changed between two versions of a model, field by field.
// Field names are sorted in every list.
type Diff struct {
	Model     string
	From, To  core.Version
	Added     []string
	Removed   []string
	Unchanged []string
	Modified  []Modification

	from, to map[string]core.Field
	paths    func(model, from, to string) bool
}

// Modification is a field present in both versions that changed.
type Modification struct {
	Field string
	// Changes, readable: "type: string → integer", "now required", "now
	// optional", "now nullable", "no longer nullable", "default: 1 → 2",
	// "default added: 1", "default removed (was 1)", "nested model:
	// Address 1.0.0 → 2.0.0".
	Changes []string
}

// Compare returns the differences between two registered versions of a
// model. It fails as [core.Manager.Schema] does for an unknown model or
// version.
func Compare(m *core.Manager, model, from, to string) (*Diff, error) {
	a, err := m.Schema(model, from)
	if err != nil {
		return nil, fmt.Errorf("schema: compare: %w", err)
	}
	b, err := m.Schema(model, to)
	if err != nil {
		return nil, fmt.Errorf("schema: compare: %w", err)
	}
	d := &Diff{Model: model, From: a.Version, To: b.Version, from: byName(a.Fields), to: byName(b.Fields), paths: m.HasPath}
	names := func(s core.Schema) []string {
		return lo.Map(s.Fields, func(f core.Field, _ int) string { return f.Name })
	}
	d.Added = sorted(lo.Without(names(b), names(a)...))
	d.Removed = sorted(lo.Without(names(a), names(b)...))
	for _, n := range sorted(lo.Intersect(names(a), names(b))) {
		if changes := fieldChanges(d.from[n], d.to[n]); len(changes) > 0 {
			d.Modified = append(d.Modified, Modification{Field: n, Changes: changes})
		} else {
			d.Unchanged = append(d.Unchanged, n)
		}
	}
	return d, nil
}

func byName(fields []core.Field) map[string]core.Field {
	return lo.SliceToMap(fields, func(f core.Field) (string, core.Field) { return f.Name, f })
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// fieldChanges lists what changed between two forms of a field.
func fieldChanges(a, b core.Field) []string {
	var out []string
	if ta, tb := typeName(&a), typeName(&b); ta != tb {
		out = append(out, "type: "+ta+" → "+tb)
	} else if ma, mb := modelOf(&a), modelOf(&b); ma != nil && mb != nil && ma.ModelVersion != mb.ModelVersion {
		out = append(out, fmt.Sprintf("nested model: %s %s → %s", ma.Model, ma.ModelVersion, mb.ModelVersion))
	}
	switch {
	case !a.Required && b.Required:
		out = append(out, "now required")
	case a.Required && !b.Required:
		out = append(out, "now optional")
	}
	switch {
	case !a.Nullable && b.Nullable:
		out = append(out, "now nullable")
	case a.Nullable && !b.Nullable:
		out = append(out, "no longer nullable")
	}
	da, db := literal(a.Default), literal(b.Default)
	switch {
	case a.Default == nil && b.Default != nil:
		out = append(out, "default added: "+db)
	case a.Default != nil && b.Default == nil:
		out = append(out, "default removed (was "+da+")")
	case da != db:
		out = append(out, "default: "+da+" → "+db)
	}
	return out
}

// typeName is a readable, comparable name of a field's type: "string",
// "array<integer>", "map<Address>", "object".
func typeName(f *core.Field) string {
	switch f.Kind {
	case core.KindModel:
		return f.Model
	case core.KindArray, core.KindMap:
		elem := "any"
		if f.Elem != nil {
			elem = typeName(f.Elem)
		}
		return f.Kind.String() + "<" + elem + ">"
	}
	return f.Kind.String()
}

// modelOf returns the model type of a field, or of its elements.
func modelOf(f *core.Field) *core.Field {
	for t := f; t != nil; t = t.Elem {
		if t.Kind == core.KindModel {
			return t
		}
	}
	return nil
}

// literal is a JSON default in compact form.
func literal(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// Breaking returns the changes that existing records or their readers may
// not survive, in a stable order: new required fields without a default,
// removed fields, fields that became required, type changes, fields that
// no longer accept null, and nested models whose versions have no
// migration path between them.
func (d *Diff) Breaking() []string {
	var out []string
	for _, n := range d.Added {
		if f := d.to[n]; f.Required && f.Default == nil {
			out = append(out, fmt.Sprintf("New required field '%s' will fail for existing data without it", n))
		}
	}
	if len(d.Removed) > 0 {
		quoted := lo.Map(d.Removed, func(n string, _ int) string { return "'" + n + "'" })
		out = append(out, fmt.Sprintf("Removed fields %s will be lost during migration", strings.Join(quoted, ", ")))
	}
	for _, rule := range breakingRules {
		for _, mod := range d.Modified {
			if msg := rule(d, mod.Field); msg != "" {
				out = append(out, msg)
			}
		}
	}
	return out
}

// breakingRules judge a modified field, in the order Breaking lists them.
var breakingRules = []func(d *Diff, name string) string{
	func(d *Diff, n string) string {
		if !d.from[n].Required && d.to[n].Required {
			return fmt.Sprintf("Field '%s' changed from optional to required", n)
		}
		return ""
	},
	func(d *Diff, n string) string {
		a, b := d.from[n], d.to[n]
		if ta, tb := typeName(&a), typeName(&b); ta != tb {
			return fmt.Sprintf("Field '%s' type changed: %s → %s", n, ta, tb)
		}
		return ""
	},
	func(d *Diff, n string) string {
		if d.from[n].Nullable && !d.to[n].Nullable {
			return fmt.Sprintf("Field '%s' no longer accepts null", n)
		}
		return ""
	},
	func(d *Diff, n string) string {
		a, b := d.from[n], d.to[n]
		ma, mb := modelOf(&a), modelOf(&b)
		if ma == nil || mb == nil || ma.Model != mb.Model || ma.ModelVersion == mb.ModelVersion {
			return ""
		}
		if d.paths != nil && d.paths(ma.Model, ma.ModelVersion, mb.ModelVersion) {
			return ""
		}
		return fmt.Sprintf("Field '%s': no migration path from %s %s to %s", n, ma.Model, ma.ModelVersion, mb.ModelVersion)
	},
}

// Markdown renders the diff: a title, the added, removed and modified
// fields, and a "Breaking changes" section when there is one.
func (d *Diff) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s → %s\n", d.Model, d.From, d.To)
	section := func(title string, lines []string) {
		fmt.Fprintf(&b, "\n## %s\n\n", title)
		if len(lines) == 0 {
			b.WriteString("None.\n")
		}
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	}
	section("Added fields", lo.Map(d.Added, func(n string, _ int) string {
		f := d.to[n]
		req := "optional"
		if f.Required {
			req = "required"
		}
		return fmt.Sprintf("`%s`: %s, %s", n, typeName(&f), req)
	}))
	section("Removed fields", lo.Map(d.Removed, func(n string, _ int) string { return "`" + n + "`" }))
	section("Modified fields", lo.Map(d.Modified, func(m Modification, _ int) string {
		return "`" + m.Field + "`: " + strings.Join(m.Changes, "; ")
	}))
	if br := d.Breaking(); len(br) > 0 {
		section("Breaking changes", lo.Map(br, func(s string, _ int) string { return "⚠️ " + s }))
	}
	return b.String()
}

// MarshalJSON encodes the diff with its breaking changes:
// {"model","from","to","added","removed","unchanged","modified":[{"field","changes"}],"breaking"},
// every list present (empty rather than null), with "<", ">" and "&" as
// they are (not escaped for HTML).
func (d *Diff) MarshalJSON() ([]byte, error) {
	type mod struct {
		Field   string   `json:"field"`
		Changes []string `json:"changes"`
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	v := struct {
		Model     string       `json:"model"`
		From      core.Version `json:"from"`
		To        core.Version `json:"to"`
		Added     []string     `json:"added"`
		Removed   []string     `json:"removed"`
		Unchanged []string     `json:"unchanged"`
		Modified  []mod        `json:"modified"`
		Breaking  []string     `json:"breaking"`
	}{
		d.Model, d.From, d.To, nonNil(d.Added), nonNil(d.Removed), nonNil(d.Unchanged),
		lo.Map(d.Modified, func(m Modification, _ int) mod { return mod(m) }),
		nonNil(d.Breaking()),
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
