package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
)

var ctx = context.Background()

func TestLineFields(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	m := newManager(t)
	m.AddHook(tr)
	before := time.Now()
	_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace", "id": 1}, "User", "1.0.0", "2.0.0")
	check(t, err)
	_, merr := m.Migrate(ctx, core.Data{"name": 42}, "User", "1.0.0", "2.0.0")
	if !errors.Is(merr, errBadName) {
		t.Fatalf("migration error %v", merr)
	}
	after := time.Now()
	check(t, tr.Close())

	lines, entries := splitTrail(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	// The raw lines: the seed's fields in order, keys only.
	var raw []map[string]json.RawMessage
	for _, l := range lines {
		var r map[string]json.RawMessage
		check(t, json.Unmarshal([]byte(l), &r))
		raw = append(raw, r)
	}
	wantFields := [][]string{
		{"timestamp", "model", "from_version", "to_version", "status", "original_keys", "migrated_keys", "duration_ms"},
		{"timestamp", "model", "from_version", "to_version", "status", "error_type", "error_message", "data_keys", "duration_ms"},
	}
	for i, l := range lines {
		if got := fieldOrder(t, l); !slices.Equal(got, wantFields[i]) {
			t.Errorf("line %d fields %v, want %v", i+1, got, wantFields[i])
		}
	}
	if strings.Contains(buf.String(), "Lovelace") {
		t.Errorf("a value was written without WithValues: %s", buf.String())
	}

	ok, bad := entries[0], entries[1]
	if ok.Model != "User" || ok.From != core.MustParseVersion("1.0.0") || ok.To != core.MustParseVersion("2.0.0") ||
		ok.Status != audit.StatusSuccess ||
		!slices.Equal(ok.OriginalKeys, []string{"id", "name"}) ||
		!slices.Equal(ok.MigratedKeys, []string{"first_name", "id", "last_name"}) ||
		ok.ErrorType != "" || ok.DataKeys != nil || ok.Values != nil || ok.TraceID != "" {
		t.Errorf("success entry %+v", ok)
	}
	if bad.Status != audit.StatusError || bad.ErrorType != core.ErrorType(merr) || bad.ErrorType != "migration_function" ||
		bad.ErrorMessage != core.ErrorMessage(merr, nil) || !slices.Equal(bad.DataKeys, []string{"name"}) ||
		bad.OriginalKeys != nil || bad.MigratedKeys != nil {
		t.Errorf("error entry %+v", bad)
	}
	for i, e := range entries {
		var ts string
		check(t, json.Unmarshal(raw[i]["timestamp"], &ts))
		p, err := time.Parse(time.RFC3339Nano, ts)
		check(t, err)
		if !strings.HasSuffix(ts, "Z") || p.Before(before.Truncate(time.Microsecond)) || p.After(after) {
			t.Errorf("timestamp %s not UTC within [%v, %v]", ts, before, after)
		}
		if e.DurationMS < 0 || e.Duration() > after.Sub(before)+time.Microsecond { // µs: float rounding
			t.Errorf("duration_ms %v out of [0, %v]", e.DurationMS, after.Sub(before))
		}
	}
}

// fieldOrder returns the top-level keys of a JSON object, in order.
func fieldOrder(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	tok, err := dec.Token()
	check(t, err)
	if tok != json.Delim('{') {
		t.Fatalf("not an object: %s", line)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		check(t, err)
		keys = append(keys, k.(string))
		var v json.RawMessage
		check(t, dec.Decode(&v))
	}
	return keys
}

func TestDurationCoversTheMigration(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	m := core.NewManager()
	check(t, core.Register[userV1](m, "Slow", "1.0.0"))
	check(t, core.Register[userV1](m, "Slow", "2.0.0"))
	const pause = 20 * time.Millisecond
	check(t, m.RegisterMigration("Slow", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		time.Sleep(pause)
		return d, nil
	}))
	m.AddHook(tr)
	_, err := m.Migrate(ctx, core.Data{"name": "x"}, "Slow", "1.0.0", "2.0.0")
	check(t, err)
	_, entries := splitTrail(t, buf.Bytes())
	if d := entries[0].Duration(); d < pause {
		t.Fatalf("duration %v shorter than the migration's %v", d, pause)
	}
}

func TestCloseFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	f, err := os.Create(path)
	check(t, err)
	defer f.Close()
	tr := audit.New(bufio.NewWriterSize(f, 64<<10))
	m := newManager(t)
	m.AddHook(tr)
	for i := range 10 {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	if lines, _ := readFile(t, path); len(lines) != 0 {
		t.Fatalf("%d lines before Close: the buffer was not in use", len(lines))
	}
	check(t, tr.Close())
	if lines, _ := readFile(t, path); len(lines) != 10 {
		t.Fatalf("%d lines after Close, want 10", len(lines))
	}
	if err := tr.Sync(); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
}

