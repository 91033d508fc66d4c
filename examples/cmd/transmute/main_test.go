package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is the command, built once by TestMain as a user builds it.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "transmute-bin")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "transmute")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the built command with stdin.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errOut.String()}
}

func want(t *testing.T, r result, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// usersFile writes the records of the docs: mixed versions, one record
// the migration function panics on (an empty name: the quickstart's bug
// kept on purpose), one line that is not JSON.
func usersFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.jsonl")
	if err := os.WriteFile(p, []byte(usersJSONL), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const usersJSONL = `{"schema_version":"1.0.0","name":"Ada Lovelace","email":"ada@example.com","address":{"street":"12 St James's Square","city":"London"}}
{"schema_version":"2.0.0","first_name":"Alan","last_name":"Turing","email":"alan@example.com","address":{"street":"Bletchley Park","city":"Milton Keynes"}}
{"schema_version":"1.0.0","name":"","email":"nobody@example.com","address":{"street":"?","city":"?"}}
{"schema_version":"1.0.0","name":"Grace Hopper","email":"grace@example.com"
`

func TestBinaryMigratesAFile(t *testing.T) {
	in := usersFile(t)
	out := filepath.Join(t.TempDir(), "users_v3.jsonl")
	rejects := filepath.Join(t.TempDir(), "rejects.jsonl")
	r := run(t, "", "migrate", "-m", "User", "--to", "latest", "--continue-on-error", "--rejects", rejects, "-o", out, in)
	want(t, r, 1, nil, []string{"read 4 records in ", "2 succeeded, 2 failed", "2 of 4 records failed"})
	got, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"first_name":"Ada"`) || !strings.Contains(lines[1], `"first_name":"Alan"`) ||
		!strings.Contains(lines[0], `"schema_version":"3.0.0"`) || !strings.Contains(lines[1], `"country":"unknown"`) {
		t.Fatalf("output:\n%s", got)
	}
	rej, _ := os.ReadFile(rejects)
	var r1, r2 map[string]any
	parts := strings.Split(strings.TrimSpace(string(rej)), "\n")
	if len(parts) != 2 || json.Unmarshal([]byte(parts[0]), &r1) != nil || json.Unmarshal([]byte(parts[1]), &r2) != nil {
		t.Fatalf("rejects:\n%s", rej)
	}
	if r1["line"] != 3.0 || r1["error_type"] != "panic" || r2["line"] != 4.0 || r2["error_type"] != "decode" {
		t.Fatalf("rejects: %v / %v", r1, r2)
	}
}

func TestBinaryExitCodes(t *testing.T) {
	in := usersFile(t)
	want(t, run(t, "", "models"), 0, []string{"version key: schema_version", "User"}, nil)
	want(t, run(t, "", "validate", "-m", "User", in), 1, nil, []string{"line 4: not a JSON object: unexpected end of JSON input", "1 of 4 records are invalid"})
	want(t, run(t, "", "migrate", "-m", "User", "--to", "latest", in), 1, []string{`"first_name":"Ada"`}, []string{"line 3: ", "panic"})
	want(t, run(t, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "3.0.0", "--fail-on-breaking"), 1, []string{"## Breaking changes"}, nil)
	want(t, run(t, "", "migrate", "-m", "User"), 2, nil, []string{`transmute: required flag(s) "to" not set (see 'transmute --help')`})
	want(t, run(t, "", "migrate", "-m", "User", "--to", "3.0.0", filepath.Join(t.TempDir(), "none.jsonl")), 2, nil, []string{"cannot read the input"})
	want(t, run(t, "", "nope"), 2, nil, []string{`unknown command "nope"`})
	// The check finds the empty-name panic with generated records.
	want(t, run(t, "", "check", "--samples", "100"), 1, []string{"FAIL User 1.0.0 sample ", "panic: runtime error: index out of range"}, []string{"finding(s)"})
}

// An interrupt stops a run cleanly: the previous output file is in place,
// whole, and no temporary file is left.
func TestBinaryInterrupted(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	if err := os.WriteFile(out, []byte("previous\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "migrate", "-m", "User", "--to", "latest", "-o", out)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for range 2000 { // more than a chunk, the input left open
		fmt.Fprintln(stdin, `{"schema_version":"1.0.0","name":"A B","email":"a@b.c","address":{"street":"s","city":"c"}}`)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	stdin.Close()
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("exit %d (%v), want 2\n%s", code, err, errOut.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "previous\n" {
		t.Fatalf("the output was changed by an interrupted run: %d bytes", len(b))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left: %v", entries)
	}
}
