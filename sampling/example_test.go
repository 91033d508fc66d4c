package sampling_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/sampling"
)

// debugLog is a verbose hook, too verbose for every migration.
type debugLog struct{ core.NopHook }

func (debugLog) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	if sampling.ForcedByError(ctx) {
		fmt.Printf("[SAMPLE] %s failed, input %v\n", e.Model, e.Data.Keys())
	} else {
		fmt.Printf("[SAMPLE] %s input %v\n", e.Model, e.Data.Keys())
	}
	return ctx
}

func (debugLog) AfterMigrate(_ context.Context, e core.Event, migrated core.Record) {
	fmt.Printf("[SAMPLE] %s output %v\n", e.Model, migrated.Keys())
}

func (debugLog) OnError(_ context.Context, e core.Event, err error) {
	fmt.Printf("[SAMPLE] %s error %s\n", e.Model, core.ErrorType(err))
}

// counter counts the migrations it sees.
type counter struct {
	core.NopHook
	n int
}

func (c *counter) BeforeMigrate(ctx context.Context, _ core.Event) context.Context {
	c.n++
	return ctx
}

func exampleManager() *core.Manager {
	m := core.NewManager()
	_ = m.RegisterSchema("User", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true}}})
	_ = m.RegisterSchema("User", "2.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true}, {Name: "email", Required: true, Kind: core.KindString}}})
	_ = m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		if c, ok := d["contact"]; ok {
			d["email"] = c
			delete(d, "contact")
		}
		return d, nil
	})
	return m
}

// Forward a tenth of the migrations to a hook. (The seeded randomness makes the output reproducible; leave
// WithRand out in production.)
func Example() {
	seen := &counter{}
	sampler := sampling.New(seen, sampling.WithRatio(0.1), sampling.WithRand(rand.New(rand.NewPCG(1, 2)).Uint64))
	m := exampleManager()
	m.AddHook(sampler)

	for i := range 10_000 {
		_, _ = m.Migrate(context.Background(), core.Data{"name": fmt.Sprint("user", i), "contact": "u@example.com"}, "User", "1.0.0", "2.0.0")
	}
	fmt.Printf("seen %d, sampled %d, forwarded %d\n", sampler.Seen(), sampler.Sampled(), seen.n)
	// Output:
	// seen 10000, sampled 1010, forwarded 1010
}

// With KeepErrors, failures are forwarded even when they were not sampled;
// the wrapped hook can tell them apart with ForcedByError.
func ExampleWithKeepErrors() {
	m := exampleManager()
	m.AddHook(sampling.New(debugLog{}, sampling.WithRatio(0), sampling.WithKeepErrors()))

	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada", "contact": "ada@example.com"}, "User", "1.0.0", "2.0.0")
	_, err := m.Migrate(ctx, core.Data{"name": "Bob"}, "User", "1.0.0", "2.0.0") // no contact: no email
	fmt.Println(err)
	// Output:
	// [SAMPLE] User failed, input [name]
	// [SAMPLE] User error validation
	// migration failed for "User": 1.0.0 → 2.0.0: validation failed for "User" 2.0.0: field "email": required field missing
}

// WithKey samples by tenant: a tenant is either always or never sampled, in
// every process.
func ExampleWithKey() {
	tenant := func(r core.Record) string { s, _ := r.Value("tenant").(string); return s }
	seen := &counter{}
	sampler := sampling.New(seen, sampling.WithRatio(0.5), sampling.WithKey(tenant))
	for _, t := range []string{"acme", "globex", "initech", "acme", "globex", "initech"} {
		before := seen.n
		e := core.Event{Model: "User", Data: core.NewRecord(core.Data{"tenant": t})}
		sampler.AfterMigrate(sampler.BeforeMigrate(context.Background(), e), e, core.Record{})
		fmt.Println(t, seen.n > before)
	}
	// Output:
	// acme true
	// globex true
	// initech false
	// acme true
	// globex true
	// initech false
}

// WithPerSecond caps the rate: here at 2 per second, with a clock that the
// example moves by hand.
func ExampleWithPerSecond() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sampler := sampling.New(&counter{}, sampling.WithPerSecond(2), sampling.WithClock(func() time.Time { return now }))
	e := core.Event{Model: "User"}
	for range 5 {
		sampler.AfterMigrate(sampler.BeforeMigrate(context.Background(), e), e, core.Record{})
	}
	fmt.Println("at once:", sampler.Sampled(), "of", sampler.Seen())
	now = now.Add(time.Second)
	for range 5 {
		sampler.AfterMigrate(sampler.BeforeMigrate(context.Background(), e), e, core.Record{})
	}
	fmt.Println("a second later:", sampler.Sampled(), "of", sampler.Seen())
	// Output:
	// at once: 2 of 5
	// a second later: 4 of 10
}