func TestCloseDrainsAsync(t *testing.T) {
	g := newGateWriter()
	tr := audit.New(g, audit.WithAsync(), audit.WithQueueSize(100))
	m := newManager(t)
	m.AddHook(tr)
	for i := range 50 {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	closed := make(chan error)
	go func() { closed <- tr.Close() }()
	close(g.gate)
	check(t, <-closed)
	_, entries := splitTrail(t, g.bytes())
	if len(entries) != 50 || tr.Written() != 50 || tr.Dropped() != 0 {
		t.Fatalf("%d lines, Written %d, Dropped %d", len(entries), tr.Written(), tr.Dropped())
	}
}

func TestOpenModeAndAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	m := newManager(t)
	for round, n := range []int{2, 3} {
		tr, err := audit.Open(path)
		check(t, err)
		m.AddHook(tr)
		for i := range n {
			_, err := m.Migrate(ctx, user(round*10+i), "User", "1.0.0", "2.0.0")
			check(t, err)
		}
		m.RemoveHook(tr)
		check(t, tr.Close())
	}
	fi, err := os.Stat(path)
	check(t, err)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	lines, entries := readFile(t, path)
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 2 + 3 appended", len(lines))
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Timestamp.Before(entries[i-1].Timestamp) {
			t.Fatalf("lines out of order: %v before %v", entries[i-1].Timestamp, entries[i].Timestamp)
		}
	}
	if _, err := audit.Open(filepath.Join(t.TempDir(), "no", "such", "dir", "audit.log")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open in a missing directory: %v", err)
	}
}

func TestWriteFailureDoesNotFailTheMigration(t *testing.T) {
	errDisk := errors.New("disk full")
	w := &failWriter{fail: func(n int) bool { return n == 1 }, err: errDisk}
	var handled errs
	tr := audit.New(w, audit.WithErrorHandler(handled.handle))
	m := newManager(t)
	m.AddHook(tr)
	out, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	if err != nil || out["first_name"] != "Ada" {
		t.Fatalf("migration %v, %v", out, err)
	}
	got := handled.get()
	var we *audit.WriteError
	if len(got) != 1 || !errors.Is(got[0], errDisk) || !errors.As(got[0], &we) ||
		we.Op != "write" || we.Model != "User" || we.Status != audit.StatusSuccess || core.ErrorType(got[0]) != "audit_write" {
		t.Fatalf("handler got %v", got)
	}
	if tr.Dropped() != 1 || tr.Written() != 0 {
		t.Fatalf("Dropped %d, Written %d", tr.Dropped(), tr.Written())
	}
	// The next line goes through.
	_, err = m.Migrate(ctx, user(2), "User", "1.0.0", "2.0.0")
	check(t, err)
	if _, entries := splitTrail(t, w.bytes()); len(entries) != 1 || tr.Written() != 1 {
		t.Fatalf("%d lines after a good write", len(entries))
	}
}

// shortWriter writes half of its first line and fails, then works.
type shortWriter struct {
	bytes.Buffer
	calls int
}

var errShort = errors.New("connection reset")

func (s *shortWriter) Write(p []byte) (int, error) {
	s.calls++
	if s.calls == 1 {
		n, _ := s.Buffer.Write(p[:len(p)/2])
		return n, errShort
	}
	return s.Buffer.Write(p)
}

func TestPartialWriteDoesNotSwallowTheNextLine(t *testing.T) {
	var w shortWriter
	tr := audit.New(&w, audit.WithErrorHandler(func(error) {}))
	m := newManager(t)
	m.AddHook(tr)
	for i := range 3 {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	var good, bad int
	for e, err := range audit.Entries(bytes.NewReader(w.Bytes())) {
		var le *audit.LineError
		switch {
		case errors.As(err, &le) && le.Line == 1:
			bad++
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		case e.Model == "User":
			good++
		}
	}
	if good != 2 || bad != 1 || tr.Dropped() != 1 || tr.Written() != 2 {
		t.Fatalf("%d good and %d broken lines (Dropped %d): %q", good, bad, tr.Dropped(), w.String())
	}
}

type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom") }

func TestPanickingWriterAndHandler(t *testing.T) {
	for _, async := range []bool{false, true} {
		opts := []audit.Option{audit.WithErrorHandler(func(error) { panic("handler boom") })}
		if async {
			opts = append(opts, audit.WithAsync())
		}
		tr := audit.New(panicWriter{}, opts...)
		m := newManager(t, core.WithErrorHandler(func(err error) { t.Errorf("a panic reached the manager: %v", err) }))
		m.AddHook(tr)
		_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
		check(t, err)
		check(t, tr.Close())
		if tr.Dropped() != 1 {
			t.Fatalf("async=%v: Dropped %d", async, tr.Dropped())
		}
	}
}

func TestStrictFailsTheMigrationOnAWriteFailure(t *testing.T) {
	errDisk := errors.New("disk full")
	w := &failWriter{fail: func(n int) bool { return n == 1 }, err: errDisk}
	var handled errs
	tr := audit.New(w, audit.WithFailOnWriteError(), audit.WithErrorHandler(handled.handle))
	m := newManager(t)
	m.AddHook(tr)
	out, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	var we *audit.WriteError
	if out != nil || !errors.Is(err, errDisk) || !errors.Is(err, core.ErrValidation) || !errors.As(err, &we) || we.Op != "write" {
		t.Fatalf("strict migration: %v, %v", out, err)
	}
	// The failed migration is on record, as an error.
	_, entries := splitTrail(t, w.bytes())
	if len(entries) != 1 || entries[0].Status != audit.StatusError || entries[0].ErrorType != "validation" ||
		!strings.Contains(entries[0].ErrorMessage, "rejected by *audit.Trail") {
		t.Fatalf("entries %+v", entries)
	}
	if tr.Dropped() != 1 || len(handled.get()) != 1 {
		t.Fatalf("Dropped %d, handled %v", tr.Dropped(), handled.get())
	}
}

// The success line is in the file before the migration reports success:
// a hook registered after the trail (whose AfterMigrate runs before the
// trail's) already finds it there, flushed through a bufio.Writer.
func TestStrictWritesBeforeSuccess(t *testing.T) {
	for _, strict := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "audit.log")
		f, err := os.Create(path)
		check(t, err)
		var opts []audit.Option
		if strict {
			opts = append(opts, audit.WithFailOnWriteError())
		}
		tr := audit.New(bufio.NewWriter(f), opts...)
		m := newManager(t)
		var linesSeen int
		m.AddHook(tr, funcHook{after: func(context.Context, core.Event, core.Record) {
			lines, _ := readFile(t, path)
			linesSeen = len(lines)
		}})
		_, err = m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
		check(t, err)
		check(t, tr.Close())
		check(t, f.Close())
		want := 0
		if strict {
			want = 1
		}
		if linesSeen != want {
			t.Fatalf("strict=%v: %d lines in the file before success, want %d", strict, linesSeen, want)
		}
		if lines, _ := readFile(t, path); len(lines) != 1 {
			t.Fatalf("strict=%v: %d lines in the end", strict, len(lines))
		}
	}
}

