package metricshook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/metricshook"
)

// Address is a nested part of the benchmark's user record.
type Address struct {
	City    string `json:"city"`
	Country string `json:"country"`
}

// BenchUserV1 and BenchUserV2 are a typical record before and after a
// typical migration: a field split in two, a field added.
type BenchUserV1 struct {
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Age     int      `json:"age"`
	Active  bool     `json:"active"`
	Tags    []string `json:"tags"`
	Address Address  `json:"address"`
}

type BenchUserV2 struct {
	FirstName string   `json:"first_name"`
	LastName  string   `json:"last_name"`
	Email     string   `json:"email"`
	Age       int      `json:"age"`
	Active    bool     `json:"active"`
	Status    string   `json:"status"`
	Tags      []string `json:"tags"`
	Address   Address  `json:"address"`
}

func benchManager(tb testing.TB, hooks ...core.Hook) *core.Manager {
	tb.Helper()
	m := core.NewManager()
	check(tb, core.Register[BenchUserV1](m, "User", "1.0.0"))
	check(tb, core.Register[BenchUserV2](m, "User", "2.0.0"))
	check(tb, m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		first, last, _ := strings.Cut(d["name"].(string), " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		d["status"] = "active"
		return d, nil
	}))
	m.AddHook(hooks...)
	return m
}

func benchRecord() core.Data {
	return core.Data{
		"name":    "Ada Lovelace",
		"email":   "ada@example.com",
		"age":     36.0,
		"active":  true,
		"tags":    []any{"math", "poetry"},
		"address": map[string]any{"city": "London", "country": "UK"},
	}
}

func check(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func benchMigrate(b *testing.B, m *core.Manager) {
	ctx, rec := context.Background(), benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMigrateParallel(b *testing.B, m *core.Manager) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx, rec := context.Background(), benchRecord()
		for pb.Next() {
			if _, err := m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkMigrateNoHooks is the baseline of BenchmarkMigrateMetricsHook.
func BenchmarkMigrateNoHooks(b *testing.B) { benchMigrate(b, benchManager(b)) }

func BenchmarkMigrateMetricsHook(b *testing.B) { benchMigrate(b, benchManager(b, metricshook.New())) }

// BenchmarkMigrateNoHooksParallel is the baseline of
// BenchmarkMigrateMetricsHookParallel; run both with -cpu 1,2.
func BenchmarkMigrateNoHooksParallel(b *testing.B) { benchMigrateParallel(b, benchManager(b)) }

func BenchmarkMigrateMetricsHookParallel(b *testing.B) {
	benchMigrateParallel(b, benchManager(b, metricshook.New()))
}

// BenchmarkHook measures the hook alone: one BeforeMigrate and one
// AfterMigrate of a transition already seen.
func BenchmarkHook(b *testing.B) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Start: time.Now()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
}

// BenchmarkHookParallel is BenchmarkHook from every P; run it with -cpu 1,2.
func BenchmarkHookParallel(b *testing.B) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Start: time.Now()}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
		}
	})
}

// BenchmarkSnapshot measures a read of 20 transitions.
func BenchmarkSnapshot(b *testing.B) {
	h := metricshook.New()
	ctx := context.Background()
	for i := range 20 {
		e := core.Event{Model: "M", From: core.Version{Major: i}, To: core.Version{Major: i + 1}, Start: time.Now()}
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Snapshot()
	}
}
