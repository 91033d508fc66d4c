package transmutetest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

func name(e transmutetest.Entry) string { return e.Hook + "." + e.Method }

// Recorders that share a journal keep, in it, the order of the calls
// across hooks: the engine's Befores in the order the hooks were added,
// its ends in the reverse order.
func TestJournalKeepsTheOrderAcrossRecorders(t *testing.T) {
	m := newManager()
	var j transmutetest.Journal
	a := transmutetest.NewRecorder(transmutetest.WithName("a"), transmutetest.WithJournal(&j))
	b := transmutetest.NewRecorder(transmutetest.WithName("b"), transmutetest.WithJournal(&j), nil)
	m.AddHook(a, b)
	if _, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.BeforeMigrate", "b.BeforeMigrate",
		"a.BeforeStep", "b.BeforeStep", "b.AfterStep", "a.AfterStep",
		"b.AfterMigrate", "a.AfterMigrate",
	}
	if got := j.Lines(name); !slices.Equal(got, want) {
		t.Fatalf("journal\n got %q\nwant %q", got, want)
	}
	if got := j.Filter("b"); len(got) != 4 || got[0].Hook != "b" || got[3].Method != transmutetest.AfterMigrate {
		t.Errorf("Filter(b) = %+v", got)
	}
	// Each recorder keeps its own calls too.
	if got := a.Methods(); len(got) != 4 {
		t.Errorf("a's calls %q", got)
	}
	// What the journal returns is the caller's.
	e := j.Entries()
	e[len(e)-1].Migrated["first_name"] = "changed"
	if got := j.Entries()[len(e)-1].Migrated["first_name"]; got != "Ada" {
		t.Errorf("a change to Entries() reached the journal: %v", got)
	}
	j.Reset()
	if len(j.Entries()) != 0 {
		t.Error("Reset kept entries")
	}
}

// An end that gets a ctx derived from its Before's (here: the ctx another
// hook's Before returned from it) is a fault, as is one that gets the
// right ctx of the wrong kind; the fault names the recorder.
func TestCheckPairingFindsADerivedCtx(t *testing.T) {
	ctx := context.Background()
	e := core.Event{Model: "User"}
	a := transmutetest.NewRecorder(transmutetest.WithName("a"))
	b := transmutetest.NewRecorder(transmutetest.WithName("b"))
	ca := a.BeforeMigrate(ctx, e)
	cb := b.BeforeMigrate(ca, e)
	b.AfterMigrate(cb, e, core.Record{})
	a.AfterMigrate(cb, e, core.Record{}) // a's own ctx was ca
	if err := b.CheckPairing(); err != nil {
		t.Errorf("b: %v", err)
	}
	err := a.CheckPairing()
	if err == nil || !strings.Contains(err.Error(), "derived") || !strings.Contains(err.Error(), "(a)") {
		t.Errorf("a: CheckPairing = %v, want a derived-ctx fault naming a", err)
	}
}

// A ValidatingRecorder returns its error, records the call, and reports a
// validation outside its own open migration.
func TestValidator(t *testing.T) {
	errNo := errors.New("no")
	m := newManager()
	v := transmutetest.NewValidator(errNo)
	m.AddHook(v)
	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	if !errors.Is(err, errNo) || !errors.Is(err, core.ErrValidation) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"BeforeMigrate", "BeforeStep", "AfterStep", "ValidateMigration", "OnError"}
	if got := v.Methods(); !slices.Equal(got, want) {
		t.Fatalf("methods %q, want %q", got, want)
	}
	if got := v.Calls()[3].Migrated["first_name"]; got != "Ada" {
		t.Errorf("ValidateMigration's Migrated = %v", got)
	}
	if err := v.CheckPairing(); err != nil {
		t.Fatal(err)
	}

	ctx, e := context.Background(), core.Event{Model: "User"}
	for name, broken := range map[string]func(v *transmutetest.ValidatingRecorder){
		"no migration": func(v *transmutetest.ValidatingRecorder) { _ = v.ValidateMigration(ctx, e, core.Record{}) },
		"after the end": func(v *transmutetest.ValidatingRecorder) {
			c := v.BeforeMigrate(ctx, e)
			v.AfterMigrate(c, e, core.Record{})
			_ = v.ValidateMigration(c, e, core.Record{})
		},
		"a step's ctx": func(v *transmutetest.ValidatingRecorder) {
			c := v.BeforeMigrate(ctx, e)
			s := v.BeforeStep(c, e, core.Step{})
			_ = v.ValidateMigration(s, e, core.Record{})
			v.AfterStep(s, e, core.Step{}, nil)
			v.AfterMigrate(c, e, core.Record{})
		},
	} {
		v := transmutetest.NewValidator(nil)
		broken(v)
		if err := v.CheckPairing(); err == nil {
			t.Errorf("%s: CheckPairing = nil", name)
		}
	}
}
