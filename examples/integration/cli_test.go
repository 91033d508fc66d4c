//go:build integration

package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The transmute command (examples/cmd/transmute) traces a migrate run over
// OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set: in Jaeger, one trace with
// the run's root span, the batch spans of its chunks under it, a migrate
// span per record under those, and the migration function's own span
// under its step (the command sets the global TracerProvider).
func TestCommandMigrateInJaeger(t *testing.T) {
	const n = 600 // two chunks of the pipeline: 512 + 88
	service := serviceName("cli")
	dir := t.TempDir()
	in := filepath.Join(dir, "users.jsonl")
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"schema_version":"1.0.0","name":"User %d","email":"u%d@example.com","address":{"street":"s","city":"c"}}`+"\n", i, i)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	cmd := exec.Command(buildProgram(t, "cmd/transmute"), "migrate", "-m", "User", "--to", "latest", "--workers", "2", "-o", out, in)
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+env(t, "JAEGER_OTLP_GRPC"), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=",
		"OTEL_SERVICE_NAME="+service, "OTEL_TRACES_SAMPLER=always_on")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("transmute migrate: %v\n%s", err, msg)
	}
	if got, _ := os.ReadFile(out); strings.Count(string(got), "\n") != n {
		t.Fatalf("the output has %d lines, want %d", strings.Count(string(got), "\n"), n)
	}

	traces := waitTraces(t, service, nil, 30*time.Second, func(tr []jaegerTrace) bool {
		return spanCount(tr, "migrate User") == n && spanCount(tr, "transmute migrate") == 1
	})
	if len(traces) != 1 {
		t.Fatalf("%d traces, want the run's one:\n%s", len(traces), describe(traces))
	}
	tr := traces[0]
	root := one(t, tr, "transmute migrate")
	if root.parent() != "" {
		t.Errorf("the run's span has a parent %s", root.parent())
	}
	batches := all(tr, "migrate.batch User")
	if len(batches) != 2 {
		t.Fatalf("%d batch spans, want 2 (one per chunk)", len(batches))
	}
	sizes := 0
	for _, bs := range batches {
		if bs.parent() != root.SpanID {
			t.Errorf("batch span %s is not under the run's span", bs.SpanID)
		}
		var size int
		fmt.Sscan(bs.tagOr("migration.batch.size"), &size)
		sizes += size
	}
	if sizes != n {
		t.Errorf("the batches hold %d records, want %d", sizes, n)
	}
	fnSpans := 0
	for _, mig := range all(tr, "migrate User") {
		underBatch := false
		for _, bs := range batches {
			underBatch = underBatch || mig.parent() == bs.SpanID
		}
		if !underBatch {
			t.Errorf("migrate User %s is not under a batch span", mig.SpanID)
		}
		for _, step := range children(tr, mig.SpanID) {
			for _, c := range children(tr, step.SpanID) {
				if c.OperationName == "split name" {
					fnSpans++
				}
			}
		}
	}
	if fnSpans != n {
		t.Errorf("%d spans of the migration function under their steps, want %d", fnSpans, n)
	}
}
