package transmutetest_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

func TestRecorderRecordsEveryCallInOrder(t *testing.T) {
	m := newManager()
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	ctx := context.Background()
	in := core.Data{"name": "Ada Lovelace"}
	out, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Migrate(ctx, core.Data{"name": "Plato"}, "User", "1.0.0", "2.0.0")
	if !errors.Is(err, errNoName) {
		t.Fatalf("err = %v", err)
	}
	_, err = m.MigrateBatch(ctx, []core.Data{{"name": "A B"}}, "User", "1.0.0", "2.0.0")
	if err != nil {
		t.Fatal(err)
	}

	want := []string{
		"BeforeMigrate", "BeforeStep", "AfterStep", "AfterMigrate",
		"BeforeMigrate", "BeforeStep", "AfterStep", "OnError",
		"BeforeBatch", "BeforeMigrate", "BeforeStep", "AfterStep", "AfterMigrate", "AfterBatch",
	}
	if got := rec.Methods(); !slices.Equal(got, want) {
		t.Fatalf("methods\n got %q\nwant %q", got, want)
	}
	calls := rec.Calls()
	first := calls[0].Event
	if first.Model != "User" || first.From.String() != "1.0.0" || first.To.String() != "2.0.0" || len(first.Path) != 2 {
		t.Errorf("event %+v", first)
	}
	if s := calls[1].Step; s.Index != 0 || s.Auto || s.From.String() != "1.0.0" {
		t.Errorf("step %+v", s)
	}
	if !errors.Is(calls[6].Err, errNoName) || !errors.Is(calls[7].Err, errNoName) {
		t.Errorf("AfterStep err %v, OnError err %v", calls[6].Err, calls[7].Err)
	}
	if b := calls[13].Batch; b.Size != 1 || b.Succeeded != 1 || calls[13].Err != nil {
		t.Errorf("AfterBatch %+v, %v", b, calls[13].Err)
	}

	// What was recorded is a copy: changing the caller's maps later does
	// not change it.
	out["first_name"] = "changed"
	in["name"] = "changed"
	if got := rec.Calls()[3].Migrated["first_name"]; got != "Ada" {
		t.Errorf("Migrated changed with the result: %v", got)
	}
	if got := rec.Calls()[0].Event.Data.Value("name"); got != "Ada Lovelace" {
		t.Errorf("Event.Data changed with the input: %v", got)
	}

	if err := rec.CheckPairing(); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	if len(rec.Calls()) != 0 || len(rec.Methods()) != 0 {
		t.Fatal("Reset kept calls")
	}
}

func TestRecorderIsSafeForConcurrentUse(t *testing.T) {
	m := newManager()
	var rec transmutetest.Recorder // the zero Recorder is ready
	m.AddHook(&rec)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := m.Migrate(context.Background(), core.Data{"name": "A B"}, "User", "1.0.0", "2.0.0"); err != nil {
					t.Error(err)
				}
				_ = rec.Methods()
			}
		})
	}
	wg.Wait()
	if n := len(rec.Calls()); n != 8*50*4 {
		t.Fatalf("%d calls, want %d", n, 8*50*4)
	}
	if err := rec.CheckPairing(); err != nil {
		t.Fatal(err)
	}
}

// CheckPairing catches an end with a foreign ctx, an end twice and a
// Before with no end.
func TestCheckPairingFindsBrokenPairs(t *testing.T) {
	ctx := context.Background()
	e := core.Event{Model: "User"}
	rec := transmutetest.NewRecorder()
	good := rec.BeforeMigrate(ctx, e)
	rec.AfterMigrate(good, e, core.Record{})
	if err := rec.CheckPairing(); err != nil {
		t.Fatalf("a good pair: %v", err)
	}
	for name, broken := range map[string]func(r *transmutetest.Recorder){
		"foreign ctx": func(r *transmutetest.Recorder) { r.BeforeMigrate(ctx, e); r.OnError(ctx, e, errNoName) },
		"two ends": func(r *transmutetest.Recorder) {
			c := r.BeforeMigrate(ctx, e)
			r.AfterMigrate(c, e, core.Record{})
			r.OnError(c, e, errNoName)
		},
		"no end": func(r *transmutetest.Recorder) { r.BeforeStep(ctx, e, core.Step{}) },
		"step ctx kind": func(r *transmutetest.Recorder) {
			c := r.BeforeMigrate(ctx, e)
			r.AfterStep(c, e, core.Step{}, nil)
			r.OnError(c, e, nil)
		},
		"other recorder": func(r *transmutetest.Recorder) {
			c := transmutetest.NewRecorder().BeforeBatch(ctx, core.Batch{})
			r.BeforeBatch(ctx, core.Batch{})
			r.AfterBatch(c, core.Batch{}, nil)
		},
	} {
		r := transmutetest.NewRecorder()
		broken(r)
		if err := r.CheckPairing(); err == nil {
			t.Errorf("%s: CheckPairing = nil", name)
		}
	}
}

// What Calls returns is the caller's: changing it changes no later Calls.
func TestCallsAreCopies(t *testing.T) {
	m := newManager()
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)
	if _, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	first := rec.Calls()
	for _, c := range first {
		if c.Migrated != nil {
			c.Migrated["first_name"] = "changed"
		}
		if len(c.Event.Path) > 0 {
			c.Event.Path[0] = core.MustParseVersion("9.9.9")
		}
	}
	for _, c := range rec.Calls() {
		if c.Migrated != nil && c.Migrated["first_name"] != "Ada" {
			t.Fatalf("a change to Calls() reached the recorder: %v", c.Migrated)
		}
		if len(c.Event.Path) > 0 && c.Event.Path[0].String() != "1.0.0" {
			t.Fatalf("a change to a path reached the recorder: %v", c.Event.Path)
		}
	}
}
