package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The demo against its embedded server: every record migrated, none dead,
// and the first record's trace goes from its producer's span to the
// migration, its steps and the nested Address.
func TestDemo(t *testing.T) {
	t.Setenv("NATS_URL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, 300); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"published 300 User 1.0.0 records",
		"migrated 300, dead-lettered 0",
		"publish user",
		"└─ migrate User",
		"split name",
		"migrate Address",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "trace ") && (i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "publish user")) {
			t.Errorf("the trace's root is not the producer's span:\n%s", s)
		}
	}
}
