package consoletree_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/examples/internal/consoletree"
)

// t0 is the start of every test trace, so durations are exact.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// tracer returns a tracer whose spans go to a new exporter, synchronously.
func tracer(t testing.TB) (trace.Tracer, *consoletree.Exporter) {
	exp := consoletree.New()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	if t != nil {
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	}
	return tp.Tracer("test"), exp
}

// span starts a span at t0+start and returns its ctx and a function that
// ends it at t0+end.
func span(ctx context.Context, tr trace.Tracer, name string, start time.Duration, kv ...attribute.KeyValue) (context.Context, func(end time.Duration)) {
	ctx, s := tr.Start(ctx, name, trace.WithTimestamp(t0.Add(start)), trace.WithAttributes(kv...))
	return ctx, func(end time.Duration) { s.End(trace.WithTimestamp(t0.Add(end))) }
}

// migrationTrace records a batch with three migrations (the second one
// failed in validation, the third in its first step), each with steps,
// and a nested model under the second step. The batch failed.
func migrationTrace(tr trace.Tracer) {
	ctx := context.Background()
	bctx, endBatch := span(ctx, tr, "migrate.batch User", 0, attribute.Int("migration.batch.size", 3))
	for i := range 3 {
		off := time.Duration(i) * 100 * time.Microsecond
		mctx, endMig := span(bctx, tr, "migrate User", off+time.Microsecond,
			attribute.String("migration.model", "User"), attribute.String("migration.version.from", "1.0.0"))
		s0ctx, endStep0 := span(mctx, tr, "migrate.step User", off+2*time.Microsecond, attribute.Int("migration.step.index", 0))
		if i == 2 { // the same message as its parent's: printed once
			trace.SpanFromContext(s0ctx).SetStatus(codes.Error, "bad name")
			trace.SpanFromContext(mctx).SetStatus(codes.Error, "bad name")
		}
		endStep0(off + 10*time.Microsecond)
		sctx, endStep1 := span(mctx, tr, "migrate.step User", off+11*time.Microsecond, attribute.Int("migration.step.index", 1))
		_, endNested := span(sctx, tr, "migrate Address", off+12*time.Microsecond, attribute.String("migration.model", "Address"))
		endNested(off + 20*time.Microsecond)
		endStep1(off + 30*time.Microsecond)
		if i == 1 {
			trace.SpanFromContext(mctx).SetStatus(codes.Error, "validation failed")
		}
		endMig(off + 31*time.Microsecond)
	}
	trace.SpanFromContext(bctx).SetStatus(codes.Error, "batch: 2 items failed")
	endBatch(time.Millisecond + 234*time.Microsecond)
}

func TestWriteWholeTree(t *testing.T) {
	tr, exp := tracer(t)
	migrationTrace(tr)
	tree := consoletree.Build(exp.Spans())
	if len(tree.Roots) != 1 {
		t.Fatalf("roots = %d, want 1", len(tree.Roots))
	}
	if n := tree.Roots[0].Len(); n != 13 {
		t.Fatalf("tree has %d spans, want 13", n)
	}
	var b strings.Builder
	if err := consoletree.Write(&b, tree.Roots[0]); err != nil {
		t.Fatal(err)
	}
	want := `migrate.batch User          1.23ms  ERROR  migration.batch.size=3
│  batch: 2 items failed
├─ migrate User               30µs  migration.model=User migration.version.from=1.0.0
│  ├─ migrate.step User        8µs  migration.step.index=0
│  └─ migrate.step User       19µs  migration.step.index=1
│     └─ migrate Address       8µs  migration.model=Address
├─ migrate User               30µs  ERROR  migration.model=User migration.version.from=1.0.0
│  │  validation failed
│  ├─ migrate.step User        8µs  migration.step.index=0
│  └─ migrate.step User       19µs  migration.step.index=1
│     └─ migrate Address       8µs  migration.model=Address
└─ migrate User               30µs  ERROR  migration.model=User migration.version.from=1.0.0
   │  bad name
   ├─ migrate.step User        8µs  ERROR  migration.step.index=0
   └─ migrate.step User       19µs  migration.step.index=1
      └─ migrate Address       8µs  migration.model=Address
`
	if got := b.String(); got != want {
		t.Errorf("Write printed\n%s\nwant\n%s", got, want)
	}
}

