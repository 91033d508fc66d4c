package transmutetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// Case is one migration to test with [Run].
type Case struct {
	// Name names the subtest; empty names it "case N".
	Name string
	// In is the input record. Run checks that the migration leaves it
	// unchanged.
	In core.Data
	// Want is the record the migration must return, compared as JSON sees
	// it (see [Diff]). With a nil Want and a nil WantErr the case only
	// checks that the migration succeeds.
	Want core.Data
	// WantErr, when not nil, is the error the migration must fail with,
	// matched with errors.Is (a sentinel such as core.ErrValidation, or
	// the error a migration function returns).
	WantErr error
	// WithoutValidation runs the case with MigrateData, which does not
	// validate the result, instead of Migrate.
	WithoutValidation bool
}

// Run migrates the In of each case from one version of model to another
// with [core.Manager.Migrate], as production code does (the result is
// validated against the target version; [Case.WithoutValidation] uses
// MigrateData), each case as a subtest of t, and fails the subtest when
// the result is not Want (reported key by key, with the input), when the
// error does not match WantErr, or when the input was modified. With a
// manager that has a version key ([core.WithVersionKey]), the result
// carries it, set to the target version: Want must hold it too.
func Run(t *testing.T, m *core.Manager, model, from, to string, cases []Case) {
	t.Helper()
	for i, c := range cases {
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("case %d", i)
		}
		t.Run(name, func(t *testing.T) {
			t.Helper()
			if msg := check(t, m, model, from, to, c); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// check runs one case and returns what is wrong with it, or "".
func check(t *testing.T, m *core.Manager, model, from, to string, c Case) string {
	before, cerr := core.Copy(c.In)
	migrate := m.Migrate
	if c.WithoutValidation {
		migrate = m.MigrateData
	}
	got, err := migrate(t.Context(), c.In, model, from, to)
	head := fmt.Sprintf("migrate %s %s → %s\ninput: %s\n", model, from, to, jsonText(c.In))
	if cerr == nil && !reflect.DeepEqual(c.In, before) {
		return head + "the migration modified its input (- before, + after):\n" + Diff(before, c.In)
	}
	switch {
	case c.WantErr != nil && err == nil:
		return head + fmt.Sprintf("succeeded with %s\nwant an error matching: %v", jsonText(got), c.WantErr)
	case c.WantErr != nil && !errors.Is(err, c.WantErr):
		return head + fmt.Sprintf("error: %v\nwant an error matching: %v", err, c.WantErr)
	case c.WantErr == nil && err != nil:
		return head + fmt.Sprintf("unexpected error: %v", err)
	case c.Want != nil:
		if d := Diff(c.Want, got); d != "" {
			return head + "record differs from want:\n" + d
		}
	}
	return ""
}
