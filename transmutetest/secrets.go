package transmutetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Secret is the string that [FailWithSecret] puts in record values, map
// keys, version strings, migration functions' errors, panic values and a
// Validator's error. A hook that records no values must not record it.
const Secret = "ada.lovelace@secret.example"

// FailWithSecret runs, through a manager of its own with hook added,
// migrations that fail in each of the ways the engine reports (a bad
// date-time, an out-of-range integer and a bad map key in the result, a
// migration function's error, a panic, a Validator's error, an unreadable
// version, and a batch and a stream with failed items), every one with
// [Secret] in the record or in the failure. It returns their errors; the
// foreign ones (the function's, the panic's, the Validator's) and the
// version error quote Secret in their Error(), so a test that finds no
// Secret in what the hook recorded has tested something (t fails when
// they do not). A test then asserts that what hook recorded (span
// statuses, attributes, events, audit lines, log records) holds no
// Secret.
func FailWithSecret(t testing.TB, hook core.Hook) []error {
	t.Helper()
	m := secretManager(t)
	m.AddHook(hook)
	m.AddHook(secretValidator{})
	ctx := context.Background()
	var errs []error
	add := func(_ core.Data, err error) { errs = append(errs, err) }
	// Values the result must not quote: the migration to 2.0.0 copies them.
	add(m.Migrate(ctx, core.Data{"born": "12/10/1815 " + Secret}, "Secret", "1.0.0", "2.0.0"))
	add(m.Migrate(ctx, core.Data{"small": 9999999.0, "note": Secret}, "Secret", "1.0.0", "2.0.0"))
	add(m.Migrate(ctx, core.Data{"by_id": map[string]any{Secret: 1.0}}, "Secret", "1.0.0", "2.0.0"))
	add(m.Migrate(ctx, core.Data{"fail": Secret}, "Secret", "1.0.0", "2.0.0"))
	add(m.Migrate(ctx, core.Data{"panic": Secret}, "Secret", "1.0.0", "2.0.0"))
	add(m.Migrate(ctx, core.Data{"reject": Secret}, "Secret", "1.0.0", "2.0.0"))
	add(m.MigrateTo(ctx, core.Data{"v": Secret}, "Secret", "2.0.0"))
	batch := []core.Data{{"v": "1.0.0", "fail": Secret}, {"v": "1.0.0"}, {"v": "1.0.0", "born": Secret}}
	_, err := m.MigrateBatch(ctx, batch, "Secret", "", core.Latest, core.WithVersionFromRecord(), core.WithContinueOnError())
	errs = append(errs, err)
	for _, err := range m.MigrateStream(ctx, slices.Values([]core.Data{{"fail": Secret}}), "Secret", "1.0.0", "2.0.0") {
		if err != nil {
			errs = append(errs, err)
		}
	}
	quoting := 0
	for i, err := range errs {
		if err == nil {
			t.Fatalf("transmutetest: migration %d did not fail", i)
		}
		if strings.Contains(err.Error(), Secret) {
			quoting++
		}
	}
	if quoting < 5 {
		t.Fatalf("transmutetest: only %d failures quote the secret: %v", quoting, errs)
	}
	return errs
}

// The models of FailWithSecret: Secret 1.0.0 → 2.0.0 by a function that
// copies its input (and fails, panics or is rejected on request).
type (
	secretV1 struct {
		Fail   string `json:"fail,omitempty"`
		Panic  string `json:"panic,omitempty"`
		Reject string `json:"reject,omitempty"`
	}
	secretV2 struct {
		Born   time.Time      `json:"born,omitempty"`
		Small  int16          `json:"small,omitempty"`
		ByID   map[int]int    `json:"by_id,omitempty"`
		Note   string         `json:"note,omitempty"`
		Reject string         `json:"reject,omitempty"`
		Extra  map[string]any `json:"extra,omitempty"`
	}
)

var errSecret = errors.New("cannot migrate " + Secret)

func secretManager(t testing.TB) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithVersionKey("v"))
	err := errors.Join(
		core.Register[secretV1](m, "Secret", "1.0.0"),
		core.Register[secretV2](m, "Secret", "2.0.0"),
		m.RegisterMigration("Secret", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			if d["fail"] != nil {
				return nil, errors.Join(errSecret, errors.New(d["fail"].(string)))
			}
			if d["panic"] != nil {
				panic("boom: " + d["panic"].(string))
			}
			return d, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// secretValidator rejects a record with a "reject" field, quoting it.
type secretValidator struct{ core.NopHook }

func (secretValidator) ValidateMigration(_ context.Context, _ core.Event, r core.Record) error {
	if v, ok := r.Get("reject"); ok {
		s, _ := v.(string)
		return errors.New("rejected: " + s)
	}
	return nil
}