func TestShowChildrenSumsUpTheOthers(t *testing.T) {
	tr, exp := tracer(t)
	migrationTrace(tr)
	tree := consoletree.Build(exp.Spans())
	batch := tree.Roots[0]
	failed := batch.Find(func(n *consoletree.Node) bool {
		return n.Span.Name() == "migrate User" && n.Span.Status().Code == codes.Error
	})
	if failed == nil || failed.Span.Status().Description != "validation failed" {
		t.Fatalf("Find(failed migrate User) = %v, want the first one", failed)
	}
	if tree.Find(consoletree.Named("migrate Address")) != batch.Children[0].Children[1].Children[0] {
		t.Errorf("Tree.Find does not find the first migrate Address depth first")
	}
	if tree.Find(consoletree.Named("nothing")) != nil {
		t.Errorf("Tree.Find found a span that is not there")
	}
	var b strings.Builder
	err := consoletree.Write(&b, batch,
		consoletree.ShowChildren(func(c *consoletree.Node) bool { return c == failed || c.Parent != batch }),
		consoletree.Attributes("migration.version.from", "migration.batch.size", "migration.model"),
		consoletree.TrimKeyPrefix("migration."))
	if err != nil {
		t.Fatal(err)
	}
	want := `migrate.batch User          1.23ms  ERROR  batch.size=3
│  batch: 2 items failed
├─ migrate User               30µs  ERROR  version.from=1.0.0 model=User
│  │  validation failed
│  ├─ migrate.step User        8µs
│  └─ migrate.step User       19µs
│     └─ migrate Address       8µs  model=Address
└─ … 2 more migrate User (1 Error)
`
	if got := b.String(); got != want {
		t.Errorf("Write printed\n%s\nwant\n%s", got, want)
	}

	// The hidden children's errors are counted.
	b.Reset()
	err = consoletree.Write(&b, batch, consoletree.ShowChildren(func(c *consoletree.Node) bool { return c.Parent != batch }))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "└─ … 3 more migrate User (2 Error)\n"; !strings.HasSuffix(got, want) || strings.Count(got, "\n") != 3 {
		t.Errorf("Write printed\n%s\nwant the batch line and %q", got, want)
	}
}

