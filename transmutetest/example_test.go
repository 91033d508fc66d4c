package transmutetest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// Record what a manager tells its hooks, then check the order of the
// calls and what they carried.
func ExampleRecorder() {
	m := newManager()
	rec := transmutetest.NewRecorder()
	m.AddHook(rec)

	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, err := m.Migrate(context.Background(), core.Data{"name": "Plato"}, "User", "1.0.0", "2.0.0")

	fmt.Println(rec.Methods())
	calls := rec.Calls()
	fmt.Println(calls[3].Migrated)
	fmt.Println(calls[7].Err == err)
	// Output:
	// [BeforeMigrate BeforeStep AfterStep AfterMigrate BeforeMigrate BeforeStep AfterStep OnError]
	// map[first_name:Ada last_name:Lovelace]
	// true
}

// Diff says, field by field, how a record differs from the one wanted.
func ExampleDiff() {
	want := core.Data{"first_name": "Ada", "last_name": "Lovelace", "age": 36}
	got := core.Data{"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com"}
	fmt.Print(transmutetest.Diff(want, got))
	// Output:
	//   age: missing, want 36
	//   email: unexpected, got "ada@example.com"
	//   last_name: want "Lovelace", got "Byron"
}

// A Clock moves only when told: pass its Now to an option that takes a
// clock, such as hooks.WithAlertClock or sampling.WithClock.
func ExampleClock() {
	clock := transmutetest.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	now := clock.Now // what a hook is given
	fmt.Println(now().Format(time.Kitchen))
	clock.Advance(90 * time.Minute)
	fmt.Println(now().Format(time.Kitchen))
	// Output:
	// 9:00AM
	// 10:30AM
}
