//go:build integration

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/transmute-go/transmute/otelhook"
)

// buildProgram builds one of the example programs, as `go build` does for
// a user, into a test directory.
func buildProgram(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(name))
	cmd := exec.Command("go", "build", "-o", bin, "github.com/transmute-go/transmute/examples/"+name)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", name, err, out)
	}
	return bin
}

// runProgram runs a built example (bounded to a minute) with extra
// environment variables, and returns its standard output.
func runProgram(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(bin), args, err, out, stderr)
	}
	return string(out)
}

// traceIDIn finds the trace id a program printed.
func traceIDIn(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`trace ([0-9a-f]{32})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no trace id in the output:\n%s", out)
	}
	return m[1]
}

// The jaeger example, the program a user copies: its trace in Jaeger is
// the program's span with one migration (and its step) per record.
func TestJaegerExampleInJaeger(t *testing.T) {
	const n = 5
	service := serviceName("jaeger-example")
	out := runProgram(t, buildProgram(t, "jaeger"), []string{"OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_SERVICE_NAME="},
		"-endpoint", env(t, "JAEGER_OTLP_GRPC"), "-service", service, "-n", "5")
	id := traceIDIn(t, out)

	traces := waitTraces(t, service, nil, 20*time.Second, func(tr []jaegerTrace) bool {
		got, ok := traceByID(tr, id)
		return ok && len(got.Spans) >= 1+2*n
	})
	tr, _ := traceByID(traces, id)
	if len(tr.Spans) != 1+2*n {
		t.Fatalf("%d spans, want %d:\n%s", len(tr.Spans), 1+2*n, describe([]jaegerTrace{tr}))
	}
	root := one(t, tr, "import users")
	if root.parent() != "" {
		t.Errorf("import users has a parent %s", root.parent())
	}
	migs := all(tr, "migrate User")
	if len(migs) != n {
		t.Fatalf("%d migrate User spans, want %d", len(migs), n)
	}
	for _, mig := range migs {
		if mig.parent() != root.SpanID {
			t.Errorf("migrate User %s is not under import users", mig.SpanID)
		}
		checkTags(t, "migrate User", mig, map[string]string{
			"span.kind": "internal", "migration.model": "User", "migration.version.from": "1.0.0",
			"migration.version.to": "2.0.0", "migration.steps": "1", "migration.direction": "up"})
		steps := children(tr, mig.SpanID)
		if len(steps) != 1 || steps[0].OperationName != "migrate.step User" {
			t.Errorf("migrate User %s has children %v, want one migrate.step User", mig.SpanID, steps)
		}
	}
}

// The quickstart (`make demo`) with OTEL_EXPORTER_OTLP_ENDPOINT set: its
// one trace in Jaeger is the batch, each record's migration under it, the
// steps under each migration and the nested Address under the auto step;
// the broken records' migrations are errors with an error.type.
func TestQuickstartInJaeger(t *testing.T) {
	const n, failed = 200, 8 // -bad-every 25 breaks 8 of 200
	service := serviceName("quickstart")
	dir := t.TempDir()
	out := runProgram(t, buildProgram(t, "quickstart"),
		[]string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + env(t, "JAEGER_OTLP_GRPC"), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=", "OTEL_SERVICE_NAME=" + service},
		"-n", "200", "-bad-every", "25", "-audit", filepath.Join(dir, "audit.jsonl"), "-log", filepath.Join(dir, "migrations.log"))
	id := traceIDIn(t, out)

	traces := waitTraces(t, service, nil, 30*time.Second, func(tr []jaegerTrace) bool {
		got, ok := traceByID(tr, id)
		return ok && spanCount([]jaegerTrace{got}, "migrate User") == n && spanCount([]jaegerTrace{got}, "migrate.batch User") == 1
	})
	tr, _ := traceByID(traces, id)

	root := one(t, tr, "quickstart")
	batch := one(t, tr, "migrate.batch User")
	if root.parent() != "" || batch.parent() != root.SpanID {
		t.Errorf("the batch's parent is %q, want the quickstart span %s (itself a root, parent %q)", batch.parent(), root.SpanID, root.parent())
	}
	checkTags(t, "migrate.batch User", batch, map[string]string{
		"migration.batch.size": "200", "migration.batch.failed": "8", "migration.batch.succeeded": "192",
		"migration.version.from": "1.0.0", "migration.version.to": "3.0.0"})

	errTypes := map[string]int{}
	userSpans := 0 // spans of the program's migration function
	for _, mig := range all(tr, "migrate User") {
		if mig.parent() != batch.SpanID {
			t.Errorf("migrate User %s is not under the batch span", mig.SpanID)
		}
		if mig.tagOr("otel.status_code") == "ERROR" {
			errTypes[mig.tagOr("error.type")]++
		}
		for _, step := range children(tr, mig.SpanID) {
			if step.OperationName != "migrate.step User" {
				t.Errorf("migrate User %s has a child %s", mig.SpanID, step.OperationName)
			}
			nested := children(tr, step.SpanID)
			if step.tagOr("migration.step.auto") != "true" {
				// The migration function runs under its step's span: the
				// spans it starts (the program's own) nest there.
				for _, c := range nested {
					if c.tagOr("otel.scope.name") == otelhook.ScopeName {
						t.Errorf("the function step %s has a child %s from otelhook", step.SpanID, c.OperationName)
					} else {
						userSpans++
					}
				}
				continue
			}
			// The auto step migrates the nested Address.
			if len(nested) != 1 || nested[0].OperationName != "migrate Address" {
				t.Errorf("the auto step %s has children %v, want one migrate Address", step.SpanID, nested)
				continue
			}
			checkTags(t, "migrate Address", nested[0], map[string]string{"migration.model": "Address", "migration.steps": "1"})
		}
	}
	total := 0
	for typ, c := range errTypes {
		total += c
		if typ == "" {
			t.Errorf("%d failed migrate User spans have no error.type", c)
		}
	}
	if userSpans == 0 {
		t.Error("no span of the migration function nests under a function step")
	}
	if total != failed {
		t.Errorf("%d failed migrate User spans (%v), want %d", total, errTypes, failed)
	}
}

// children returns the spans of tr whose parent is id.
func children(tr jaegerTrace, id string) []jaegerSpan {
	var out []jaegerSpan
	for _, s := range tr.Spans {
		if s.parent() == id {
			out = append(out, s)
		}
	}
	return out
}
