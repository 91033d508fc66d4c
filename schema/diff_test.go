package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

func TestCompareUser2To3(t *testing.T) {
	d, err := schema.Compare(newManager(), "User", "2.0.0", "3.0.0")
	if err != nil {
		t.Fatal(err)
	}
	eqStrings(t, "added", d.Added, []string{"active", "avatar", "id", "joined", "level", "meta", "past", "prefs", "scores"})
	eqStrings(t, "removed", d.Removed, nil)
	eqStrings(t, "unchanged", d.Unchanged, []string{"email", "first_name", "last_name"})
	want := []schema.Modification{
		{Field: "home", Changes: []string{"nested model: Address 1.0.0 → 2.0.0"}},
		{Field: "tags", Changes: []string{"now optional"}},
	}
	if !equalMods(d.Modified, want) {
		t.Fatalf("modified %+v, want %+v", d.Modified, want)
	}
	// Address 1.0.0 → 2.0.0 has a path (auto): not breaking.
	eqStrings(t, "breaking", d.Breaking(), []string{
		"New required field 'id' will fail for existing data without it",
		"New required field 'joined' will fail for existing data without it",
		"New required field 'prefs' will fail for existing data without it",
	})
}

// Every kind of change, and every breaking rule, on run-time schemas.
func TestCompareEveryChange(t *testing.T) {
	m := core.NewManager()
	f := func(name string, k core.Kind, req bool, def string) core.Field {
		fl := core.Field{Name: name, Kind: k, Required: req}
		if def != "" {
			fl.Default = json.RawMessage(def)
		}
		return fl
	}
	must(errors.Join(
		m.RegisterSchema("Geo", "1.0.0", core.Schema{Fields: []core.Field{f("lat", core.KindNumber, true, "")}}),
		m.RegisterSchema("Geo", "2.0.0", core.Schema{Fields: []core.Field{f("lat", core.KindNumber, true, "")}}),
		m.RegisterSchema("M", "1.0.0", core.Schema{Fields: []core.Field{
			f("gone", core.KindString, false, ""),
			f("typed", core.KindString, true, ""),
			f("tighter", core.KindString, false, ""),
			f("looser", core.KindString, true, ""),
			f("def", core.KindInteger, false, "1"),
			f("defadd", core.KindInteger, false, ""),
			f("defdel", core.KindInteger, false, "3"),
			{Name: "where", Model: "Geo", ModelVersion: "1.0.0", Required: true},
			{Name: "nulls", Kind: core.KindString, Required: true, Nullable: true},
			f("same", core.KindBool, true, ""),
		}}),
		m.RegisterSchema("M", "2.0.0", core.Schema{Fields: []core.Field{
			f("typed", core.KindInteger, true, ""),
			f("tighter", core.KindString, true, ""),
			f("looser", core.KindString, false, ""),
			f("def", core.KindInteger, false, "2"),
			f("defadd", core.KindInteger, false, "5"),
			f("defdel", core.KindInteger, false, ""),
			{Name: "where", Model: "Geo", ModelVersion: "2.0.0", Required: true},
			{Name: "nulls", Kind: core.KindString, Required: true},
			f("same", core.KindBool, true, ""),
			f("new_req", core.KindString, true, ""),
			f("new_def", core.KindString, true, `"x"`),
			f("new_opt", core.KindString, false, ""),
		}}),
	))
	d, err := schema.Compare(m, "M", "1.0.0", "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Modification{
		{Field: "def", Changes: []string{"default: 1 → 2"}},
		{Field: "defadd", Changes: []string{"default added: 5"}},
		{Field: "defdel", Changes: []string{"default removed (was 3)"}},
		{Field: "looser", Changes: []string{"now optional", "now nullable"}},
		{Field: "nulls", Changes: []string{"no longer nullable"}},
		{Field: "tighter", Changes: []string{"now required", "no longer nullable"}},
		{Field: "typed", Changes: []string{"type: string → integer"}},
		{Field: "where", Changes: []string{"nested model: Geo 1.0.0 → 2.0.0"}},
	}
	if !equalMods(d.Modified, want) {
		t.Fatalf("modified\n got %+v\nwant %+v", d.Modified, want)
	}
	eqStrings(t, "breaking", d.Breaking(), []string{
		"New required field 'new_req' will fail for existing data without it",
		"Removed fields 'gone' will be lost during migration",
		"Field 'tighter' changed from optional to required",
		"Field 'typed' type changed: string → integer",
		"Field 'nulls' no longer accepts null",
		"Field 'tighter' no longer accepts null",
		"Field 'where': no migration path from Geo 1.0.0 to 2.0.0",
	})
	// With a migration for Geo, the nested change is no longer breaking.
	must(m.RegisterMigration("Geo", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }))
	d, _ = schema.Compare(m, "M", "1.0.0", "2.0.0")
	for _, b := range d.Breaking() {
		if strings.Contains(b, "Geo") {
			t.Errorf("still breaking: %s", b)
		}
	}

	md := d.Markdown()
	for _, s := range []string{"# M: 1.0.0 → 2.0.0", "## Added fields", "- `new_req`: string, required", "## Removed fields\n\n- `gone`",
		"- `typed`: type: string → integer", "## Breaking changes", "- ⚠️ Removed fields 'gone' will be lost during migration"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	must(json.Unmarshal(b, &back))
	if back["from"] != "1.0.0" || back["model"] != "M" || len(back["breaking"].([]any)) != 6 || len(back["modified"].([]any)) != 8 {
		t.Errorf("JSON %s", b)
	}
}

// A diff with no breaking change has no such section, and its JSON lists
// are empty, not null.
func TestCompareNothingBreaking(t *testing.T) {
	d, err := schema.Compare(newManager(), "Address", "1.0.0", "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Breaking()) != 0 || strings.Contains(d.Markdown(), "Breaking") {
		t.Fatalf("breaking %v\n%s", d.Breaking(), d.Markdown())
	}
	b, _ := json.Marshal(d)
	if !strings.Contains(string(b), `"removed":[]`) || !strings.Contains(string(b), `"breaking":[]`) {
		t.Fatalf("JSON %s", b)
	}
}

func TestCompareErrors(t *testing.T) {
	m := newManager()
	if _, err := schema.Compare(m, "User", "1.0.0", "9.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := schema.Compare(m, "Nope", "1.0.0", "2.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := schema.Compare(m, "User", "x", "2.0.0"); !errors.Is(err, core.ErrInvalidVersion) {
		t.Errorf("bad version: %v", err)
	}
}

func eqStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s\n got %q\nwant %q", what, got, want)
	}
}

func equalMods(a, b []schema.Modification) bool {
	return slices.EqualFunc(a, b, func(x, y schema.Modification) bool {
		return x.Field == y.Field && slices.Equal(x.Changes, y.Changes)
	})
}