type syncWriter struct {
	bytes.Buffer
	flushes, syncs int
	syncErr        error
}

func (s *syncWriter) Flush() error { s.flushes++; return nil }
func (s *syncWriter) Sync() error  { s.syncs++; return s.syncErr }

func TestStrictSyncFailure(t *testing.T) {
	errSync := errors.New("fsync: input/output error")
	w := &syncWriter{syncErr: errSync}
	var handled errs
	tr := audit.New(w, audit.WithFailOnWriteError(), audit.WithSyncEvery(0), audit.WithErrorHandler(handled.handle))
	m := newManager(t)
	m.AddHook(tr)
	_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	var we *audit.WriteError
	if !errors.Is(err, errSync) || !errors.As(err, &we) || we.Op != "sync" {
		t.Fatalf("migration error %v", err)
	}
	// The success line reached the writer, so the failure follows it.
	_, entries := splitTrail(t, w.Bytes())
	if len(entries) != 2 || entries[0].Status != audit.StatusSuccess || entries[1].Status != audit.StatusError {
		t.Fatalf("entries %+v", entries)
	}
	if tr.Dropped() != 0 || tr.Written() != 2 {
		t.Fatalf("Dropped %d, Written %d", tr.Dropped(), tr.Written())
	}
}

// A validator registered after a strict trail rejects a migration whose
// success line is written: the error line follows, as documented.
func TestStrictLaterValidatorRejects(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf, audit.WithFailOnWriteError())
	m := newManager(t)
	m.AddHook(tr, rejectHook{})
	_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	if !errors.Is(err, errRejected) {
		t.Fatalf("migration error %v", err)
	}
	_, entries := splitTrail(t, buf.Bytes())
	if len(entries) != 2 || entries[0].Status != audit.StatusSuccess || entries[1].Status != audit.StatusError {
		t.Fatalf("entries %+v", entries)
	}

	// Registered first, the rejecting validator runs before the trail's:
	// one line.
	buf.Reset()
	m = newManager(t)
	m.AddHook(rejectHook{}, tr)
	_, err = m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	if !errors.Is(err, errRejected) {
		t.Fatalf("migration error %v", err)
	}
	if _, entries := splitTrail(t, buf.Bytes()); len(entries) != 1 || entries[0].Status != audit.StatusError {
		t.Fatalf("entries %+v", entries)
	}
}

func TestStrictOverridesAsync(t *testing.T) {
	errDisk := errors.New("disk full")
	w := &failWriter{fail: func(int) bool { return true }, err: errDisk}
	tr := audit.New(w, audit.WithFailOnWriteError(), audit.WithAsync(), audit.WithErrorHandler(func(error) {}))
	m := newManager(t)
	m.AddHook(tr)
	if _, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0"); !errors.Is(err, errDisk) {
		t.Fatalf("migration error %v", err)
	}
	check(t, tr.Close())
}

func TestSyncEvery(t *testing.T) {
	for _, tc := range []struct {
		opts           []audit.Option
		flushes, syncs int // after 7 lines, then after Close
		closeSyncs     int
	}{
		{nil, 0, 0, 0},
		{[]audit.Option{audit.WithSyncEvery(0)}, 7, 7, 8},
		{[]audit.Option{audit.WithSyncEvery(1)}, 7, 7, 8},
		{[]audit.Option{audit.WithSyncEvery(3)}, 2, 2, 3},
	} {
		w := &syncWriter{}
		tr := audit.New(w, tc.opts...)
		m := newManager(t)
		m.AddHook(tr)
		for i := range 7 {
			_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
			check(t, err)
		}
		if w.flushes != tc.flushes || w.syncs != tc.syncs {
			t.Errorf("%d options: %d flushes, %d syncs; want %d, %d", len(tc.opts), w.flushes, w.syncs, tc.flushes, tc.syncs)
		}
		check(t, tr.Close())
		if w.flushes != tc.flushes+1 || w.syncs != tc.closeSyncs {
			t.Errorf("%d options, after Close: %d flushes, %d syncs; want %d, %d", len(tc.opts), w.flushes, w.syncs, tc.flushes+1, tc.closeSyncs)
		}
	}
}

func TestSyncEveryOnAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	tr, err := audit.Open(path, audit.WithSyncEvery(0))
	check(t, err)
	var handled errs
	tr2, err := audit.Open(path, audit.WithSyncEvery(2), audit.WithAsync(), audit.WithErrorHandler(handled.handle))
	check(t, err)
	m := newManager(t)
	m.AddHook(tr, tr2)
	for i := range 5 {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	check(t, tr2.Sync())
	check(t, tr.Close())
	check(t, tr2.Close())
	if lines, _ := readFile(t, path); len(lines) != 10 || len(handled.get()) != 0 {
		t.Fatalf("%d lines, errors %v", len(lines), handled.get())
	}
}

func TestSyncWritesQueuedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	f, err := os.Create(path)
	check(t, err)
	defer f.Close()
	bw := bufio.NewWriterSize(f, 64<<10)
	tr := audit.New(bw, audit.WithAsync())
	defer tr.Close()
	m := newManager(t)
	m.AddHook(tr)
	for i := range 100 {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	check(t, tr.Sync())
	if lines, _ := readFile(t, path); len(lines) != 100 {
		t.Fatalf("%d lines after Sync, want 100", len(lines))
	}
}

func TestAfterClose(t *testing.T) {
	for _, async := range []bool{false, true} {
		var buf bytes.Buffer
		var handled errs
		opts := []audit.Option{audit.WithErrorHandler(handled.handle)}
		if async {
			opts = append(opts, audit.WithAsync())
		}
		tr := audit.New(&buf, opts...)
		m := newManager(t)
		m.AddHook(tr)
		_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
		check(t, err)
		check(t, tr.Close())
		check(t, tr.Close()) // twice is fine
		_, err = m.Migrate(ctx, user(2), "User", "1.0.0", "2.0.0")
		check(t, err)
		_, err = m.Migrate(ctx, core.Data{"name": 1}, "User", "1.0.0", "2.0.0")
		if err == nil {
			t.Fatal("want a failed migration")
		}
		got := handled.get()
		var we *audit.WriteError
		if len(got) != 2 || !errors.Is(got[0], audit.ErrClosed) || !errors.As(got[1], &we) || we.Op != "closed" || we.Status != audit.StatusError {
			t.Fatalf("async=%v: handler got %v", async, got)
		}
		if _, entries := splitTrail(t, buf.Bytes()); len(entries) != 1 || tr.Dropped() != 2 || tr.Written() != 1 {
			t.Fatalf("async=%v: %d lines, Dropped %d", async, len(entries), tr.Dropped())
		}
	}
}

