package guide_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// TestUserMigrations is a table of migrations, as a team keeps one for
// each model: each case is a subtest, and a wrong record is reported field
// by field, with its input.
func TestUserMigrations(t *testing.T) {
	m := newManager()
	transmutetest.Run(t, m, "User", "1.0.0", "3.0.0", []transmutetest.Case{
		{
			Name: "full name",
			In:   core.Data{"name": "Ada Lovelace"},
			Want: core.Data{"first_name": "Ada", "last_name": "Lovelace", "country": "unknown"},
		},
		{
			Name: "one word",
			In:   core.Data{"name": "Plato"},
			Want: core.Data{"first_name": "Plato", "last_name": "", "country": "unknown"},
		},
		{
			Name: "extra fields are kept",
			In:   core.Data{"name": "Grace Hopper", "rank": "admiral"},
			Want: core.Data{"first_name": "Grace", "last_name": "Hopper", "country": "unknown", "rank": "admiral"},
		},
	})
}

// A wrong expectation fails with a message like this one.
func Example_diff() {
	want := core.Data{"first_name": "Ada", "last_name": "Byron", "country": "unknown"}
	got := core.Data{"first_name": "Ada", "last_name": "Lovelace", "country": "unknown"}
	fmt.Print(transmutetest.Diff(want, got))
	// Output:
	//   last_name: want "Byron", got "Lovelace"
}

// TestWhatHooksSee records every call the manager makes to a hook, checks
// their order and that each end got the ctx of its own Before.
func TestWhatHooksSee(t *testing.T) {
	m := newManager()
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"BeforeMigrate", "BeforeStep", "AfterStep", "BeforeStep", "AfterStep", "AfterMigrate"}
	if got := rec.Methods(); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	calls := rec.Calls()
	if auto := calls[3].Step.Auto; !auto {
		t.Error("the step to 3.0.0 is not an auto-migration")
	}
	if got := calls[5].Migrated["country"]; got != "unknown" {
		t.Errorf("country = %v, want the default", got)
	}
	if err := rec.CheckPairing(); err != nil {
		t.Error(err)
	}
}
