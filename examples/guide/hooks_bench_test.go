package guide_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
)

// BenchmarkHookCost measures what a hook adds to a migration: the same
// migration with no hook ("none", the baseline), then with each hook. Read
// the results as ratios to the baseline of the same run:
//
//	go test -run '^$' -bench HookCost -benchmem -count 5 ./guide/
func BenchmarkHookCost(b *testing.B) {
	record := core.Data{"name": "Ada Lovelace"}
	run := func(b *testing.B, hook core.Hook) {
		m := newManager()
		m.AddHook(hook) // a nil hook is ignored: the baseline
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Migrate(ctx, record, "User", "1.0.0", "3.0.0"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("none", func(b *testing.B) { run(b, nil) })
	b.Run("metricshook", func(b *testing.B) { run(b, metricshook.New()) })
	b.Run("logger-disabled", func(b *testing.B) {
		run(b, hooks.NewLogger(slog.New(slog.DiscardHandler)))
	})
	b.Run("clone-each-result", func(b *testing.B) {
		run(b, hooks.Funcs{After: func(_ context.Context, _ core.Event, migrated core.Record) {
			_ = migrated.Clone()
		}})
	})
}