// With Async, migrations finish while the writer is blocked: none waits
// for a write. (Without Async this test would deadlock: the first
// migration would wait for the gate, which opens only after them all.)
func TestAsyncMigrationsDoNotWaitForTheWriter(t *testing.T) {
	g := newGateWriter()
	tr := audit.New(g, audit.WithAsync(), audit.WithQueueSize(1000))
	m := newManager(t)
	m.AddHook(tr)
	done := make(chan error)
	go func() {
		var err error
		for i := range 500 {
			if _, e := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0"); e != nil {
				err = e
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		check(t, err)
	case <-time.After(30 * time.Second): // a hang guard, not a timing
		close(g.gate)
		t.Fatal("migrations waited for the blocked writer")
	}
	<-g.entered // the writer is inside Write, holding the first line
	close(g.gate)
	check(t, tr.Close())
	if _, entries := splitTrail(t, g.bytes()); len(entries) != 500 || tr.Dropped() != 0 {
		t.Fatalf("%d lines, Dropped %d", len(entries), tr.Dropped())
	}
}

func TestAsyncQueueFullDrops(t *testing.T) {
	g := newGateWriter()
	var handled errs
	tr := audit.New(g, audit.WithAsync(), audit.WithQueueSize(4), audit.WithErrorHandler(handled.handle))
	m := newManager(t)
	m.AddHook(tr)
	_, err := m.Migrate(ctx, user(0), "User", "1.0.0", "2.0.0")
	check(t, err)
	<-g.entered // the writer holds line 0; the queue is empty
	for i := 1; i <= 9; i++ {
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	// 4 lines fit in the queue, 5 are dropped.
	got := handled.get()
	if len(got) != 5 || tr.Dropped() != 5 {
		t.Fatalf("Dropped %d, handler got %v", tr.Dropped(), got)
	}
	for _, err := range got {
		var we *audit.WriteError
		if !errors.Is(err, audit.ErrQueueFull) || !errors.As(err, &we) || we.Op != "enqueue" || core.ErrorType(err) != "audit_enqueue" {
			t.Fatalf("handler got %v", err)
		}
	}
	close(g.gate)
	check(t, tr.Close())
	if _, entries := splitTrail(t, g.bytes()); len(entries) != 5 || tr.Written() != 5 {
		t.Fatalf("%d lines, Written %d", len(entries), tr.Written())
	}
}

type traceKey struct{}

type ids struct{ trace, span string }

func traceIDs(ctx context.Context) (string, string, bool) {
	id, ok := ctx.Value(traceKey{}).(ids)
	return id.trace, id.span, ok
}

func TestTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf, audit.WithTraceIDs(traceIDs))
	m := newManager(t)
	// A tracing hook registered before the trail starts a span per
	// migration: the trail sees the migration's own span.
	tracing := &funcHook{before: func(ctx context.Context, e core.Event) context.Context {
		parent, _ := ctx.Value(traceKey{}).(ids)
		return context.WithValue(ctx, traceKey{}, ids{parent.trace, "span-of-" + e.Model})
	}}
	m.AddHook(tracing, tr)
	reqCtx := context.WithValue(ctx, traceKey{}, ids{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"})
	_, err := m.Migrate(reqCtx, user(1), "User", "1.0.0", "2.0.0")
	check(t, err)
	_, err = m.Migrate(reqCtx, core.Data{"name": 1}, "User", "1.0.0", "2.0.0")
	if err == nil {
		t.Fatal("want a failure")
	}
	m.RemoveHook(tracing)
	_, err = m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	check(t, err)

	lines, entries := splitTrail(t, buf.Bytes())
	for i := range 2 {
		if e := entries[i]; e.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || e.SpanID != "span-of-User" {
			t.Errorf("line %d: trace %q span %q", i+1, e.TraceID, e.SpanID)
		}
	}
	if strings.Contains(lines[2], "trace_id") || strings.Contains(lines[2], "span_id") {
		t.Errorf("IDs written for a ctx with no span: %s", lines[2])
	}

	// A panicking trace-ID function: no IDs, reported, line written.
	buf.Reset()
	var handled errs
	tr = audit.New(&buf, audit.WithTraceIDs(func(context.Context) (string, string, bool) { panic("no") }),
		audit.WithErrorHandler(handled.handle))
	m = newManager(t)
	m.AddHook(tr)
	_, err = m.Migrate(reqCtx, user(1), "User", "1.0.0", "2.0.0")
	check(t, err)
	if lines, _ := splitTrail(t, buf.Bytes()); len(lines) != 1 || strings.Contains(lines[0], "trace_id") || len(handled.get()) != 1 {
		t.Fatalf("lines %q, handled %v", lines, handled.get())
	}
}

func TestValues(t *testing.T) {
	input := func() core.Data {
		return core.Data{"name": "Ada Lovelace", "password": "s3cr3t", "id": 7,
			"address": map[string]any{"city": "London", "zip": "N1"},
			"tags":    []any{"a", 1.5, true, nil}}
	}
	redact := func(key string, v any) any {
		if key == "password" {
			return "[REDACTED]"
		}
		return v
	}
	// Values are written only with a redaction function: not without the
	// option, and not with a nil function (nil never means "in the clear").
	for _, mode := range []string{"no option", "nil redact", "redact"} {
		withValues := mode == "redact"
		var buf bytes.Buffer
		var opts []audit.Option
		switch mode {
		case "nil redact":
			opts = append(opts, audit.WithValues(nil))
		case "redact":
			opts = append(opts, audit.WithValues(redact))
		}
		tr := audit.New(&buf, opts...)
		m := newManager(t)
		m.AddHook(tr)
		in := input()
		_, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0")
		check(t, err)
		bad := input()
		bad["name"] = 42
		_, err = m.Migrate(ctx, bad, "User", "1.0.0", "2.0.0")
		if err == nil {
			t.Fatal("want a failure")
		}
		if !reflect.DeepEqual(in, input()) {
			t.Fatalf("the input was modified: %v", in)
		}
		if strings.Contains(buf.String(), "s3cr3t") {
			t.Fatalf("%s: the secret is in the trail: %s", mode, buf.String())
		}
		lines, entries := splitTrail(t, buf.Bytes())
		if !withValues {
			for _, l := range lines {
				if strings.Contains(l, `"values"`) || strings.Contains(l, "London") || strings.Contains(l, "Lovelace") {
					t.Fatalf("%s: values written: %s", mode, l)
				}
			}
			continue
		}
		ok, fail := entries[0], entries[1]
		wantOK := map[string]any{"first_name": "Ada", "last_name": "Lovelace", "password": "[REDACTED]", "id": 7.0,
			"address": map[string]any{"city": "London", "zip": "N1"}, "tags": []any{"a", 1.5, true, nil}}
		if !reflect.DeepEqual(ok.Values, wantOK) {
			t.Errorf("success values %v, want %v", ok.Values, wantOK)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(ok.Values)), ok.MigratedKeys) {
			t.Errorf("success values %v for keys %v", ok.Values, ok.MigratedKeys)
		}
		// An error line has the input's values: there is no result.
		if fail.Values["name"] != 42.0 || fail.Values["password"] != "[REDACTED]" ||
			!slices.Equal(slices.Sorted(maps.Keys(fail.Values)), fail.DataKeys) {
			t.Errorf("error values %v", fail.Values)
		}
	}
}

func TestValuesThatCannotBeEncoded(t *testing.T) {
	var buf bytes.Buffer
	var handled errs
	tr := audit.New(&buf, audit.WithErrorHandler(handled.handle), audit.WithValues(func(key string, v any) any {
		switch key {
		case "last_name":
			panic("redactor bug")
		case "first_name":
			return make(chan int)
		}
		return v
	}))
	m := newManager(t)
	m.AddHook(tr)
	in := user(1)
	in["n"] = 1.5
	_, err := m.Migrate(ctx, in, "User", "1.0.0", "2.0.0")
	check(t, err)
	_, entries := splitTrail(t, buf.Bytes())
	v := entries[0].Values
	if v["first_name"] != nil || v["last_name"] != nil || v["n"] != 1.5 || len(v) != 4 {
		t.Fatalf("values %v", v)
	}
	if strings.Contains(buf.String(), "Lovelace") || len(handled.get()) != 2 {
		t.Fatalf("trail %s, handled %v", buf.String(), handled.get())
	}
	// A NaN (not JSON) is written as null too.
	buf.Reset()
	tr2 := audit.New(&buf, audit.WithErrorHandler(handled.handle), audit.WithValues(core.KeepValues))
	m2 := core.NewManager()
	check(t, core.Register[userV1](m2, "N", "1.0.0"))
	check(t, core.Register[userV1](m2, "N", "2.0.0"))
	check(t, m2.RegisterMigration("N", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["nan"] = float64Nan()
		return d, nil
	}))
	m2.AddHook(tr2)
	_, err = m2.MigrateData(ctx, core.Data{"name": "x"}, "N", "1.0.0", "2.0.0")
	check(t, err)
	if _, entries := splitTrail(t, buf.Bytes()); entries[0].Values["nan"] != nil || entries[0].Values["name"] != "x" {
		t.Fatalf("values %v", entries[0].Values)
	}
}

