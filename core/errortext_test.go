package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// What a hook records of an error holds no value unless it keeps values:
// every failure of transmutetest.FailWithSecret, through ErrorMessage.
func TestErrorMessageIsValueFree(t *testing.T) {
	rec := transmutetest.NewRecorder()
	errs := transmutetest.FailWithSecret(t, rec)
	var seen []error
	for _, c := range rec.Calls() {
		if c.Err != nil {
			seen = append(seen, c.Err)
		}
	}
	if len(seen) < len(errs) {
		t.Fatalf("the hooks saw %d failures, want at least %d", len(seen), len(errs))
	}
	for _, err := range append(errs, seen...) {
		safe := core.ErrorMessage(err, nil)
		if strings.Contains(safe, transmutetest.Secret) || strings.Contains(safe, "ada.lovelace") {
			t.Errorf("ErrorMessage(nil) quotes the secret: %s", safe)
		}
		if !strings.Contains(safe, `"Secret"`) && !strings.Contains(safe, "batch") {
			t.Errorf("ErrorMessage(nil) does not name the model: %s", safe)
		}
		if withRedactor := core.ErrorMessage(err, func(string, any) any { return "x" }); withRedactor != safe {
			t.Errorf("a redactor other than KeepValues opted in: %s", withRedactor)
		}
		if full := core.ErrorMessage(err, core.KeepValues); full != err.Error() {
			t.Errorf("ErrorMessage(KeepValues) = %q, want %q", full, err.Error())
		}
	}
}

func TestErrorMessageKeepsWhatTheEngineSays(t *testing.T) {
	m := userManager(t)
	_, err := m.Migrate(context.Background(), core.Data{"name": 1.0}, "User", "1.0.0", "1.0.0")
	if got := core.ErrorMessage(err, nil); got != err.Error() {
		t.Errorf("a value-free engine error changed: %q, want %q", got, err.Error())
	}
	wrapped := &core.MigrationError{Model: "M", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		Err: fmt.Errorf("with %s: %w", "secret", context.Canceled)}
	if got := core.ErrorMessage(wrapped, nil); got != `migration failed for "M": 1.0.0 → 2.0.0: (error text withheld)` {
		t.Errorf("a foreign error's text: %q", got)
	}
	if got := core.ErrorMessage(errors.Join(core.ErrNoVersion, errors.New("secret")), nil); got != "no version\n(error text withheld)" {
		t.Errorf("a join: %q", got)
	}
	if core.ErrorMessage(nil, nil) != "" {
		t.Error("nil error")
	}
}

// Every error type the engine makes has a type of its own, wrapped or not.
func TestErrorTypeOfEverySentinel(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{core.ErrInvalidVersion, "invalid_version"},
		{core.ErrModelNotFound, "model_not_found"},
		{core.ErrNoMigrationPath, "no_migration_path"},
		{core.ErrValidation, "validation"},
		{core.ErrInvalidData, "invalid_data"},
		{core.ErrAlreadyRegistered, "already_registered"},
		{core.ErrInvalidModel, "invalid_model"},
		{core.ErrNoVersion, "no_version"},
	} {
		for _, err := range []error{tc.err, fmt.Errorf("wrapped: %w", tc.err), &core.MigrationError{Model: "M", Err: fmt.Errorf("x: %w", tc.err)}} {
			if got := core.ErrorType(err); got != tc.want {
				t.Errorf("ErrorType(%v) = %q, want %q", err, got, tc.want)
			}
		}
	}
	m := userManager(t, core.WithVersionKey("v"))
	ctx := context.Background()
	for name, tc := range map[string]struct {
		d    core.Data
		want string
	}{
		"no version":      {core.Data{"name": "A B"}, "no_version"},
		"null version":    {core.Data{"v": nil}, "no_version"},
		"invalid version": {core.Data{"v": "1.x"}, "invalid_version"},
		"not a string":    {core.Data{"v": 1.0}, "invalid_version"},
	} {
		_, err := m.MigrateTo(ctx, tc.d, "User", core.Latest)
		_, berr := m.MigrateBatch(ctx, []core.Data{tc.d}, "User", "", core.Latest, core.WithVersionFromRecord(), core.WithContinueOnError())
		for _, err := range []error{err, berr} {
			if got := core.ErrorType(err); got != tc.want && !(got == "batch" && errors.As(err, new(*core.BatchError))) {
				t.Errorf("%s: ErrorType = %q, want %q (%v)", name, got, tc.want, err)
			}
			var be *core.BatchError
			if errors.As(err, &be) {
				if got := core.ErrorType(be.Items[0]); got != tc.want {
					t.Errorf("%s: item's ErrorType = %q, want %q (%v)", name, got, tc.want, err)
				}
			}
			if strings.Contains(err.Error(), "0.0.0") {
				t.Errorf("%s: the message names 0.0.0: %v", name, err)
			}
		}
	}
	if _, err := core.ParseVersion(strings.Repeat("9", 100) + "x"); len(err.Error()) > 120 {
		t.Errorf("a long version is quoted whole: %d bytes", len(err.Error()))
	}
}
