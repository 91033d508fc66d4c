package metricshook_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/metricshook"
)

type exampleUserV1 struct {
	Name string `json:"name"`
}

type exampleUserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// newExampleManager registers a User model: 1.0.0 has a name,
// 2.0.0 splits it in two.
func newExampleManager() *core.Manager {
	m := core.NewManager()
	_ = core.Register[exampleUserV1](m, "User", "1.0.0")
	_ = core.Register[exampleUserV2](m, "User", "2.0.0")
	_ = m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		if name, ok := d["name"].(string); ok {
			d["first_name"], d["last_name"], _ = strings.Cut(name, " ")
		}
		delete(d, "name")
		return d, nil
	})
	return m
}

// Count and time migrations, then print the totals and the table.
func Example() {
	m := newExampleManager()
	metrics := metricshook.New()
	m.AddHook(metrics)
	ctx := context.Background()

	_, _ = m.Migrate(ctx, core.Data{"name": "Alice Smith"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": "Bob Jones"}, "User", "1.0.0", "2.0.0")
	fmt.Println("Total migrations:", metrics.Total())
	fmt.Printf("Success rate: %.1f%%\n", 100*metrics.SuccessRate())
	fmt.Println("User migrations:", metrics.ByModel()["User"])

	// Errors are tracked too: this record fails the validation of 2.0.0.
	_, err := m.Migrate(ctx, core.Data{"bad": "data"}, "User", "1.0.0", "2.0.0")
	fmt.Println(core.ErrorType(err))
	fmt.Println("Error count:", metrics.Errors())
	fmt.Printf("Success rate: %.1f%%\n", 100*metrics.SuccessRate())
	// Output:
	// Total migrations: 2
	// Success rate: 100.0%
	// User migrations: 2
	// validation
	// Error count: 1
	// Success rate: 66.7%
}

func ExampleHook_Transition() {
	m := newExampleManager()
	metrics := metricshook.New()
	m.AddHook(metrics)
	for _, name := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"} {
		_, _ = m.Migrate(context.Background(), core.Data{"name": name}, "User", "1.0.0", "2.0.0")
	}
	t, ok := metrics.Transition("User", "1.0.0", "2.0.0")
	fmt.Println(t.Name(), ok)
	fmt.Println("timed:", t.Count, "min ≤ p50 ≤ max:", t.Min <= t.P50 && t.P50 <= t.Max)
	// Output:
	// User:1.0.0→2.0.0 true
	// timed: 3 min ≤ p50 ≤ max: true
}

func ExampleHook_Slowest() {
	m := newExampleManager()
	_ = m.RegisterMigration("Report", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		time.Sleep(5 * time.Millisecond) // a slow one
		return d, nil
	})
	metrics := metricshook.New()
	m.AddHook(metrics)
	ctx := context.Background()
	_, _ = m.MigrateData(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.MigrateData(ctx, core.Data{}, "Report", "1.0.0", "2.0.0")

	for _, t := range metrics.Slowest(10) {
		fmt.Println(t.Name())
	}
	// Output:
	// Report:1.0.0→2.0.0
	// User:1.0.0→2.0.0
}

func ExampleHook_Reset() {
	m := newExampleManager()
	metrics := metricshook.New()
	m.AddHook(metrics)
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println(metrics.Total())
	metrics.Reset()
	fmt.Println(metrics.Total(), metrics.SuccessRate())
	// Output:
	// 1
	// 0 0
}

// WriteTable prints the metrics for a terminal. The durations here are
// set by hand, so that the output is the same at every run.
func ExampleSnapshot_WriteTable() {
	v1, v2, v3 := core.MustParseVersion("1.0.0"), core.MustParseVersion("2.0.0"), core.MustParseVersion("3.0.0")
	s := metricshook.Snapshot{
		Total: 1003, Errors: 3,
		Transitions: []metricshook.Transition{
			{Model: "Order", From: v1, To: v2, Started: 3, Count: 1, Errors: 2,
				Mean: 12 * time.Millisecond, Min: 12 * time.Millisecond, Max: 12 * time.Millisecond,
				P50: 12 * time.Millisecond, P95: 12 * time.Millisecond, P99: 12 * time.Millisecond},
			{Model: "User", From: v1, To: v3, Started: 1000, Count: 999, Errors: 1,
				Mean: 48_213 * time.Nanosecond, Min: 21_870 * time.Nanosecond, Max: 2_315_004 * time.Nanosecond,
				P50: 41_250 * time.Nanosecond, P95: 97_520 * time.Nanosecond, P99: 251_300 * time.Nanosecond},
		},
	}
	_ = s.WriteTable(os.Stdout)
	// Output:
	// migrations: 1003  errors: 3  success rate: 99.7%
	//
	// TRANSITION         STARTED  ERRORS    MEAN     MIN     P50     P95    P99     MAX
	// Order:1.0.0→2.0.0        3       2    12ms    12ms    12ms    12ms   12ms    12ms
	// User:1.0.0→3.0.0      1000       1  48.2µs  21.9µs  41.3µs  97.5µs  251µs  2.32ms
}