func float64Nan() float64 {
	zero := 0.0
	return zero / zero
}

// Keys and messages with quotes, newlines, control characters, unicode
// and invalid UTF-8 give valid JSON lines that decode to the same text
// encoding/json would give.
func TestEncodingIsValidJSON(t *testing.T) {
	var tricky []string
	for c := range 0x20 {
		tricky = append(tricky, "ctl"+string(rune(c))+"x")
	}
	tricky = append(tricky, `quo"te`, `back\slash`, "new\nline", "tab\t", "crlf\r\n", "é日本🙂",
		"\u2028\u2029", "bad\xffutf8", "\xc3", "trunc\xe6\x97", "<html>&amp;", "\x7f", "")
	data := core.Data{"name": "Ada Lovelace"}
	for _, k := range tricky {
		data[k] = k
	}
	var buf bytes.Buffer
	tr := audit.New(&buf, audit.WithValues(core.KeepValues))
	m := newManager(t)
	m.AddHook(tr)
	_, err := m.Migrate(ctx, data, "User", "1.0.0", "2.0.0")
	check(t, err)
	m2 := core.NewManager()
	check(t, m2.RegisterMigration("Weird \"model\"\n", "1.0.0", "2.0.0", func(context.Context, core.Data) (core.Data, error) {
		return nil, errors.New("bad\nthing \"happened\"\x00\xff")
	}))
	m2.AddHook(tr)
	_, werr := m2.MigrateData(ctx, data, "Weird \"model\"\n", "1.0.0", "2.0.0")
	if werr == nil {
		t.Fatal("want a failure")
	}

	lines, entries := splitTrail(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("invalid JSON: %q", l)
		}
	}
	// What encoding/json makes of each string.
	norm := func(s string) string {
		b, _ := json.Marshal(s)
		var out string
		check(t, json.Unmarshal(b, &out))
		return out
	}
	var want []string
	for k := range data {
		if k != "name" {
			want = append(want, norm(k))
		}
	}
	for _, e := range entries {
		for _, k := range want {
			if e.Values[k] != k {
				t.Fatalf("key %q: value %q", k, e.Values[k])
			}
		}
	}
	if e := entries[1]; e.Model != "Weird \"model\"\n" || e.ErrorMessage != norm(werr.Error()) {
		t.Fatalf("model %q, message %q", e.Model, e.ErrorMessage)
	}
}

