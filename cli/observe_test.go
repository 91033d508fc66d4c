package cli_test

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/otelhook"
)

const oneRecord = `{"schema_version":"1.0.0","name":"Ada Lovelace","address":{"city":"London"}}` + "\n"

// The embedded command sets no process-wide state: with the OTLP
// variables set, a run leaves the global TracerProvider and the GC target
// as they were (only cli.Main may change them).
func TestRunSetsNoGlobals(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("GOGC", "")
	before := otel.GetTracerProvider()
	gc := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gc)
	r := run(t, newManager(t), oneRecord, "migrate", "-m", "User", "--to", "latest")
	wantCode(t, r, cli.ExitOK)
	if otel.GetTracerProvider() != before {
		t.Fatal("the run set the global TracerProvider")
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Fatalf("the run left the GC target at %d", now)
	}
}

// WithTracerProvider traces the run: a root span of the command's own
// scope, the migrations' spans of otelhook's under it.
func TestWithTracerProvider(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), newManager(t), []string{"migrate", "-m", "User", "--to", "latest"},
		cli.WithIO(strings.NewReader(oneRecord), &out, &errOut), cli.WithTracerProvider(tp))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	scopes := map[string]string{}
	var root sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		scopes[s.Name()] = s.InstrumentationScope().Name
		if s.Name() == "transmute migrate" {
			root = s
		}
	}
	if root == nil || scopes["transmute migrate"] != cli.ScopeName || scopes["migrate User"] != otelhook.ScopeName {
		t.Fatalf("spans and their scopes: %v", scopes)
	}
	for _, s := range sr.Ended() {
		if s.SpanContext().TraceID() != root.SpanContext().TraceID() {
			t.Errorf("span %s is not in the run's trace", s.Name())
		}
	}
}

// Added to a cobra program of the user's, the command uses the streams
// the parent was given (cmd.SetIn, SetOut, SetErr).
func TestEmbeddedCommandUsesCobrasStreams(t *testing.T) {
	parent := &cobra.Command{Use: "app", SilenceErrors: true, SilenceUsage: true}
	parent.AddCommand(cli.Command(newManager(t)))
	var out, errOut bytes.Buffer
	parent.SetIn(strings.NewReader(oneRecord))
	parent.SetOut(&out)
	parent.SetErr(&errOut)
	parent.SetArgs([]string{"transmute", "migrate", "-m", "User", "--to", "latest"})
	if err := parent.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"first":"Ada"`) || !strings.Contains(errOut.String(), "1 succeeded") {
		t.Fatalf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	// And a failure's details go to the parent's error stream too.
	out.Reset()
	errOut.Reset()
	parent.SetIn(strings.NewReader(`{"schema_version":"1.0.0","name":"Plato","address":{"city":"x"}}` + "\n"))
	if err := parent.Execute(); err == nil || cli.ExitCode(err) != cli.ExitFinding {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(errOut.String(), "line 1: ") {
		t.Fatalf("stderr %q", errOut.String())
	}
}
