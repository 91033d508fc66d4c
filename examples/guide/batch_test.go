package guide_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/transmute-go/transmute/core"
)

func Example_batch() {
	m := newManager()
	items := []core.Data{
		{"name": "Ada Lovelace"},
		{"name": "Grace Hopper"},
		{"name": "Alan Turing"},
	}
	out, err := m.MigrateBatch(context.Background(), items, "User", "1.0.0", "3.0.0",
		core.WithWorkers(2), // results keep the input order
		core.WithProgress(func(p core.Progress) {
			fmt.Printf("%d/%d done\n", p.Done, p.Total)
		}))
	for _, d := range out {
		fmt.Println(d["first_name"], d["country"])
	}
	fmt.Println(err)
	// Output:
	// 1/3 done
	// 2/3 done
	// 3/3 done
	// Ada unknown
	// Grace unknown
	// Alan unknown
	// <nil>
}

func Example_batchErrors() {
	m := newManager()
	items := []core.Data{
		{"name": "Ada Lovelace"},
		{"name": "Bad Country", "country": 7}, // 3.0.0 wants a string
		{"name": "Alan Turing"},
		nil,
	}
	ctx := context.Background()

	// Fail fast (the default): the first failure in input order.
	_, err := m.MigrateBatch(ctx, items, "User", "1.0.0", "3.0.0")
	var ie *core.ItemError
	fmt.Println(errors.As(err, &ie), ie.Index, core.ErrorType(err))

	// WithContinueOnError: every result, and the index of each failure.
	out, err := m.MigrateBatch(ctx, items, "User", "1.0.0", "3.0.0", core.WithContinueOnError())
	var be *core.BatchError
	fmt.Println(len(out), out[2]["first_name"], errors.As(err, &be), be.Indexes())
	// Output:
	// true 1 validation
	// 4 Alan true [1 3]
}

// jsonLines yields the records of a JSON Lines stream, one at a time.
func jsonLines(r io.Reader, errp *error) iter.Seq[core.Data] {
	return func(yield func(core.Data) bool) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			var d core.Data
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				*errp = err
				return
			}
			if !yield(d) {
				return
			}
		}
		*errp = sc.Err()
	}
}

func Example_stream() {
	m := newManager()
	input := strings.NewReader(`{"name":"Ada Lovelace"}
{"name":"Grace Hopper"}
{"name":"Alan Turing"}
`)
	var readErr error
	enc := json.NewEncoder(&strings.Builder{})
	n := 0
	for d, err := range m.MigrateStream(context.Background(), jsonLines(input, &readErr),
		"User", "1.0.0", "3.0.0", core.WithWorkers(2)) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		_ = enc.Encode(d) // write it out; memory stays bounded
		n++
		fmt.Println(d["last_name"])
	}
	fmt.Println(n, readErr)
	// Output:
	// Lovelace
	// Hopper
	// Turing
	// 3 <nil>
}

// batchReport is a hook that reports batches; it embeds NopHook for the
// per-migration methods.
type batchReport struct{ core.NopHook }

func (batchReport) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	fmt.Printf("batch of %d %s records\n", b.Size, b.Model)
	return ctx
}

func (batchReport) AfterBatch(_ context.Context, b core.Batch, err error) {
	fmt.Printf("done: %d succeeded, %d failed (%v)\n", b.Succeeded, b.Failed, core.ErrorType(err))
}

func Example_batchObserver() {
	m := newManager()
	m.AddHook(batchReport{})
	items := []core.Data{{"name": "Ada Lovelace"}, nil}
	_, _ = m.MigrateBatch(context.Background(), items, "User", "1.0.0", "3.0.0", core.WithContinueOnError())
	// Output:
	// batch of 2 User records
	// done: 1 succeeded, 1 failed (batch)
}