func TestNestedMigrationsEachGetALine(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	m := newManager(t)
	m.AddHook(tr)
	order := core.Data{"items": []any{map[string]any{"sku": "a"}, map[string]any{"sku": "b"}}}
	out, err := m.Migrate(ctx, order, "Order", "1.0.0", "2.0.0")
	check(t, err)
	if items := out["items"].([]any); items[0].(map[string]any)["qty"] != 1.0 && items[0].(map[string]any)["qty"] != 1 {
		t.Fatalf("nested items not migrated: %v", out)
	}
	_, entries := splitTrail(t, buf.Bytes())
	var got []string
	for _, e := range entries {
		got = append(got, e.Model+" "+e.From.String()+"→"+e.To.String()+" "+string(e.Status)+" "+strings.Join(e.MigratedKeys, ","))
	}
	want := []string{
		"Item 1.0.0→2.0.0 success qty,sku",
		"Item 1.0.0→2.0.0 success qty,sku",
		"Order 1.0.0→2.0.0 success items,note",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBatchItemsEachGetALine(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	m := newManager(t)
	m.AddHook(tr)
	items := []core.Data{user(1), {"name": 2}, user(3)}
	_, err := m.MigrateBatch(ctx, items, "User", "1.0.0", "2.0.0", core.WithWorkers(3), core.WithContinueOnError())
	if err == nil {
		t.Fatal("want a batch error")
	}
	_, entries := splitTrail(t, buf.Bytes())
	var ok, bad int
	for _, e := range entries {
		if e.Status == audit.StatusSuccess {
			ok++
		} else {
			bad++
		}
	}
	if ok != 2 || bad != 1 {
		t.Fatalf("%d success and %d error lines", ok, bad)
	}
}

func TestNilOptionsAreIgnored(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf, nil, audit.WithErrorHandler(nil), audit.WithTraceIDs(nil), audit.WithQueueSize(0))
	m := newManager(t)
	m.AddHook(tr)
	_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
	check(t, err)
	check(t, tr.Close())
	if _, entries := splitTrail(t, buf.Bytes()); len(entries) != 1 {
		t.Fatalf("%d lines", len(entries))
	}
}

func TestRead(t *testing.T) {
	good := `{"timestamp":"2026-01-02T03:04:05.123456789Z","model":"User","from_version":"1.0.0","to_version":"2.0.0","status":"success","original_keys":["name"],"migrated_keys":["first_name"],"duration_ms":1.5,"future_field":1}`
	for _, tc := range []struct {
		name   string
		trail  string
		n      int
		errAt  int // 0: no error
		reason string
	}{
		{"empty", "", 0, 0, ""},
		{"one", good + "\n", 1, 0, ""},
		{"no final newline", good, 1, 0, ""},
		{"blank lines", "\n" + good + "\n\n  \n" + good + "\n", 2, 0, ""},
		{"truncated last line", good + "\n" + good[:40], 1, 2, "unexpected end"},
		{"bad status", good + "\n" + strings.Replace(good, "success", "ok", 1) + "\n" + good, 1, 2, "neither"},
		{"bad version", strings.Replace(good, `"1.0.0"`, `"v1"`, 1), 0, 1, "invalid version"},
		{"not an entry", "[1,2]\n", 0, 1, "cannot unmarshal"},
		{"no timestamp", `{"status":"error","model":"x"}`, 0, 1, "no timestamp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := audit.Read(strings.NewReader(tc.trail))
			if len(entries) != tc.n {
				t.Fatalf("%d entries, want %d", len(entries), tc.n)
			}
			var le *audit.LineError
			switch {
			case tc.errAt == 0 && err != nil:
				t.Fatal(err)
			case tc.errAt != 0 && (!errors.As(err, &le) || le.Line != tc.errAt || !strings.Contains(err.Error(), tc.reason)):
				t.Fatalf("error %v, want line %d: %s", err, tc.errAt, tc.reason)
			}
		})
	}
	entries, err := audit.Read(strings.NewReader(good))
	check(t, err)
	e := entries[0]
	if e.Timestamp != time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC) || e.Duration() != 1500*time.Microsecond ||
		e.From != core.MustParseVersion("1.0.0") || e.Status != audit.StatusSuccess {
		t.Fatalf("entry %+v", e)
	}
}

func TestEntriesGoesOnAfterABadLine(t *testing.T) {
	good := `{"timestamp":"2026-01-02T03:04:05Z","model":"User","from_version":"1.0.0","to_version":"2.0.0","status":"error","error_type":"x","error_message":"y","data_keys":[],"duration_ms":0}`
	var n, bad int
	for _, err := range audit.Entries(strings.NewReader(good + "\n{oops\n" + good + "\n")) {
		if err != nil {
			bad++
		} else {
			n++
		}
	}
	if n != 2 || bad != 1 {
		t.Fatalf("%d entries, %d errors", n, bad)
	}
	// Breaking out of the loop stops it.
	n = 0
	for range audit.Entries(strings.NewReader(strings.Repeat(good+"\n", 5))) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Fatalf("%d iterations after break", n)
	}
	// An error of the reader ends the iteration.
	var last error
	for _, err := range audit.Entries(io.MultiReader(strings.NewReader(good+"\n"), errReader{})) {
		last = err
	}
	if !errors.Is(last, errRead) {
		t.Fatalf("last error %v", last)
	}
	// Long lines are fine.
	long := strings.Replace(good, `"y"`, `"`+strings.Repeat("y", 1<<20)+`"`, 1)
	entries, err := audit.Read(strings.NewReader(long + "\n"))
	if err != nil || len(entries) != 1 || len(entries[0].ErrorMessage) != 1<<20 {
		t.Fatalf("long line: %v", err)
	}
}

var errRead = errors.New("read failed")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errRead }

// Concurrent Close, Sync and migrations: no panic, no race, and every
// migration is either written or dropped.
func TestCloseRacesWithMigrations(t *testing.T) {
	for _, async := range []bool{false, true} {
		var buf syncBuffer
		opts := []audit.Option{audit.WithErrorHandler(func(error) {})}
		if async {
			opts = append(opts, audit.WithAsync(), audit.WithQueueSize(64))
		}
		tr := audit.New(&buf, opts...)
		m := newManager(t)
		m.AddHook(tr)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range 500 {
					_, _ = m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
				}
			})
		}
		wg.Go(func() { _ = tr.Sync() })
		wg.Go(func() { _ = tr.Close() })
		wg.Wait()
		check(t, tr.Close())
		_, entries := splitTrail(t, buf.bytes())
		if int64(len(entries)) != tr.Written() || tr.Written()+tr.Dropped() != 2000 {
			t.Fatalf("async=%v: %d lines, Written %d, Dropped %d", async, len(entries), tr.Written(), tr.Dropped())
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}

