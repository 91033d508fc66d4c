package guide_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/composite"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
	"github.com/transmute-go/transmute/sampling"
)

func Example_composite() {
	var trail bytes.Buffer
	metrics := metricshook.New()
	audits := audit.New(&trail)
	// Logging, metrics and auditing as one hook: in order before the
	// migration, in reverse order after it.
	observers := composite.Of(
		hooks.NewLogger(stdoutLogger(slog.LevelInfo)),
		metrics,
		audits,
	)
	m := newManager()
	m.AddHook(observers)

	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": "Alan Turing", "country": 7}, "User", "1.0.0", "3.0.0")
	check(audits.Close())

	fmt.Println("migrations:", metrics.Total(), "errors:", metrics.Errors())
	entries, err := audit.Read(&trail)
	check(err)
	for _, e := range entries {
		if e.Status == audit.StatusError {
			fmt.Println("audit:", e.Model, e.Status, e.ErrorType)
		} else {
			fmt.Println("audit:", e.Model, e.Status, e.MigratedKeys)
		}
	}
	// Output:
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=3.0.0 steps=2
	// level=ERROR msg="migration failed" model=User from_version=1.0.0 to_version=3.0.0 steps=2 error_type=validation error_message="migration failed for \"User\": 1.0.0 → 3.0.0: validation failed for \"User\" 3.0.0: field \"country\": want string, got number"
	// migrations: 2 errors: 1
	// audit: User success [country first_name last_name]
	// audit: User error validation
}

func Example_sampling() {
	verbose := hooks.Funcs{
		Before: func(ctx context.Context, e core.Event) context.Context {
			fmt.Println("[SAMPLE] input:", e.Data.Clone())
			return ctx
		},
		After: func(_ context.Context, _ core.Event, migrated core.Record) {
			fmt.Println("[SAMPLE] output:", migrated.Clone())
		},
		Error: func(ctx context.Context, _ core.Event, err error) {
			fmt.Println("[SAMPLE] error:", core.ErrorType(err), "forced:", sampling.ForcedByError(ctx))
		},
	}
	// A tenth of the migrations, and every failure. (The seeded random
	// numbers make the output reproducible: leave WithRand out in a program.)
	sampled := sampling.New(verbose, sampling.WithRatio(0.1), sampling.WithKeepErrors(),
		sampling.WithRand(rand.New(rand.NewPCG(3, 4)).Uint64))
	m := newManager()
	m.AddHook(sampled)

	for i := range 20 {
		_, _ = m.Migrate(context.Background(), core.Data{"name": fmt.Sprintf("User %d", i)}, "User", "1.0.0", "2.0.0")
	}
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Bad Country", "country": 7}, "User", "1.0.0", "3.0.0")
	fmt.Printf("seen %d, sampled %d, forced by an error %d\n", sampled.Seen(), sampled.Sampled(), sampled.Forced())
	// Output:
	// [SAMPLE] input: map[name:User 7]
	// [SAMPLE] output: map[first_name:User last_name:7]
	// [SAMPLE] input: map[name:User 17]
	// [SAMPLE] output: map[first_name:User last_name:17]
	// [SAMPLE] input: map[country:7 name:Bad Country]
	// [SAMPLE] error: validation forced: true
	// seen 21, sampled 2, forced by an error 1
}

func Example_readingData() {
	m := newManager()
	m.AddHook(hooks.Funcs{Before: func(ctx context.Context, e core.Event) context.Context {
		d := e.Data // a core.Record: read-only
		fmt.Println("keys:", d.Keys(), "len:", d.Len(), "has email:", d.Has("email"))
		age, ok := d.Get("age")
		fmt.Println("age:", age, ok)
		for k, v := range d.All() { // sorted by key
			fmt.Printf("%s: %T\n", k, v)
		}

		// A nested object is a Record, an array a List: read-only too.
		if addr, ok := d.Value("address").(core.Record); ok {
			fmt.Println("city:", addr.Value("city"))
		}
		if tags, ok := d.Value("tags").(core.List); ok {
			for i, tag := range tags.All() {
				fmt.Println("tag", i, tag)
			}
		}

		// Clone gives a deep copy that the hook owns and may change.
		own := d.Clone()
		own["name"] = "changed"
		fmt.Println("the input still says:", d.Value("name"))

		b, _ := json.Marshal(d) // Record implements json.Marshaler
		fmt.Println(string(b))
		return ctx
	}})
	in := core.Data{
		"name":    "Ada Lovelace",
		"address": map[string]any{"city": "London"},
		"tags":    []any{"math", "poetry"},
	}
	_, _ = m.Migrate(context.Background(), in, "User", "1.0.0", "2.0.0")
	// Output:
	// keys: [address name tags] len: 3 has email: false
	// age: <nil> false
	// address: core.Record
	// name: string
	// tags: core.List
	// city: London
	// tag 0 math
	// tag 1 poetry
	// the input still says: Ada Lovelace
	// {"address":{"city":"London"},"name":"Ada Lovelace","tags":["math","poetry"]}
}

func Example_keepAClone() {
	m := newManager()
	var kept core.Record
	var copied core.Data
	m.AddHook(hooks.Funcs{After: func(_ context.Context, _ core.Event, migrated core.Record) {
		kept = migrated           // wrong: a view of the result, which the caller owns
		copied = migrated.Clone() // right: a deep copy, which the hook owns
	}})

	out, _ := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	out["first_name"] = "changed by the caller" // the caller's map, to change as it likes
	fmt.Println(kept.Value("first_name"))
	fmt.Println(copied["first_name"])
	// Output:
	// changed by the caller
	// Ada
}

func Example_slowWorkOffThePath() {
	m := newManager()
	queue := make(chan core.Data, 1024) // bounded
	var dropped atomic.Int64
	m.AddHook(hooks.Funcs{After: func(_ context.Context, _ core.Event, migrated core.Record) {
		select {
		case queue <- migrated.Clone(): // a copy: the caller owns the result
		default:
			dropped.Add(1) // full: count it and move on, never wait
		}
	}})

	// The slow work (an HTTP call, with a timeout) runs on its own goroutine.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for d := range queue {
			fmt.Println("notify:", d["first_name"], d["last_name"])
		}
	}()

	for _, name := range []string{"Ada Lovelace", "Alan Turing"} {
		_, _ = m.Migrate(context.Background(), core.Data{"name": name}, "User", "1.0.0", "2.0.0")
	}
	close(queue) // at shutdown, once no migration runs
	<-done
	fmt.Println("dropped:", dropped.Load())
	// Output:
	// notify: Ada Lovelace
	// notify: Alan Turing
	// dropped: 0
}
