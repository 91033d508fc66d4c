package hooks_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

// benchMigrate runs one User migration per op with the given hooks; read
// the results as ratios to the hooks=none case of the same run.
func benchMigrate(b *testing.B, name any, hs ...core.Hook) {
	m := newTestManager(b)
	m.AddHook(hs...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = m.Migrate(ctx, core.Data{"name": name}, "User", "1.0.0", "2.0.0")
	}
}

func BenchmarkMigrate(b *testing.B) {
	errorsOnly := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	everything := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	never := func(context.Context, core.Event) bool { return false }
	for _, bc := range []struct {
		name  string
		hooks func() []core.Hook
	}{
		{"hooks=none", func() []core.Hook { return nil }},
		{"logger=disabled", func() []core.Hook { return []core.Hook{hooks.NewLogger(errorsOnly)} }},
		{"logger=enabled", func() []core.Hook { return []core.Hook{hooks.NewLogger(everything)} }},
		{"alerting", func() []core.Hook {
			return []core.Hook{hooks.NewAlerting(hooks.Threshold(5, time.Minute), func(context.Context, hooks.Alert) {})}
		}},
		{"when=unchosen", func() []core.Hook { return []core.Hook{hooks.Filter(hooks.NewLogger(everything), never)} }},
	} {
		b.Run(bc.name, func(b *testing.B) { benchMigrate(b, "Ada Lovelace", bc.hooks()...) })
	}
}

// BenchmarkMigrateFailing measures the failure path, where the alerting
// hook does its work (a cooldown keeps the notifications rare, as in
// production).
func BenchmarkMigrateFailing(b *testing.B) {
	for _, bc := range []struct {
		name  string
		hooks func() []core.Hook
	}{
		{"hooks=none", func() []core.Hook { return nil }},
		{"alerting", func() []core.Hook {
			return []core.Hook{hooks.NewAlerting(hooks.Threshold(5, time.Minute), func(context.Context, hooks.Alert) {}, hooks.WithAlertCooldown(time.Hour))}
		}},
		{"alerting=per-model", func() []core.Hook {
			return []core.Hook{hooks.NewAlerting(hooks.Threshold(5, time.Minute), func(context.Context, hooks.Alert) {}, hooks.WithAlertCooldown(time.Hour), hooks.WithAlertPerModel())}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			hs := bc.hooks()
			b.Cleanup(func() {
				for _, h := range hs {
					if a, ok := h.(*hooks.Alerting); ok {
						_ = a.Close()
					}
				}
			})
			benchMigrate(b, 0, hs...)
		})
	}
}

// BenchmarkRatio runs each hook against no hooks in alternating blocks of
// the same benchmark, so that a noisy machine slows both alike, and
// reports the ratio of their times (x-none: 1.00 means no cost).
func BenchmarkRatio(b *testing.B) {
	errorsOnly := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	everything := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
	never := func(context.Context, core.Event) bool { return false }
	for _, bc := range []struct {
		name  string
		input any
		hook  func() core.Hook
	}{
		// The floor: what any hook costs, for the engine's dispatch.
		{"nop", "Ada Lovelace", func() core.Hook { return core.NopHook{} }},
		{"logger=disabled", "Ada Lovelace", func() core.Hook { return hooks.NewLogger(errorsOnly) }},
		{"logger=enabled", "Ada Lovelace", func() core.Hook { return hooks.NewLogger(everything) }},
		{"alerting", "Ada Lovelace", func() core.Hook {
			return hooks.NewAlerting(hooks.Threshold(5, time.Minute), func(context.Context, hooks.Alert) {})
		}},
		{"alerting/failing", 0, func() core.Hook {
			return hooks.NewAlerting(hooks.Threshold(5, time.Minute), func(context.Context, hooks.Alert) {}, hooks.WithAlertCooldown(time.Hour))
		}},
		{"when=unchosen", "Ada Lovelace", func() core.Hook { return hooks.Filter(hooks.NewLogger(everything), never) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := bc.hook()
			if a, ok := h.(*hooks.Alerting); ok {
				b.Cleanup(func() { _ = a.Close() })
			}
			none, with := newTestManager(b), newTestManager(b)
			with.AddHook(h)
			ctx := context.Background()
			run := func(m *core.Manager, n int) time.Duration {
				start := time.Now()
				for range n {
					_, _ = m.Migrate(ctx, core.Data{"name": bc.input}, "User", "1.0.0", "2.0.0")
				}
				return time.Since(start)
			}
			const block = 64
			var tNone, tWith time.Duration
			b.ResetTimer()
			for done := 0; done < b.N; done += block {
				n := min(block, b.N-done)
				tNone += run(none, n)
				tWith += run(with, n)
			}
			b.ReportMetric(float64(tWith)/float64(tNone), "x-none")
			b.ReportMetric(float64(tNone.Nanoseconds())/float64(b.N), "none-ns/op")
			b.ReportMetric(float64(tWith.Nanoseconds())/float64(b.N), "hook-ns/op")
		})
	}
}
