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
		`got  201 {"address":{"city":"London","street":"12 St James's Sq"},"email":"ada@example.com","name":"Ada Lovelace","nickname":""}`,
		`got  201 {"address":{"city":"Arlington","street":"1 Navy Way"},"email_address":"grace@example.com","first_name":"Grace","last_name":"Hopper","nickname":""}`,
		`a 2024-01-01 client reads Alan, written at 2025-01-01: 200 {"address":{"city":"Milton Keynes","street":"Bletchley Park"},"email":"alan@example.com","name":"Alan Turing","nickname":""}`,
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
