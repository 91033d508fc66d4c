package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
)

// UserV1 is version 1.0.0 of the User model.
type UserV1 struct {
	Name     string `json:"name"`
	Password string `json:"password,omitempty"`
}

// UserV2 splits the name.
type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Password  string `json:"password,omitempty"`
}

func newUserManager() *core.Manager {
	m := core.NewManager()
	must(core.Register[UserV1](m, "User", "1.0.0"))
	must(core.Register[UserV2](m, "User", "2.0.0"))
	must(m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		name, ok := d["name"].(string)
		if !ok {
			return nil, errors.New("name is not a string")
		}
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	}))
	return m
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func Example() {
	var buf bytes.Buffer
	trail := audit.New(&buf)
	m := newUserManager()
	m.AddHook(trail)

	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": 42}, "User", "1.0.0", "2.0.0")
	must(trail.Close())

	entries, err := audit.Read(&buf)
	must(err)
	for _, e := range entries {
		switch e.Status {
		case audit.StatusSuccess:
			fmt.Println(e.Model, e.From, "→", e.To, e.Status, e.OriginalKeys, "→", e.MigratedKeys)
		case audit.StatusError:
			fmt.Println(e.Model, e.From, "→", e.To, e.Status, e.ErrorType, e.DataKeys)
			fmt.Println(e.ErrorMessage)
		}
	}
	// Output:
	// User 1.0.0 → 2.0.0 success [name] → [first_name last_name]
	// User 1.0.0 → 2.0.0 error migration_function [name]
	// migration failed for "User": 1.0.0 → 2.0.0: (error text withheld)
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "audit")
	must(err)
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "migrations.log")
	m := newUserManager()

	// Two runs of a program append to the same file.
	for _, name := range []string{"Ada Lovelace", "Alan Turing"} {
		trail, err := audit.Open(path)
		must(err)
		m.AddHook(trail)
		_, _ = m.Migrate(context.Background(), core.Data{"name": name}, "User", "1.0.0", "2.0.0")
		m.RemoveHook(trail)
		must(trail.Close())
	}

	f, err := os.Open(path)
	must(err)
	defer f.Close()
	fi, err := f.Stat()
	must(err)
	entries, err := audit.Read(f)
	must(err)
	fmt.Println(fi.Mode().Perm(), len(entries), "lines")
	// Output:
	// -rw------- 2 lines
}

func ExampleWithValues() {
	var buf bytes.Buffer
	trail := audit.New(&buf, audit.WithValues(func(key string, v any) any {
		if key == "password" {
			return "[REDACTED]"
		}
		return v
	}))
	m := newUserManager()
	m.AddHook(trail)
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace", "password": "s3cr3t"}, "User", "1.0.0", "2.0.0")
	must(trail.Close())

	entries, err := audit.Read(&buf)
	must(err)
	fmt.Println(entries[0].Values)
	fmt.Println(strings.Contains(buf.String(), "s3cr3t"))
	// Output:
	// map[first_name:Ada last_name:Lovelace password:[REDACTED]]
	// false
}

type spanKey struct{}

// span stands for the span context of a tracing library; with
// OpenTelemetry, use trace.SpanContextFromContext(ctx) instead.
type span struct{ traceID, spanID string }

func ExampleWithTraceIDs() {
	var buf bytes.Buffer
	trail := audit.New(&buf, audit.WithTraceIDs(func(ctx context.Context) (string, string, bool) {
		s, ok := ctx.Value(spanKey{}).(span)
		return s.traceID, s.spanID, ok
	}))
	m := newUserManager()
	m.AddHook(trail)

	ctx := context.WithValue(context.Background(), spanKey{}, span{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"})
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	must(trail.Close())

	entries, err := audit.Read(&buf)
	must(err)
	fmt.Println(entries[0].TraceID, entries[0].SpanID)
	// Output:
	// 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7
}

// brokenDisk fails every write.
type brokenDisk struct{}

var errDiskFull = errors.New("no space left on device")

func (brokenDisk) Write([]byte) (int, error) { return 0, errDiskFull }

func ExampleWithFailOnWriteError() {
	var reported []error
	trail := audit.New(brokenDisk{}, audit.WithFailOnWriteError(),
		audit.WithErrorHandler(func(err error) { reported = append(reported, err) }))
	m := newUserManager()
	m.AddHook(trail)

	_, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println(errors.Is(err, errDiskFull), core.ErrorType(err))
	// The success line and then the error line could not be written.
	fmt.Println(trail.Dropped(), len(reported))
	fmt.Println(reported[0])
	// Output:
	// true validation
	// 2 2
	// audit: write line of "User" 1.0.0 → 2.0.0 (success): no space left on device
}

func ExampleWithErrorHandler() {
	trail := audit.New(brokenDisk{}, audit.WithErrorHandler(func(err error) {
		fmt.Println("not audited:", err)
	}))
	m := newUserManager()
	m.AddHook(trail)

	// Without Strict, the migration succeeds all the same.
	out, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println(out["first_name"], err, trail.Dropped())
	// Output:
	// not audited: audit: write line of "User" 1.0.0 → 2.0.0 (success): no space left on device
	// Ada <nil> 1
}

func ExampleWithAsync() {
	var buf bytes.Buffer
	trail := audit.New(&buf, audit.WithAsync(), audit.WithQueueSize(1024))
	m := newUserManager()
	m.AddHook(trail)
	for _, name := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"} {
		_, _ = m.Migrate(context.Background(), core.Data{"name": name}, "User", "1.0.0", "2.0.0")
	}
	must(trail.Close()) // drains the queue

	entries, err := audit.Read(&buf)
	must(err)
	fmt.Println(len(entries), trail.Written(), trail.Dropped())
	// Output:
	// 3 3 0
}

func ExampleEntries() {
	trail := strings.NewReader(`{"timestamp":"2026-01-02T03:04:05Z","model":"User","from_version":"1.0.0","to_version":"2.0.0","status":"success","original_keys":["name"],"migrated_keys":["first_name","last_name"],"duration_ms":0.25}
{"timestamp":"2026-01-02T03:04:06Z","model":"User","from_vers`)
	for e, err := range audit.Entries(trail) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(e.Timestamp.Format("15:04:05"), e.Model, e.Status, e.Duration())
	}
	// Output:
	// 03:04:05 User success 250µs
	// audit: line 2: unexpected end of JSON input
}
