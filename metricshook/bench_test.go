package metricshook_test

import (
	"github.com/transmute-go/transmute/metricshook/internal/cputime"

	"context"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/metricshook"
)

// Ratios of the targets, from the medians of each benchmark's runs:
//
//	cd metricshook && GOWORK=off go test -run '^$' -bench . -benchmem -cpu 1,2 -count 5 . | awk -f testdata/ratios.awk
//
// The benchmarks migrate a User record 1.0.0 → 2.0.0 (the name split in
// two, a status added, a field renamed, validated against 2.0.0), in two
// sizes: "small", six fields with a nested address and a list, and
// "typical", a customer record of an ordinary web API (fifteen fields with
// nested address and preferences and a list of roles). Compare each
// BenchmarkMigrateMetricsHook/<size> with BenchmarkMigrateNoHooks/<size>
// of the same run; BenchmarkMigrateNopHook/<size> is the engine's own cost
// of having a hook at all (a hook that does nothing).

// Address is a nested part of the benchmark's user record.
type Address struct {
	Street  string `json:"street,omitempty"`
	City    string `json:"city"`
	Zip     string `json:"zip,omitempty"`
	Country string `json:"country"`
}

// Preferences is a nested part of the typical record.
type Preferences struct {
	Newsletter bool   `json:"newsletter"`
	Language   string `json:"language"`
	Theme      string `json:"theme"`
}

type BenchUserV1 struct {
	ID          string       `json:"id,omitempty"`
	Name        string       `json:"name"`
	Email       string       `json:"email"`
	Age         int          `json:"age"`
	Active      bool         `json:"active"`
	Tags        []string     `json:"tags"`
	Address     Address      `json:"address"`
	Phone       string       `json:"phone,omitempty"`
	CreatedAt   string       `json:"created_at,omitempty"`
	UpdatedAt   string       `json:"updated_at,omitempty"`
	Roles       []string     `json:"roles,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	Score       float64      `json:"score,omitempty"`
	Verified    bool         `json:"verified,omitempty"`
	Locale      string       `json:"locale,omitempty"`
}

type BenchUserV2 struct {
	ID          string       `json:"id,omitempty"`
	FirstName   string       `json:"first_name"`
	LastName    string       `json:"last_name"`
	Email       string       `json:"email"`
	Age         int          `json:"age"`
	Active      bool         `json:"active"`
	Status      string       `json:"status"`
	Tags        []string     `json:"tags"`
	Address     Address      `json:"address"`
	PhoneNumber string       `json:"phone_number,omitempty"`
	CreatedAt   string       `json:"created_at,omitempty"`
	UpdatedAt   string       `json:"updated_at,omitempty"`
	Roles       []string     `json:"roles,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	Score       float64      `json:"score,omitempty"`
	Verified    bool         `json:"verified,omitempty"`
	Locale      string       `json:"locale,omitempty"`
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
		if p, ok := d["phone"]; ok {
			delete(d, "phone")
			d["phone_number"] = p
		}
		return d, nil
	}))
	m.AddHook(hooks...)
	return m
}

// benchRecord is the small record.
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

// typicalRecord is the typical record.
func typicalRecord() core.Data {
	return core.Data{
		"id":         "usr_01HZX3K9Q2",
		"name":       "Ada Lovelace",
		"email":      "ada@example.com",
		"age":        36.0,
		"active":     true,
		"tags":       []any{"math", "poetry", "engines"},
		"address":    map[string]any{"street": "12 St James's Square", "city": "London", "zip": "SW1Y 4JH", "country": "UK"},
		"phone":      "+44 20 7946 0958",
		"created_at": "2024-03-01T09:30:00Z",
		"updated_at": "2025-11-20T17:02:11Z",
		"roles":      []any{"admin", "editor"},
		"preferences": map[string]any{
			"newsletter": true, "language": "en-GB", "theme": "dark",
		},
		"score":    98.5,
		"verified": true,
		"locale":   "en_GB",
	}
}

var benchRecords = []struct {
	name string
	rec  func() core.Data
}{{"small", benchRecord}, {"typical", typicalRecord}}

func check(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func benchMigrate(b *testing.B, hooks func() []core.Hook) {
	for _, r := range benchRecords {
		b.Run(r.name, func(b *testing.B) {
			m := benchManager(b, hooks()...)
			ctx, rec := context.Background(), r.rec()
			b.ReportAllocs()
			stop := cputime.Timer(b)
			for b.Loop() {
				if _, err := m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0"); err != nil {
					b.Fatal(err)
				}
			}
			stop()
		})
	}
}

func benchMigrateParallel(b *testing.B, hooks func() []core.Hook) {
	for _, r := range benchRecords {
		b.Run(r.name, func(b *testing.B) {
			m := benchManager(b, hooks()...)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx, rec := context.Background(), r.rec()
				for pb.Next() {
					if _, err := m.Migrate(ctx, rec, "User", "1.0.0", "2.0.0"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func noHooks() []core.Hook                     { return nil }
func metricsHook() []core.Hook                 { return []core.Hook{metricshook.New()} }
func nopHook() []core.Hook                     { return []core.Hook{&struct{ core.NopHook }{}} }
func BenchmarkMigrateNoHooks(b *testing.B)     { benchMigrate(b, noHooks) }
func BenchmarkMigrateMetricsHook(b *testing.B) { benchMigrate(b, metricsHook) }

// BenchmarkMigrateNopHook is the engine's cost of running any hook.
func BenchmarkMigrateNopHook(b *testing.B) { benchMigrate(b, nopHook) }

// BenchmarkMigrateNoHooksParallel and BenchmarkMigrateMetricsHookParallel
// are meant to be run with -cpu 1,2.
func BenchmarkMigrateNoHooksParallel(b *testing.B) { benchMigrateParallel(b, noHooks) }

func BenchmarkMigrateMetricsHookParallel(b *testing.B) { benchMigrateParallel(b, metricsHook) }

// BenchmarkHook measures the hook alone: one BeforeMigrate and one
// AfterMigrate of a transition already seen, with the duration measured
// by the engine (Elapsed), as the manager calls it.
func BenchmarkHook(b *testing.B) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path, Start: time.Now(), Elapsed: time.Microsecond}
	ctx := context.Background()
	b.ReportAllocs()
	stop := cputime.Timer(b)
	for b.Loop() {
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
	stop()
}

// BenchmarkHookParallel is BenchmarkHook from every P; run it with -cpu 1,2.
func BenchmarkHookParallel(b *testing.B) {
	h := metricshook.New()
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path, Start: time.Now(), Elapsed: time.Microsecond}
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
		e := core.Event{Model: "M", From: core.Version{Major: i}, To: core.Version{Major: i + 1}, Path: path, Start: time.Now()}
		h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Snapshot()
	}
}

// BenchmarkHookParallelMixed is BenchmarkHookParallel with four
// transitions in turn on every P (a batch of mixed models, say).
func BenchmarkHookParallelMixed(b *testing.B) {
	h := metricshook.New()
	var events []core.Event
	for _, model := range []string{"A", "B", "C", "D"} {
		events = append(events, core.Event{Model: model, From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"), Path: path, Start: time.Now(), Elapsed: time.Microsecond})
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			e := events[i%len(events)]
			h.AfterMigrate(h.BeforeMigrate(ctx, e), e, core.Record{})
		}
	})
}
