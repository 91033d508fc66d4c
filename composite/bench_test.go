package composite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/core"
)

// nop is a hook that does nothing; a pointer so that each one is distinct.
type nop struct{ core.NopHook }

func nops(n int) []core.Hook {
	hooks := make([]core.Hook, n)
	for i := range hooks {
		hooks[i] = &nop{}
	}
	return hooks
}

func benchMigrate(b *testing.B, m *core.Manager) {
	b.Helper()
	ctx := context.Background()
	in := core.Data{"name": "Ada Lovelace"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMigrate compares a migration with N no-op hooks added to the
// manager directly (direct) and the same N hooks in one composite
// (composite); none is the baseline with no hooks at all.
func BenchmarkMigrate(b *testing.B) {
	b.Run("none", func(b *testing.B) { benchMigrate(b, exampleManager()) })
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("direct-%d", n), func(b *testing.B) {
			m := exampleManager()
			m.AddHook(nops(n)...)
			benchMigrate(b, m)
		})
		b.Run(fmt.Sprintf("composite-%d", n), func(b *testing.B) {
			m := exampleManager()
			m.AddHook(composite.New(nops(n)...))
			benchMigrate(b, m)
		})
	}
}

// BenchmarkDispatch measures the hook calls alone, without a migration:
// BeforeMigrate and AfterMigrate through a core.HookSet of N no-op hooks
// (direct) and through a HookSet holding one composite of them.
func BenchmarkDispatch(b *testing.B) {
	ctx := context.Background()
	e := core.Event{Model: "User"}
	for _, n := range []int{4, 16} {
		for _, kind := range []string{"direct", "composite"} {
			set := core.NewHookSet(nops(n))
			if kind == "composite" {
				set = core.NewHookSet([]core.Hook{composite.New(nops(n)...)})
			}
			b.Run(fmt.Sprintf("%s-%d", kind, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var inv core.Invocation
					set.BeforeMigrate(ctx, e, &inv)
					inv.AfterMigrate(e, core.Record{})
				}
			})
		}
	}
}
