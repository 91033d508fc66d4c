package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"testing"
)

// TestMainOutput runs the README's program and checks what it prints: the
// logger hook's line for the migration, then the migrated record.
func TestMainOutput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() { os.Stdout = stdout }()
		main()
	}()
	w.Close()
	out := <-done

	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("main printed %d lines, want 2:\n%s", len(lines), out)
	}
	logLine := regexp.MustCompile(`^time=\S+ level=INFO msg="migration completed" model=User from_version=1\.0\.0 to_version=2\.0\.0 steps=1 duration=\S+$`)
	if !logLine.Match(lines[0]) {
		t.Errorf("first line is not the logger hook's record of the migration:\n%s", lines[0])
	}
	if got, want := string(lines[1]), `{"schema_version":"2.0.0","first_name":"Ada","last_name":"Lovelace"} <nil>`; got != want {
		t.Errorf("second line = %q, want %q", got, want)
	}
}