// scriptWriter runs fn for each Write, numbered from 1.
type scriptWriter struct {
	mu    sync.Mutex
	calls int
	fn    func(call int, p []byte) (int, error)
	buf   bytes.Buffer
}

func (s *scriptWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.calls++
	call := s.calls
	s.mu.Unlock()
	n, err := s.fn(call, p)
	s.mu.Lock()
	s.buf.Write(p[:n])
	s.mu.Unlock()
	return n, err
}

func (s *scriptWriter) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}

// An Async trail writes the queued lines in one Write; when that write
// stops part-way, the whole lines count as written, the others as
// dropped, one report each, and the next line is whole again.
func TestAsyncBatchPartialWrite(t *testing.T) {
	entered, gate := make(chan struct{}), make(chan struct{})
	var batchLines int
	w := &scriptWriter{fn: func(call int, p []byte) (int, error) {
		switch call {
		case 1:
			close(entered)
			<-gate
		case 2:
			batchLines = bytes.Count(p, []byte("\n"))
			// Two whole lines and half of the third.
			end := 0
			for range 2 {
				end += bytes.IndexByte(p[end:], '\n') + 1
			}
			return end + (bytes.IndexByte(p[end:], '\n')+1)/2, errShort
		}
		return len(p), nil
	}}
	var handled errs
	tr := audit.New(w, audit.WithAsync(), audit.WithQueueSize(10), audit.WithErrorHandler(handled.handle), audit.WithValues(keepID))
	m := newManager(t)
	m.AddHook(tr)
	migrate := func(i int) {
		t.Helper()
		_, err := m.Migrate(ctx, user(i), "User", "1.0.0", "2.0.0")
		check(t, err)
	}
	migrate(0)
	<-entered // the writer holds line 0; the next five wait in the queue
	for i := 1; i <= 5; i++ {
		migrate(i)
	}
	close(gate)
	check(t, tr.Sync())
	migrate(6)
	check(t, tr.Close())

	if batchLines != 5 {
		t.Fatalf("the second Write had %d lines, want the 5 queued", batchLines)
	}
	if tr.Written() != 4 || tr.Dropped() != 3 {
		t.Fatalf("Written %d, Dropped %d; want 4, 3", tr.Written(), tr.Dropped())
	}
	got := handled.get()
	if len(got) != 3 {
		t.Fatalf("handler got %v", got)
	}
	for _, err := range got {
		if !errors.Is(err, errShort) {
			t.Fatalf("handler got %v", err)
		}
	}
	var ids []float64
	var broken int
	for e, err := range audit.Entries(bytes.NewReader(w.bytes())) {
		if err != nil {
			broken++
			continue
		}
		ids = append(ids, e.Values["id"].(float64))
	}
	if !slices.Equal(ids, []float64{0, 1, 2, 6}) || broken != 1 {
		t.Fatalf("whole lines of ids %v and %d broken: %q", ids, broken, w.bytes())
	}
}

// The handler runs outside the trail's lock: it may call Sync (here on a
// failing writer, from the migration's goroutine) without a deadlock.
func TestHandlerRunsOutsideTheLock(t *testing.T) {
	errDisk := errors.New("disk full")
	w := &failWriter{fail: func(n int) bool { return n == 1 }, err: errDisk}
	var tr *audit.Trail
	var syncErr error
	tr = audit.New(w, audit.WithErrorHandler(func(error) { syncErr = tr.Sync() }))
	m := newManager(t)
	m.AddHook(tr)
	done := make(chan error)
	go func() {
		_, err := m.Migrate(ctx, user(1), "User", "1.0.0", "2.0.0")
		done <- err
	}()
	select {
	case err := <-done:
		check(t, err)
	case <-time.After(30 * time.Second): // a hang guard, not a timing
		t.Fatal("the handler deadlocked on the trail's lock")
	}
	if syncErr != nil || tr.Dropped() != 1 {
		t.Fatalf("Sync in the handler: %v; Dropped %d", syncErr, tr.Dropped())
	}
}

// The line's duration is the one the engine measured (Event.Elapsed), not
// the time since Start: a hook called an hour after the start still
// writes the migration's own 5 ms.
func TestDurationIsTheEnginesElapsed(t *testing.T) {
	var buf bytes.Buffer
	tr := audit.New(&buf)
	e := core.Event{Model: "User", From: core.MustParseVersion("1.0.0"), To: core.MustParseVersion("2.0.0"),
		Start: time.Now().Add(-time.Hour), Elapsed: 5 * time.Millisecond}
	tr.AfterMigrate(tr.BeforeMigrate(ctx, e), e, core.Record{})
	_, entries := splitTrail(t, buf.Bytes())
	if len(entries) != 1 || entries[0].Duration() != 5*time.Millisecond {
		t.Fatalf("entries %+v, want one of 5ms", entries)
	}
}
