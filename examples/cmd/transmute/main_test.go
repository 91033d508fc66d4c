package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
	// The raw comparison calls 1.0.0 → 3.0.0 breaking; the registered
	// migration covers it. Nothing leads back down: that is breaking.
	want(t, run(t, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "3.0.0", "--fail-on-breaking"), 0, []string{"## Breaking changes", "## Migrations"}, nil)
	want(t, run(t, "", "diff", "-m", "User", "--from", "3.0.0", "--to", "1.0.0", "--fail-on-breaking"), 1, []string{"no_migration"}, []string{"no migration covers"})
	want(t, run(t, "", "migrate", "-m", "User"), 2, nil, []string{`transmute: required flag(s) "to" not set (see 'transmute --help')`})
	want(t, run(t, "", "migrate", "-m", "User", "--to", "3.0.0", filepath.Join(t.TempDir(), "none.jsonl")), 2, nil, []string{"cannot read the input"})
	want(t, run(t, "", "nope"), 2, nil, []string{`unknown command "nope"`})
	// The check finds the empty-name panic with generated records.
	want(t, run(t, "", "check", "--samples", "100"), 1, []string{"FAIL User 1.0.0 sample ", "panic: runtime error: index out of range"}, []string{"finding(s)"})
}

// An interrupt (SIGINT) or a kill (SIGKILL) mid-run leaves the output and
// the rejects as they were, whole: both are put in place together at the
// end of a run. SIGINT leaves no temporary file; a rerun replaces both,
// each failed record once. The test knows the run is under way from the
// audit trail, which it reads through a FIFO: no sleep.
func TestBinaryInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) { interrupted(t, sig) })
	}
}

const (
	goodUser = `{"schema_version":"1.0.0","name":"A B","email":"a@b.c","address":{"street":"s","city":"c"}}`
	badUser  = `{"name":"no version"}`
)

func interrupted(t *testing.T, sig syscall.Signal) {
	dir := t.TempDir()
	out, rej, trail := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "rejects.jsonl"), filepath.Join(dir, "audit")
	for _, p := range []string{out, rej} {
		if err := os.WriteFile(p, []byte("previous\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(trail, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "migrate", "-m", "User", "--to", "latest", "--continue-on-error", "-o", out, "--rejects", rej, "--audit", trail)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const audited = 1500 // three chunks: rejects and output have reached their temporary files
	ready := readLines(t, trail, audited)
	go func() { // more than the run will read before the signal; the input left open
		for i := range 4000 {
			if _, err := fmt.Fprintln(stdin, map[bool]string{true: badUser, false: goodUser}[i%3 == 0]); err != nil {
				return
			}
		}
	}()
	<-ready
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	stdin.Close()
	code := cmd.ProcessState.ExitCode()
	if (sig == syscall.SIGINT && code != 2) || (sig == syscall.SIGKILL && code != -1) {
		t.Fatalf("exit %d after %v\n%s", code, sig, errOut.String())
	}
	for _, p := range []string{out, rej} {
		if b, _ := os.ReadFile(p); string(b) != "previous\n" {
			t.Fatalf("%s was changed by a run stopped by %v: %d bytes", filepath.Base(p), sig, len(b))
		}
	}
	if sig == syscall.SIGINT {
		if entries, _ := os.ReadDir(dir); len(entries) != 3 {
			t.Fatalf("files left: %v", entries)
		}
	}
	// A rerun to the end replaces both files.
	var in strings.Builder
	for i := range 30 {
		fmt.Fprintln(&in, map[bool]string{true: badUser, false: goodUser}[i%3 == 0])
	}
	os.Remove(trail)
	r := run(t, in.String(), "migrate", "-m", "User", "--to", "latest", "--continue-on-error", "-o", out, "--rejects", rej)
	want(t, r, 1, nil, []string{"10 of 30 records failed"})
	b, _ := os.ReadFile(rej)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 10 || strings.Contains(string(b), "previous") {
		t.Fatalf("rejects after the rerun (%d lines):\n%s", len(lines), b)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("a torn rejects line: %q", l)
		}
	}
}

// readLines opens the FIFO at path for reading and drains it; the channel
// is closed once n lines have arrived.
func readLines(t *testing.T, path string, n int) <-chan struct{} {
	t.Helper()
	ready := make(chan struct{})
	go func() {
		f, err := os.Open(path)
		if err != nil {
			t.Errorf("the audit FIFO: %v", err)
			close(ready)
			return
		}
		defer f.Close()
		buf := make([]byte, 1<<16)
		seen := 0
		for {
			k, err := f.Read(buf)
			if seen < n {
				if seen += bytes.Count(buf[:k], []byte("\n")); seen >= n {
					close(ready)
				}
			}
			if err != nil {
				if seen < n { // the run ended before it was under way: the test would test nothing
					t.Errorf("the audit trail ended after %d lines, want %d first", seen, n)
					close(ready)
				}
				return
			}
		}
	}()
	return ready
}

// Telemetry never fails a run: with OTLP pointed at a collector that is
// not there (and an export timeout longer than the command's flush),
// migrate writes every record, exits 0 and warns that spans were lost.
func TestBinaryWithoutACollector(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cmd := exec.Command(bin, "migrate", "-m", "User", "--to", "latest")
	cmd.Stdin = strings.NewReader(goodUser + "\n")
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+addr, "OTEL_EXPORTER_OTLP_TIMEOUT=60000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"first_name":"A"`) || !strings.Contains(stderr.String(), "warning: OpenTelemetry: not every span was sent") {
		t.Fatalf("stdout %q\nstderr %q", stdout.String(), stderr.String())
	}
}
