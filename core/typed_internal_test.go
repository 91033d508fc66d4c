package core

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
)

type lzA struct {
	N int `json:"n"`
}

type lzB struct {
	N int    `json:"n"`
	S string `json:"s"`
}

// modelOnly reads only the event's model and versions.
type modelOnly struct{ NopHook }

func (modelOnly) BeforeMigrate(ctx context.Context, e Event) context.Context {
	_ = e.Model + e.From.String() + e.To.String()
	return ctx
}

// reader reads one value of the input and one of the result.
type reader struct{ NopHook }

func (reader) BeforeMigrate(ctx context.Context, e Event) context.Context {
	_ = e.Data.Value("n")
	_ = e.Data.Value("n") // a second read builds nothing more
	return ctx
}

func (reader) AfterMigrate(_ context.Context, _ Event, r Record) { _ = r.Value("s") }

// On a typed path, a hook that reads no value costs no record; one that
// reads builds each record once.
func TestTypedRecordsAreBuiltOnlyWhenRead(t *testing.T) {
	m := NewManager()
	if err := Register[lzA](m, "L", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := Register[lzB](m, "L", "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := RegisterTyped(m, "L", "1.0.0", "2.0.0", func(_ context.Context, in lzA) (lzB, error) {
		return lzB{N: in.N, S: "x"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A counting converter: the two structs' codecs count what they build.
	var countA, countB atomic.Int64
	m.codecs.structCodec(reflect.TypeFor[lzA]()).onEncode = func() { countA.Add(1) }
	m.codecs.structCodec(reflect.TypeFor[lzB]()).onEncode = func() { countB.Add(1) }
	encodes := func() int64 { return countA.Load() + countB.Load() }

	m.AddHook(modelOnly{})
	for range 10 {
		if _, err := Convert[lzA, lzB](context.Background(), m, "L", lzA{N: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := encodes(); n != 0 {
		t.Fatalf("a hook that reads no value: %d records built, want 0", n)
	}
	m.AddHook(reader{})
	if _, err := Convert[lzA, lzB](context.Background(), m, "L", lzA{N: 1}); err != nil {
		t.Fatal(err)
	}
	if a, b := countA.Load(), countB.Load(); a != 1 || b != 1 {
		t.Fatalf("a hook that reads the input and the result: %d and %d records built, want 1 each", a, b)
	}
}
