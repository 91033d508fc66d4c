package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"net"
	"testing"
	"time"

	"github.com/transmute-go/transmute/examples/internal/otlptest"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// TestRunSendsTheTrace runs the program against an OTLP receiver, with
// the endpoint in each of the forms run accepts, and checks that every
// span arrived, under the service name, as one tree: import users →
// migrate User → migrate.step User.
func TestRunSendsTheTrace(t *testing.T) {
	for _, form := range []string{"flag host:port", "flag http://", "env"} {
		t.Run(form, func(t *testing.T) {
			r, addr := otlptest.Start(t)
			endpoint := addr
			switch form {
			case "flag http://":
				endpoint = "http://" + addr
			case "env":
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)
				endpoint = ""
			}
			if err := run(context.Background(), endpoint, "jaeger-test", 3); err != nil {
				t.Fatal(err)
			}

			spans, services := r.Snapshot()
			if len(spans) != 7 || services["jaeger-test"] != 7 {
				t.Fatalf("received %d spans (per service %v), want 7 under jaeger-test", len(spans), services)
			}
			byID := map[string]*tracepb.Span{}
			count := map[string]int{}
			for _, s := range spans {
				byID[hex.EncodeToString(s.GetSpanId())] = s
				count[s.GetName()]++
			}
			if count["import users"] != 1 || count["migrate User"] != 3 || count["migrate.step User"] != 3 {
				t.Fatalf("spans by name %v, want 1 import users, 3 migrate User, 3 migrate.step User", count)
			}
			parentName := func(s *tracepb.Span) string {
				if p := byID[hex.EncodeToString(s.GetParentSpanId())]; p != nil {
					return p.GetName()
				}
				return ""
			}
			for _, s := range spans {
				want := map[string]string{"import users": "", "migrate User": "import users", "migrate.step User": "migrate User"}[s.GetName()]
				if got := parentName(s); got != want {
					t.Errorf("span %s has parent %q, want %q", s.GetName(), got, want)
				}
				if !bytes.Equal(s.GetTraceId(), spans[0].GetTraceId()) {
					t.Errorf("span %s is in another trace", s.GetName())
				}
			}
		})
	}
}

// TestRunWithNoCollector runs the program against a port where nothing
// listens: the migrations all succeed, and run returns once it has given
// up sending the spans: within the 5s it allows for the last export (15s
// here, for a loaded machine), not after the exporter's own retries
// (a minute).
func TestRunWithNoCollector(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()

	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), closed, "jaeger-test", 50) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run with no collector = %v, want nil: export errors are only logged", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run with no collector did not return within 15s")
	}
	t.Logf("run with no collector returned after %v", time.Since(start).Round(time.Millisecond))
}
