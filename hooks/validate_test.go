package hooks_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// eventLog records which hook methods ran, in order.
type eventLog struct {
	events []string
}

func (l *eventLog) hook(name string) *hooks.Funcs {
	return &hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			l.events = append(l.events, name+" before "+e.Model)
			return ctx
		},
		After: func(_ context.Context, e core.Event, _ core.Record) {
			l.events = append(l.events, name+" after "+e.Model)
		},
		Error: func(_ context.Context, e core.Event, err error) {
			l.events = append(l.events, name+" error "+e.Model+" "+core.ErrorType(err))
		},
	}
}

type rejection struct{ field string }

func (r *rejection) Error() string { return "rejected field " + r.field }

func TestValidateFailsTheMigration(t *testing.T) {
	errNoName := errors.New("missing first_name")
	var seen []string
	v := hooks.Validate(func(ctx context.Context, e core.Event, migrated core.Record) error {
		seen = append(seen, e.Model+" "+e.To.String()+" "+ctx.Value(ctxKey("req")).(string))
		if migrated.Value("first_name") == "" {
			return errNoName
		}
		if migrated.Value("last_name") == "" {
			return &rejection{field: "last_name"}
		}
		return nil
	})
	if _, ok := v.(core.Validator); !ok {
		t.Fatal("Validate's hook is not a core.Validator")
	}
	log := &eventLog{}
	m := newTestManager(t, failOnError(t))
	m.AddHook(log.hook("log"), v)
	ctx := context.WithValue(context.Background(), ctxKey("req"), "r-1")

	out, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	if err != nil || out["first_name"] != "Ada" {
		t.Fatalf("valid record: %v, %v", out, err)
	}
	_, err = m.Migrate(ctx, core.Data{"name": " Lovelace"}, "User", "1.0.0", "2.0.0")
	if !errors.Is(err, core.ErrValidation) || !errors.Is(err, errNoName) {
		t.Errorf("err = %v, want ErrValidation and the validator's error", err)
	}
	var ve *core.ValidationError
	if !errors.As(err, &ve) || ve.Model != "User" || ve.Version.String() != "2.0.0" {
		t.Errorf("err = %#v, want a *core.ValidationError for User 2.0.0", err)
	}
	if core.ErrorType(err) != "validation" {
		t.Errorf("ErrorType = %q", core.ErrorType(err))
	}
	_, err = m.Migrate(ctx, core.Data{"name": "Ada"}, "User", "1.0.0", "2.0.0")
	var rj *rejection
	if !errors.As(err, &rj) || rj.field != "last_name" || !errors.Is(err, core.ErrValidation) {
		t.Errorf("err = %v, want a *rejection that matches ErrValidation", err)
	}
	want := []string{
		"log before User", "log after User",
		"log before User", "log error User validation",
		"log before User", "log error User validation",
	}
	if !slices.Equal(log.events, want) {
		t.Errorf("hook events %q\nwant %q", log.events, want)
	}
	if len(seen) != 3 || seen[0] != "User 2.0.0 r-1" {
		t.Errorf("validator saw %q", seen)
	}
}

// A record that the model's own validation rejects never reaches the
// validator.
func TestValidateRunsAfterModelValidation(t *testing.T) {
	calls := 0
	m := newTestManager(t, failOnError(t))
	m.AddHook(hooks.Validate(func(context.Context, core.Event, core.Record) error { calls++; return nil }))
	_, err := m.Migrate(context.Background(), core.Data{"id": "not a number", "items": []any{}}, "Order", "1.0.0", "2.0.0")
	if !errors.Is(err, core.ErrValidation) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	if calls != 0 {
		t.Errorf("validator ran %d times on an invalid record", calls)
	}
}

func TestValidateNilAndRemove(t *testing.T) {
	if h := hooks.Validate(nil); h != nil {
		t.Errorf("Validate(nil) = %v, want nil", h)
	}
	m := newTestManager(t, failOnError(t))
	v := hooks.Validate(func(context.Context, core.Event, core.Record) error { return errors.New("no") })
	m.AddHook(v)
	if err := migrateUser(t, m, context.Background(), "Ada"); err == nil {
		t.Fatal("validator did not fail the migration")
	}
	if !m.RemoveHook(v) {
		t.Fatal("RemoveHook did not find the validator")
	}
	if err := migrateUser(t, m, context.Background(), "Ada"); err != nil {
		t.Fatal(err)
	}
}
