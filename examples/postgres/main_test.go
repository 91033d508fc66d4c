package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The demo against its own server: two users read at 3.0.0, the request's
// trace from the client span down to the nested Address, the census
// before and after, and the user that cannot migrate rejected.
func TestDemo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, 60); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"stored 61 users",
		"versions before: 1.0.0×41 2.0.0×20 (unused: [3.0.0])",
		`GET /users/1 → 200 {"first_name":"Ada","last_name":"Lovelace 1"`,
		`GET /users/3 → 200 {"first_name":"Grace"`,
		"└─ HTTP GET",
		"└─ GET /users/{id}",
		"└─ migrate User",
		"split name",
		"migrate Address",
		"rejected user 61: migration failed for \"User\": 1.0.0 → 2.0.0: panic (error text withheld)",
		"backfill: migrated 58, failed 1",
		"versions after: 1.0.0×1 3.0.0×60 (unused: [2.0.0])",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
}
