package core_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// timingHook records the events and steps each method saw.
type timingHook struct {
	mu                      sync.Mutex
	before, after, failed   []core.Event
	validated               []core.Event
	batchBefore, batchAfter []core.Batch
}

func (h *timingHook) add(list *[]core.Event, e core.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*list = append(*list, e)
}

func (h *timingHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	h.add(&h.before, e)
	return ctx
}
func (h *timingHook) AfterMigrate(_ context.Context, e core.Event, _ core.Record) { h.add(&h.after, e) }
func (h *timingHook) OnError(_ context.Context, e core.Event, _ error)            { h.add(&h.failed, e) }
func (h *timingHook) ValidateMigration(_ context.Context, e core.Event, _ core.Record) error {
	h.add(&h.validated, e)
	return nil
}
func (h *timingHook) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	h.batchBefore = append(h.batchBefore, b)
	return ctx
}
func (h *timingHook) AfterBatch(_ context.Context, b core.Batch, _ error) {
	h.batchAfter = append(h.batchAfter, b)
}

const stepSleep = 3 * time.Millisecond

// sleepyManager migrates T 1.0.0 → 2.0.0 → 3.0.0 with functions that
// take stepSleep each; the second fails when the record says so.
func sleepyManager(t *testing.T) (*core.Manager, *timingHook) {
	t.Helper()
	m := core.NewManager()
	fn := func(_ context.Context, d core.Data) (core.Data, error) {
		time.Sleep(stepSleep)
		if d["fail"] == true && d["v"] == 2.0 {
			return nil, errors.New("failed on purpose")
		}
		out := core.Data{"v": d["v"].(float64) + 1}
		if d["fail"] == true {
			out["fail"] = true
		}
		return out, nil
	}
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0"} {
		mustOK(t, m.RegisterSchema("T", v, core.Schema{}))
	}
	mustOK(t, m.RegisterMigration("T", "1.0.0", "2.0.0", fn))
	mustOK(t, m.RegisterMigration("T", "2.0.0", "3.0.0", fn))
	h := &timingHook{}
	m.AddHook(h)
	return m, h
}

// The engine reads the clock for all hooks: Elapsed is zero until the
// end, then covers the whole migration, validation included.
func TestElapsed(t *testing.T) {
	m, h := sleepyManager(t)
	t0 := time.Now()
	if _, err := m.Migrate(context.Background(), core.Data{"v": 1.0}, "T", "1.0.0", "3.0.0"); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(t0)
	if len(h.before) != 1 || len(h.after) != 1 || len(h.validated) != 1 {
		t.Fatalf("calls: %d before, %d after, %d validated", len(h.before), len(h.after), len(h.validated))
	}
	if h.before[0].Elapsed != 0 || h.validated[0].Elapsed != 0 {
		t.Errorf("Elapsed before the end: %v in BeforeMigrate, %v in ValidateMigration", h.before[0].Elapsed, h.validated[0].Elapsed)
	}
	e := h.after[0]
	if e.Start.Before(t0) || e.Elapsed < 2*stepSleep || e.Elapsed > wall {
		t.Errorf("Start %v (called at %v), Elapsed %v, want in [%v, %v]", e.Start, t0, e.Elapsed, 2*stepSleep, wall)
	}
	if !h.before[0].Start.Equal(e.Start) {
		t.Errorf("Start %v in BeforeMigrate, %v in AfterMigrate", h.before[0].Start, e.Start)
	}
}

func TestElapsedOnError(t *testing.T) {
	m, h := sleepyManager(t)
	if _, err := m.Migrate(context.Background(), core.Data{"v": 1.0, "fail": true}, "T", "1.0.0", "3.0.0"); err == nil {
		t.Fatal("want an error")
	}
	if len(h.failed) != 1 || len(h.after) != 0 {
		t.Fatalf("%d OnError, %d AfterMigrate", len(h.failed), len(h.after))
	}
	if e := h.failed[0]; e.Elapsed < 2*stepSleep {
		t.Errorf("OnError Elapsed %v, want ≥ %v", e.Elapsed, 2*stepSleep)
	}
}

func TestBatchElapsed(t *testing.T) {
	m, h := sleepyManager(t)
	t0 := time.Now()
	if _, err := m.MigrateBatch(context.Background(), []core.Data{{"v": 1.0}, {"v": 1.0}}, "T", "1.0.0", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(t0)
	if len(h.batchBefore) != 1 || len(h.batchAfter) != 1 {
		t.Fatalf("%d BeforeBatch, %d AfterBatch", len(h.batchBefore), len(h.batchAfter))
	}
	if b := h.batchBefore[0]; b.Elapsed != 0 {
		t.Errorf("BeforeBatch Elapsed %v", b.Elapsed)
	}
	if b := h.batchAfter[0]; b.Elapsed < 2*stepSleep || b.Elapsed > wall {
		t.Errorf("AfterBatch Elapsed %v, want in [%v, %v]", b.Elapsed, 2*stepSleep, wall)
	}
}
