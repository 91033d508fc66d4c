package cli_test

import (
	"net"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/transmute-go/transmute/cli"
)

// Telemetry never fails a run: with OTLP pointed at a collector that is
// not there (and an export timeout longer than the command's flush), migrate
// writes every record, exits 0 and warns that spans were lost; the global
// TracerProvider is put back.
func TestMigrateWithoutACollector(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "60000") // longer than the flush: the shutdown times out
	before := otel.GetTracerProvider()
	m := newManager(t)
	r := run(t, m, `{"schema_version":"1.0.0","name":"Ada Lovelace","address":{"city":"London"}}`+"\n", "migrate", "-m", "User", "--to", "latest")
	wantCode(t, r, cli.ExitOK)
	if !strings.Contains(r.stdout, `"first":"Ada"`) {
		t.Fatalf("stdout %q", r.stdout)
	}
	contains(t, "stderr", r.stderr, "warning: OpenTelemetry: not every span was sent")
	if otel.GetTracerProvider() != before {
		t.Fatal("the global TracerProvider was not put back")
	}
}
