package transmutetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

var errNoName = errors.New("no name")

type userV1 struct {
	Name string `json:"name"`
}

type userV2 struct {
	First string `json:"first_name"`
	Last  string `json:"last_name"`
}

func manager(t *testing.T, fn core.MigrationFunc) *core.Manager {
	m := core.NewManager()
	err := errors.Join(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", fn),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func split(_ context.Context, d core.Data) (core.Data, error) {
	first, last, ok := strings.Cut(d["name"].(string), " ")
	if !ok {
		return nil, errNoName
	}
	return core.Data{"first_name": first, "last_name": last}, nil
}

// check is what Run reports for each case: every way a case can fail
// gives a message that names the input and what differs.
func TestCheckReports(t *testing.T) {
	m := manager(t, split)
	for _, tc := range []struct {
		name string
		c    Case
		want []string // substrings of the message; none means the case passes
	}{
		{"pass", Case{In: core.Data{"name": "Ada Lovelace"}, Want: core.Data{"first_name": "Ada", "last_name": "Lovelace"}}, nil},
		{"smoke", Case{In: core.Data{"name": "Ada Lovelace"}}, nil},
		{"wanted error", Case{In: core.Data{"name": "Plato"}, WantErr: errNoName}, nil},
		{"wrong value", Case{In: core.Data{"name": "Ada Lovelace"}, Want: core.Data{"first_name": "Ada", "last_name": "Byron"}},
			[]string{`input: {"name":"Ada Lovelace"}`, `last_name: want "Byron", got "Lovelace"`}},
		{"missing and extra", Case{In: core.Data{"name": "Ada Lovelace"}, Want: core.Data{"first_name": "Ada", "email": "a@x"}},
			[]string{`email: missing, want "a@x"`, `last_name: unexpected, got "Lovelace"`}},
		{"unexpected error", Case{In: core.Data{"name": "Plato"}, Want: core.Data{}}, []string{"unexpected error", "no name"}},
		{"error does not match", Case{In: core.Data{"name": "Plato"}, WantErr: core.ErrValidation}, []string{"want an error matching: validation failed"}},
		{"no error", Case{In: core.Data{"name": "A B"}, WantErr: errNoName}, []string{`succeeded with {"first_name":"A","last_name":"B"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := check(t, m, "User", "1.0.0", "2.0.0", tc.c)
			if len(tc.want) == 0 && msg != "" {
				t.Fatalf("a passing case reported:\n%s", msg)
			}
			if len(tc.want) > 0 && msg == "" {
				t.Fatal("a failing case reported nothing")
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestCheckReportsAModifiedInput(t *testing.T) {
	m := manager(t, split)
	in := core.Data{"name": "Ada Lovelace", "tags": []any{"a"}}
	// MigrateData works on a copy, so only a manager without the copy lets
	// a function change the input.
	impure := core.NewManager(core.WithoutInputCopy())
	_ = errors.Join(
		core.Register[userV1](impure, "User", "1.0.0"),
		core.Register[userV2](impure, "User", "2.0.0"),
		impure.RegisterMigration("User", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
			d["name"] = "changed"
			return split(ctx, core.Data{"name": "A B"})
		}),
	)
	if msg := check(t, m, "User", "1.0.0", "2.0.0", Case{In: in}); msg != "" {
		t.Fatalf("the engine's copy was reported as a change:\n%s", msg)
	}
	msg := check(t, impure, "User", "1.0.0", "2.0.0", Case{In: in})
	if !strings.Contains(msg, "modified its input") || !strings.Contains(msg, `name: want "Ada Lovelace", got "changed"`) {
		t.Fatalf("message:\n%s", msg)
	}
}

// Run itself passes good cases, named or not (a failing subtest would
// fail this test).
func TestRunPassesGoodCases(t *testing.T) {
	m := manager(t, split)
	Run(t, m, "User", "1.0.0", "2.0.0", []Case{
		{Name: "named", In: core.Data{"name": "A B"}, Want: core.Data{"first_name": "A", "last_name": "B"}},
		{In: core.Data{"name": "C"}, WantErr: errNoName},
	})
}

// Run checks what production code runs: Migrate, which validates the
// result. A migration that returns an invalid record fails its case, and
// a case that wants core.ErrValidation passes.
func TestRunValidatesTheResult(t *testing.T) {
	invalid := func(_ context.Context, d core.Data) (core.Data, error) {
		return core.Data{"first_name": 42.0, "last_name": "x"}, nil // first_name must be a string
	}
	m := manager(t, invalid)
	in := core.Data{"name": "A B"}
	if msg := check(t, m, "User", "1.0.0", "2.0.0", Case{In: in}); !strings.Contains(msg, "validation failed") {
		t.Fatalf("an invalid result passed: %q", msg)
	}
	if msg := check(t, m, "User", "1.0.0", "2.0.0", Case{In: in, WantErr: core.ErrValidation}); msg != "" {
		t.Fatalf("WantErr ErrValidation: %s", msg)
	}
	if msg := check(t, m, "User", "1.0.0", "2.0.0", Case{In: in, WithoutValidation: true}); msg != "" {
		t.Fatalf("WithoutValidation: %s", msg)
	}
}
