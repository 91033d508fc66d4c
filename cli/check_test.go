package cli_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

// goodManager is newManager with a migration that handles every name.
func goodManager(t *testing.T) *core.Manager {
	t.Helper()
	return managerSplitting(t, func(name string) (string, string, error) {
		first, last, _ := strings.Cut(name, " ")
		return first, last, nil
	})
}

func TestCheckPasses(t *testing.T) {
	r := run(t, goodManager(t), "", "check", "--samples", "50")
	wantCode(t, r, 0)
	contains(t, "check", r.stdout, "samples: 50 per version, seed 1 (--seed 1 reproduces them)", "check: 2 models, 5 versions, 50 samples each: 0 finding(s)")
}

// The generated records find the names with no space that the migration
// function of newManager does not handle.
func TestCheckFindsAFailingSample(t *testing.T) {
	r := run(t, newManager(t), "", "check", "--samples", "200", "--seed", "7")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 1.0.0 sample ", "(seed 7): migrate to 3.0.0:", "the name has no space", "record: {")
	contains(t, "stderr", r.stderr, "finding(s)")
	// The same seed gives the same findings.
	again := run(t, newManager(t), "", "check", "--samples", "200", "--seed", "7")
	if again.stdout != r.stdout {
		t.Fatal("the same seed gave other findings")
	}
}

func TestCheckFindsAGap(t *testing.T) {
	m := goodManager(t)
	if err := core.Register[UserV3](m, "User", "4.0.0"); err != nil { // no migration, not compatible
		t.Fatal(err)
	}
	r := run(t, m, "", "check", "--samples", "5")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout,
		"FAIL User 1.0.0 does not reach the latest 4.0.0: no step from 3.0.0 to 4.0.0 (register a migration 3.0.0 → 4.0.0, or mark 4.0.0 WithBackwardCompatible)",
		"FAIL User 3.0.0 does not reach the latest 4.0.0")

	// A model with a downgrade must be reachable downwards too.
	m = goodManager(t)
	if err := m.RegisterMigration("User", "3.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }); err != nil {
		t.Fatal(err)
	}
	r = run(t, m, "", "check", "--samples", "5")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 1.0.0 is not reached from the latest 3.0.0, though User has downgrades: no step from 2.0.0 down to 1.0.0")
}

func TestCheckSnapshots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snapshots")
	m := goodManager(t)
	r := run(t, m, "", "check", "--samples", "5", "--snapshot", dir, "--update")
	wantCode(t, r, 0)
	contains(t, "check", r.stdout, "new: User 3.0.0 has no snapshot yet", "wrote "+filepath.Join(dir, "User_v3_0_0.json"))
	r = run(t, m, "", "check", "--samples", "5", "--snapshot", dir)
	wantCode(t, r, 0)
	if strings.Contains(r.stdout, "new:") {
		t.Fatalf("a snapshotted version reported as new:\n%s", r.stdout)
	}

	// User 1.0.0 is edited after its release: its age becomes a string.
	type editedV1 struct {
		Name    string    `json:"name"`
		Age     string    `json:"age"`
		Address AddressV1 `json:"address"`
	}
	m2 := core.NewManager()
	if err := errors.Join(
		core.Register[AddressV1](m2, "Address", "1.0.0"),
		core.Register[AddressV2](m2, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[editedV1](m2, "User", "1.0.0"),
		core.Register[UserV2](m2, "User", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV3](m2, "User", "3.0.0", core.WithBackwardCompatible()),
		core.Register[UserV3](m2, "User", "4.0.0", core.WithBackwardCompatible()),
	); err != nil {
		t.Fatal(err)
	}
	r = run(t, m2, "", "check", "--samples", "0", "--snapshot", dir)
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout,
		"FAIL User 1.0.0 changed after its snapshot: field 'age': type",
		`"integer" → "string"`, "field 'age': now required",
		"new: User 4.0.0 has no snapshot yet")
	before, _ := os.ReadFile(filepath.Join(dir, "User_v1_0_0.json"))
	// The snapshots are rewritten; the compatibility findings stand: this
	// manager's auto step 1.0.0 → 2.0.0 cannot make first and last.
	r = run(t, m2, "", "check", "--samples", "0", "--snapshot", dir, "--update")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 1.0.0 → 2.0.0 /first required_added", "FAIL User 1.0.0 → 2.0.0 /age type_changed")
	after, _ := os.ReadFile(filepath.Join(dir, "User_v1_0_0.json"))
	if string(before) == string(after) {
		t.Fatal("--update did not rewrite the changed snapshot")
	}
	r = run(t, m2, "", "check", "--update")
	wantCode(t, r, cli.ExitUsage)
}

// --mode: the compatibility of every model in a mode, counting the
// registered migrations; warnings are lines, not findings.
func TestCheckModes(t *testing.T) {
	m := goodManager(t)
	r := run(t, m, "", "check", "--samples", "0")
	wantCode(t, r, 0)
	contains(t, "check", r.stdout, "warn User 1.0.0 → 2.0.0 /name field_removed")
	r = run(t, m, "", "check", "--samples", "0", "--mode", "full")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 2.0.0 → 1.0.0 (the record) no_migration", "FAIL Address 2.0.0 → 1.0.0 (the record) no_migration")
	r = run(t, m, "", "check", "--samples", "0", "--mode", "sideways")
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, `--mode "sideways"`)
}

// --round-trip: a pair with migrations both ways must give records back
// whole; each lost field is a finding with its pointer.
func TestCheckRoundTrip(t *testing.T) {
	m := goodManager(t) // 2.0.0 → 1.0.0 joins first and last: what split loses comes back different
	if err := m.RegisterMigration("User", "2.0.0", "1.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["name"] = fmt.Sprint(d["first"], d["last"]) // no space: "A B" comes back "AB"
		delete(d, "first")
		delete(d, "last")
		return d, nil
	}); err != nil {
		t.Fatal(err)
	}
	r := run(t, m, "", "check", "--samples", "20", "--round-trip")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 1.0.0 → 2.0.0 → 1.0.0 /name not_round_trip", "(seed 1, sample ", `transmutetest.WithLossy("/name")`)
	if strings.Contains(r.stdout, "Address 1.0.0 → 2.0.0 → 1.0.0") {
		t.Errorf("Address has no downgrade: no round trip to check\n%s", r.stdout)
	}
	// Without the flag, no round trip is checked.
	r = run(t, m, "", "check", "--samples", "20")
	if strings.Contains(r.stdout, "not_round_trip") {
		t.Errorf("round trips checked without --round-trip:\n%s", r.stdout)
	}
}
