package guide_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// failureLog is the hook under test: it writes a line per failed migration.
type failureLog struct {
	core.NopHook
	mu sync.Mutex // OnError is called concurrently
	w  io.Writer
}

func (h *failureLog) OnError(_ context.Context, e core.Event, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(h.w, "%s %s→%s %s\n", e.Model, e.From, e.To, core.ErrorType(err))
}

// testManager returns the User manager with a hook, and fails the test if
// a hook panics (the manager would recover it and go on).
func testManager(t *testing.T, h core.Hook) *core.Manager {
	t.Helper()
	m := newManagerWith(core.WithErrorHandler(func(err error) { t.Errorf("manager: %v", err) }))
	m.AddHook(h)
	return m
}

func TestFailureLog(t *testing.T) {
	var buf bytes.Buffer
	m := testManager(t, &failureLog{w: &buf})
	ctx := context.Background()

	if _, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(ctx, core.Data{"name": "Ada", "country": 7}, "User", "1.0.0", "3.0.0"); err == nil {
		t.Fatal("a country that is not a string migrated")
	}
	if got, want := buf.String(), "User 1.0.0→3.0.0 validation\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}

// Run with go test -race: the hook is called from many goroutines at once.
func TestFailureLogConcurrent(t *testing.T) {
	var buf bytes.Buffer
	m := testManager(t, &failureLog{w: &buf})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				d := core.Data{"name": fmt.Sprint("user ", g, i)}
				if i%2 == 1 {
					d["country"] = i // not a string: fails
				}
				_, _ = m.Migrate(context.Background(), d, "User", "1.0.0", "3.0.0")
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 8*25 {
		t.Fatalf("%d lines, want %d", len(lines), 8*25)
	}
	for _, l := range lines {
		if l != "User 1.0.0→3.0.0 validation" {
			t.Fatalf("line %q", l)
		}
	}
}
