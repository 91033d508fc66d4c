package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The demo: each client gets its user back at its version, an old client
// reads a user written by a new one, the changelog, the trace of one
// request in order (up, the handler, down) and the usage by version.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		`got  201 {"name":"Ada Lovelace","email":"ada@example.com","nickname":"","address":{"street":"12 St James's Sq","city":"London"}}`,
		`got  201 {"first_name":"Grace","last_name":"Hopper","email_address":"grace@example.com","nickname":"","address":{"street":"1 Navy Way","city":"Arlington"}}`,
		`a 2024-01-01 client reads Alan, written at 2025-01-01: 200 {"name":"Alan Turing","email":"alan@example.com","nickname":"","address":{"street":"Bletchley Park","city":"Milton Keynes"}}`,
		"### User 1.0.0 → 2.0.0\n\n- `name` is split into `first_name` and `last_name`",
		"  2024-06-01 POST /users/{id}   ok       1",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%s", want, s)
		}
	}
	trace := s[strings.Index(s, "POST /users/{id} "):]
	up, handler, down := strings.Index(trace, "migration.direction=up"), strings.Index(trace, "store user"), strings.Index(trace, "migration.direction=down")
	if up < 0 || handler < up || down < handler {
		t.Errorf("the trace is not up, handler, down:\n%s", trace)
	}
}