func TestBuildOrdersByStartTimeAndKeepsOrphansAsRoots(t *testing.T) {
	tr, exp := tracer(t)
	ctx := context.Background()
	pctx, endParent := span(ctx, tr, "parent", 0)
	// Started in reverse order of their start times, ended in any order.
	_, endC := span(pctx, tr, "c", 30*time.Microsecond)
	_, endA := span(pctx, tr, "a", 10*time.Microsecond)
	_, endB := span(pctx, tr, "b", 20*time.Microsecond)
	endB(40 * time.Microsecond)
	endC(50 * time.Microsecond)
	endA(60 * time.Microsecond)
	endParent(70 * time.Microsecond)
	_, endOther := span(ctx, tr, "other root", -time.Microsecond)
	endOther(0)

	spans := exp.Spans()
	// Without the parent, its children are roots; a span given twice
	// appears once.
	var noParent []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() != "parent" {
			noParent = append(noParent, s)
		}
	}
	noParent = append(noParent, noParent[0])

	for _, tc := range []struct {
		name  string
		spans []sdktrace.ReadOnlySpan
		want  []string // roots, then the children of the first
	}{
		{"whole", spans, []string{"other root", "parent", "/", "a", "b", "c"}},
		{"orphans", noParent, []string{"other root", "a", "b", "c", "/"}},
	} {
		tree := consoletree.Build(tc.spans)
		var got []string
		for _, r := range tree.Roots {
			got = append(got, r.Span.Name())
		}
		got = append(got, "/")
		for _, r := range tree.Roots {
			if len(r.Children) > 0 {
				for _, c := range r.Children {
					got = append(got, c.Span.Name())
					if c.Parent != r {
						t.Errorf("%s: %s.Parent = %v, want %s", tc.name, c.Span.Name(), c.Parent, r.Span.Name())
					}
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: order %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWriteFormatsValuesAndColors(t *testing.T) {
	tr, exp := tracer(t)
	_, end := span(context.Background(), tr, "op", 0,
		attribute.String("text", "two words"), attribute.String("empty", ""), attribute.Bool("ok", true),
		attribute.Int64("n", 42), attribute.StringSlice("list", []string{"a", "b"}))
	end(1500 * time.Millisecond)
	root := consoletree.Build(exp.Spans()).Roots[0]

	var b strings.Builder
	if err := consoletree.Write(&b, root); err != nil {
		t.Fatal(err)
	}
	want := `op      1.5s  empty="" list=["a","b"] n=42 ok=true text="two words"` + "\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}

	b.Reset()
	if err := consoletree.Write(&b, root, consoletree.Color(true), nil); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"\x1b[1mop\x1b[0m", "\x1b[36m1.5s\x1b[0m", "  \x1b[2mempty=\"\" list"} {
		if !strings.Contains(b.String(), code) {
			t.Errorf("colored output %q lacks %q", b.String(), code)
		}
	}
	if err := consoletree.Write(&b, nil); err != nil {
		t.Errorf("Write(nil node) = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReturnsTheWriterError(t *testing.T) {
	tr, exp := tracer(t)
	_, end := span(context.Background(), tr, "op", 0)
	end(time.Second)
	if err := consoletree.Write(failingWriter{}, consoletree.Build(exp.Spans()).Roots[0]); err == nil || err.Error() != "disk full" {
		t.Errorf("Write to a failing writer = %v, want disk full", err)
	}
}

func TestExporterConcurrentAndShutdown(t *testing.T) {
	tr, exp := tracer(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, s := tr.Start(context.Background(), "op")
				s.End()
			}
		})
	}
	wg.Wait()
	if n := exp.Len(); n != 800 {
		t.Fatalf("exporter kept %d spans, want 800", n)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, s := tr.Start(context.Background(), "after shutdown")
	s.End()
	if n := len(exp.Spans()); n != 800 {
		t.Errorf("after Shutdown the exporter has %d spans, want the 800 before it", n)
	}
	exp.Reset()
	if n := exp.Len(); n != 0 {
		t.Errorf("after Reset the exporter has %d spans", n)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0s",
		999:                     "999ns",
		41234:                   "41.2µs",
		1234567:                 "1.23ms",
		1999999999:              "2s",
		90 * time.Second:        "1m30s",
		-41234:                  "-41.2µs",
		12*time.Millisecond + 1: "12ms",
	} {
		if got := consoletree.Duration(d); got != want {
			t.Errorf("Duration(%d) = %q, want %q", d, got, want)
		}
	}
}

func Example() {
	exp := consoletree.New()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tr := tp.Tracer("example")

	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx, parent := tr.Start(context.Background(), "handle request", trace.WithTimestamp(start))
	_, child := tr.Start(ctx, "migrate User", trace.WithTimestamp(start.Add(time.Millisecond)),
		trace.WithAttributes(attribute.String("migration.version.to", "2.0.0")))
	child.SetStatus(codes.Error, "no migration path")
	child.End(trace.WithTimestamp(start.Add(1500 * time.Microsecond)))
	parent.End(trace.WithTimestamp(start.Add(3 * time.Millisecond)))
	_ = tp.Shutdown(ctx)

	tree := consoletree.Build(exp.Spans())
	_ = consoletree.Write(os.Stdout, tree.Roots[0])
	// Output:
	// handle request        3ms
	// └─ migrate User     500µs  ERROR  migration.version.to=2.0.0
	//       no migration path
}

func TestWidthWrapsAttributesAndMessages(t *testing.T) {
	tr, exp := tracer(t)
	ctx, endRoot := span(context.Background(), tr, "migrate.batch User", 0,
		attribute.Int("migration.batch.size", 5000), attribute.Int("migration.batch.succeeded", 4990),
		attribute.Int("migration.batch.failed", 10), attribute.String("error.type", "batch"))
	trace.SpanFromContext(ctx).SetStatus(codes.Error, "batch: 10 items failed; first: item 499: migration failed: panic")
	_, endChild := span(ctx, tr, "migrate User", time.Microsecond, attribute.String("migration.version.from", "1.0.0"))
	endChild(2 * time.Microsecond)
	endRoot(3 * time.Millisecond)

	var b strings.Builder
	if err := consoletree.Write(&b, consoletree.Build(exp.Spans()).Roots[0], consoletree.Width(60), consoletree.TrimKeyPrefix("migration.")); err != nil {
		t.Fatal(err)
	}
	want := `migrate.batch User       3ms  ERROR  error.type=batch
│                                    batch.failed=10
│                                    batch.size=5000
│                                    batch.succeeded=4990
│  batch: 10 items failed; first: item 499: migration
│  failed: panic
└─ migrate User          1µs  version.from=1.0.0
`
	if got := b.String(); got != want {
		t.Errorf("Write printed\n%s\nwant\n%s", got, want)
	}
	for line := range strings.Lines(b.String()) {
		if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > 60 {
			t.Errorf("line of %d columns, over the width of 60: %q", n, line)
		}
	}

	// A word longer than the room left is not cut, and no width means no
	// wrapping.
	b.Reset()
	if err := consoletree.Write(&b, consoletree.Build(exp.Spans()).Roots[0], consoletree.Width(10), consoletree.Width(0)); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 3 {
		t.Errorf("Width(0) wrapped the output into %d lines, want 3 (batch, message, child):\n%s", n, b.String())
	}
}
