package core_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func TestMigrations(t *testing.T) {
	m := core.NewManager()
	fn := func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }
	schema := core.Schema{Fields: []core.Field{{Name: "a", Kind: core.KindString}}}
	mustOK(t, m.RegisterSchema("M", "1.0.0", schema))
	mustOK(t, m.RegisterSchema("M", "2.0.0", schema, core.WithBackwardCompatible()))
	mustOK(t, m.RegisterSchema("M", "3.0.0", schema))
	mustOK(t, m.RegisterMigration("M", "2.0.0", "3.0.0", fn))
	mustOK(t, m.RegisterMigration("M", "3.0.0", "1.0.0", fn)) // a downgrade jump
	got, err := m.Migrations("M")
	mustOK(t, err)
	v := core.MustParseVersion
	want := []core.Migration{
		{From: v("1.0.0"), To: v("2.0.0"), Auto: true},
		{From: v("2.0.0"), To: v("3.0.0")},
		{From: v("3.0.0"), To: v("1.0.0")},
		{From: v("3.0.0"), To: v("2.0.0"), Auto: true},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Migrations =\n%v\nwant\n%v", got, want)
	}
	if _, err := m.Migrations("nope"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("unknown model: %v", err)
	}
}
