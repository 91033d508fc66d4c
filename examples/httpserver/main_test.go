package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The self-test is what `go run ./httpserver` does: it must end by itself
// with every call answered as documented and the traces printed.
func TestSelfTest(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, "127.0.0.1:0", false); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"← 200 OK X-Migrations=2 X-Migration-Steps=3 ",
		"← 200 OK X-Migrations=1 X-Migration-Steps=2 ",
		`← 400 Bad Request X-Migrations= X-Migration-Steps= {"error":"unexpected EOF","error_type":"invalid_json","request_id":"self-test-3"}`,
		"← 404 Not Found X-Migrations=1 X-Migration-Steps=0 ",
		"← 422 Unprocessable Entity X-Migrations=1 X-Migration-Steps=1 ",
		"← 500 Internal Server Error X-Migrations=1 X-Migration-Steps=1 ",
		`"address":{"city":"London","country":"unknown","postal_code":"SW1Y 4JH"`,
		"request_id=self-test-1 user_id=ada",
		"\n6 traces ",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The first trace: client span, request span, then the migrations,
	// each line deeper than the one before.
	i := strings.Index(s, "\n6 traces ")
	if i < 0 {
		t.Fatalf("no traces in the output:\n%s", s)
	}
	lines := strings.Split(strings.TrimSpace(s[i:]), "\n")
	spanLine := regexp.MustCompile(`^([ │├└─]*)(HTTP POST|POST /migrate|migrate\.step User|migrate User|migrate\.step Address|migrate Address)  `)
	var names []string
	lastIndent := -1
	for _, l := range lines[2:] {
		if l == "" {
			break // the end of the first trace
		}
		m := spanLine.FindStringSubmatch(l)
		if m == nil {
			continue // a continuation line: more attributes, a message
		}
		indent := len([]rune(m[1]))
		if m[2] == "migrate.step User" && len(names) > 0 && names[len(names)-1] == "migrate.step User" {
			continue // the second step is a sibling of the first
		}
		if indent <= lastIndent {
			t.Errorf("%q is not nested under the span line before it", l)
		}
		lastIndent = indent
		names = append(names, m[2])
	}
	want := []string{"HTTP POST", "POST /migrate", "migrate User", "migrate.step User", "migrate Address", "migrate.step Address"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("first trace = %q, want %q\n%s", names, want, s[i:])
	}
	if t.Failed() {
		t.Log(s)
	}
}

// lockedBuffer lets the test read what run writes from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// With -serve it serves until its ctx is cancelled, then shuts down
// gracefully and returns no error.
func TestServeUntilCancelled(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, out, "127.0.0.1:0", true) }()

	var base string
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(5 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", out.String())
		}
	}
	resp, err := http.Post(base+"/migrate?model=User&from=1.0.0&to=2.0.0", "application/json", strings.NewReader(`{"name":"Ada Lovelace"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its ctx was cancelled")
	}
	if _, err := http.Post(base+"/migrate?model=User&from=1.0.0&to=2.0.0", "application/json", strings.NewReader(`{}`)); err == nil {
		t.Error("the server still answers after the shutdown")
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("output:\n%s", out.String())
	}
}
