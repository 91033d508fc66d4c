package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

// lines splits JSON Lines output into decoded records.
func lines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		out = append(out, d)
	}
	return out
}

func TestMigrateMixedVersions(t *testing.T) {
	m := newManager(t)
	input := `{"schema_version":"1.0.0","name":"Ada Lovelace","address":{"city":"London"},"age":9007199254740993}
{"schema_version":"2.0.0","first":"日本","last":"🙂 \u2028","address":{"city":"<Paris> & co"}}
{"schema_version":"3.0.0","first":"A","last":"B","note":"n","address":{"city":"Rome","country":"IT"}}
`
	r := run(t, m, input, "migrate", "-m", "User", "--to", "latest")
	wantCode(t, r, 0)
	out := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(out) != 3 {
		t.Fatalf("%d lines:\n%s", len(out), r.stdout)
	}
	// Exact integers beyond 2^53, any Unicode, no HTML escaping, keys sorted.
	want0 := `{"address":{"city":"London","country":"unknown"},"age":9007199254740993,"first":"Ada","last":"Lovelace","note":"","schema_version":"3.0.0"}`
	if out[0] != want0 {
		t.Errorf("line 1:\n got %s\nwant %s", out[0], want0)
	}
	contains(t, "line 2", out[1], `"first":"日本"`, `"city":"<Paris> & co"`, `"schema_version":"3.0.0"`)
	if d := lines(t, out[1])[0]; d["last"] != "🙂 \u2028" { // U+2028 is written escaped, as encoding/json does
		t.Errorf("line 2: last = %q", d["last"])
	}
	contains(t, "line 3", out[2], `"note":"n"`, `"country":"IT"`)
	contains(t, "stderr", r.stderr, "read 3 records in ", ": 3 succeeded, 0 failed")

	// With --from, every record is of that version.
	r = run(t, m, `{"name":"A B","address":{"city":"x"}}`+"\n", "migrate", "-m", "User", "--from", "1.0.0", "--to", "2.0.0")
	wantCode(t, r, 0)
	if got := lines(t, r.stdout)[0]; got["first"] != "A" || got["schema_version"] != "2.0.0" {
		t.Fatalf("--from: %v", got)
	}
}

const withFailures = `{"schema_version":"1.0.0","name":"Ada Lovelace","address":{"city":"London"}}
{"schema_version":"1.0.0","name":"Plato","address":{"city":"Athens"}}
{"schema_version":"1.0.0","name":"Al Turing"
{"schema_version":"1.0.0","name":"Grace Hopper","address":{"city":"NYC"}}
`

func TestMigrateStopsAtTheFirstFailure(t *testing.T) {
	m := newManager(t)
	r := run(t, m, withFailures, "migrate", "-m", "User", "--to", "3.0.0")
	wantCode(t, r, cli.ExitFinding)
	if got := lines(t, r.stdout); len(got) != 1 || got[0]["first"] != "Ada" {
		t.Fatalf("wrote %v, want only the record before the failure", got)
	}
	contains(t, "stderr", r.stderr, "line 2: ", "the name has no space", "(error_type migration_function;", "1 of 2 records failed")
}

func TestMigrateContinueOnErrorWithRejects(t *testing.T) {
	m := newManager(t)
	dir := t.TempDir()
	rejects := filepath.Join(dir, "rejects.jsonl")
	for _, workers := range []string{"1", "3"} {
		os.Remove(rejects)
		r := run(t, m, withFailures, "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error", "--rejects", rejects, "--workers", workers)
		wantCode(t, r, cli.ExitFinding)
		got := lines(t, r.stdout)
		if len(got) != 2 || got[0]["first"] != "Ada" || got[1]["first"] != "Grace" {
			t.Fatalf("workers %s: wrote %v", workers, got)
		}
		raw, err := os.ReadFile(rejects)
		if err != nil {
			t.Fatal(err)
		}
		rej := lines(t, string(raw))
		if len(rej) != 2 {
			t.Fatalf("rejects:\n%s", raw)
		}
		if rej[0]["line"] != 2.0 || rej[0]["error_type"] != "migration_function" || rej[0]["record"].(map[string]any)["name"] != "Plato" {
			t.Errorf("reject 1: %v", rej[0])
		}
		if rej[1]["line"] != 3.0 || rej[1]["error_type"] != "decode" || rej[1]["record"] != `{"schema_version":"1.0.0","name":"Al Turing"` {
			t.Errorf("reject 2: %v", rej[1])
		}
		contains(t, "stderr", r.stderr, "read 4 records in ", "2 succeeded, 2 failed", "2 of 4 records failed")
	}
	// Without --rejects, rejects go to standard error.
	r := run(t, m, withFailures, "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error")
	contains(t, "stderr", r.stderr, `{"line":2,"error":`, `"error_type":"decode"`)
}

// Many records through 4 workers come out in input order.
func TestMigrateKeepsOrder(t *testing.T) {
	m := newManager(t)
	var in strings.Builder
	const n = 5000
	for i := range n {
		fmt.Fprintf(&in, `{"schema_version":"1.0.0","name":"N %d","address":{"city":"c"}}`+"\n", i)
	}
	r := run(t, m, in.String(), "migrate", "-m", "User", "--to", "3.0.0", "--workers", "4")
	wantCode(t, r, 0)
	got := lines(t, r.stdout)
	if len(got) != n {
		t.Fatalf("%d records", len(got))
	}
	for i, d := range got {
		if d["last"] != fmt.Sprint(i) {
			t.Fatalf("record %d is %v", i, d)
		}
	}
}

func TestMigrateOutputFileIsWholeOrAbsent(t *testing.T) {
	m := newManager(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	r := run(t, m, withFailures, "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error", "-o", out, "--rejects", filepath.Join(dir, "rej.jsonl"))
	wantCode(t, r, cli.ExitFinding)
	if b, _ := os.ReadFile(out); len(lines(t, string(b))) != 2 || r.stdout != "" {
		t.Fatalf("-o file:\n%s\nstdout: %q", b, r.stdout)
	}

	// An interrupted run leaves the previous file in place, and no
	// temporary file.
	if err := os.WriteFile(out, []byte("previous\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, `{"schema_version":"1.0.0","name":"A B","address":{"city":"c"}}`)
		cancel() // the interrupt, while the input is still open
		fmt.Fprintln(pw, `{"schema_version":"1.0.0","name":"C D","address":{"city":"c"}}`)
		pw.Close()
	}()
	r = runCtx(t, ctx, m, pr, "migrate", "-m", "User", "--to", "3.0.0", "-o", out)
	if r.code != cli.ExitUsage {
		t.Fatalf("an interrupted run: exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "previous\n" {
		t.Fatalf("the output file was changed by an interrupted run: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func TestMigrateAudit(t *testing.T) {
	m := newManager(t)
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	for range 2 { // appended
		r := run(t, m, withFailures, "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error", "--audit", trail, "--rejects", filepath.Join(t.TempDir(), "r"))
		wantCode(t, r, cli.ExitFinding)
	}
	f, err := os.Open(trail)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := audit.Read(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	// Per run: 2 users migrated (with their nested addresses: 2 more), 1
	// failed; the malformed line never reached the engine.
	if len(entries) != 2*5 {
		t.Fatalf("%d audit lines, want 10", len(entries))
	}
}

func TestMigrateFlags(t *testing.T) {
	m := newManager(t)
	for args, msg := range map[string]string{
		"migrate -m Nope --to 1.0.0":                       "not found",
		"migrate -m User --to 9.x":                         `--to: invalid version "9.x"`,
		"migrate -m User --from 1 --to 3.0.0":              "--from: invalid version",
		"migrate -m User --to 3.0.0 --rejects r":           "--rejects goes with --continue-on-error",
		"migrate -m User --to 3.0.0 missing-file.jsonl":    "cannot read the input",
		"migrate -m User --to 3.0.0 -o /nonexistent/dir/x": "cannot write the output",
		"migrate -m User --to 4.0.0":                       `--to 4.0.0: "User" has no version 4.0.0`,
		"migrate -m User --from 0.9.0 --to latest":         `--from 0.9.0: "User" has no version 0.9.0`,
		"migrate -m User --to latest --workers 0":          "--workers 0: want 1 to 1024",
		"migrate -m User --to latest --workers 5000000":    "--workers 5000000: want 1 to 1024",
		"validate -m Nope":                                 `model "Nope" not found`,
		"validate -m User --version 4.0.0":                 `--version 4.0.0: "User" has no version 4.0.0`,
	} {
		r := run(t, m, "", strings.Fields(args)...)
		if r.code != cli.ExitUsage || !strings.Contains(r.stderr, msg) {
			t.Errorf("%s: exit %d, stderr %q, want %q", args, r.code, r.stderr, msg)
		}
	}
}

// TestMigrateStopsEarlyOnLongInputs: a run that stops at a failure, at any
// position of an input many times longer than the pipeline's buffers,
// returns (it hung once the reader had filled the buffers).
func TestMigrateStopsEarlyOnLongInputs(t *testing.T) {
	m := newManager(t)
	const n = 20000 // about 40 chunks
	for _, failAt := range []int{1, 2, 511, 512, 513, 1500, 2000, 10000, n} {
		t.Run(fmt.Sprint(failAt), func(t *testing.T) {
			var b strings.Builder
			for i := 1; i <= n; i++ {
				name := "Ada Lovelace"
				if i == failAt {
					name = "Plato"
				}
				fmt.Fprintf(&b, `{"schema_version":"1.0.0","name":%q,"address":{"city":"x"}}`+"\n", name)
			}
			done := make(chan result, 1)
			go func() { done <- run(t, m, b.String(), "migrate", "-m", "User", "--to", "3.0.0", "--workers", "2") }()
			var r result
			select {
			case r = <-done:
			case <-time.After(time.Minute): // a hang, not a timing: a run takes milliseconds
				t.Fatalf("migrate did not return with a failure at line %d of %d", failAt, n)
			}
			wantCode(t, r, cli.ExitFinding)
			if got := strings.Count(r.stdout, "\n"); got != failAt-1 {
				t.Errorf("wrote %d records, want the %d before the failure", got, failAt-1)
			}
			contains(t, "stderr", r.stderr, fmt.Sprintf("line %d: ", failAt))
		})
	}
}

// An unknown version is a usage error at once, not a failure per record
// (the input is never read), and "latest" works wherever a version does.
func TestVersionFlagsAreCheckedFirst(t *testing.T) {
	m := newManager(t)
	r := run(t, m, strings.Repeat(oneRecord, 100), "migrate", "-m", "User", "--to", "4.0.0")
	wantCode(t, r, cli.ExitUsage)
	if strings.Contains(r.stderr, "records failed") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one usage line", r.stderr)
	}
	r = run(t, m, `{"name":"Ada Lovelace","address":{"city":"x"}}`+"\n", "migrate", "-m", "User", "--from", "latest", "--to", "latest")
	wantCode(t, r, cli.ExitFinding) // a 3.0.0 record needs first and last: the record is checked, not the flag
	r = run(t, m, `{"schema_version":"1.0.0","name":"A B","address":{"city":"x"}}`+"\n", "migrate", "-m", "User", "--from", "1.0.0", "--to", "latest")
	wantCode(t, r, cli.ExitOK)
	r = run(t, m, `{"first":"A","last":"B","address":{"city":"x","country":"y"}}`+"\n", "validate", "-m", "User", "--version", "latest")
	wantCode(t, r, cli.ExitOK)
}

// What a line that is not a record holds is said, once.
func TestDecodeMessages(t *testing.T) {
	m := newManager(t)
	for in, msg := range map[string]string{
		"[1,2,3]":               "line 1: not a JSON object: found an array",
		"null":                  "line 1: not a JSON object: found null",
		`"text"`:                "line 1: not a JSON object: found a string",
		"42":                    "line 1: not a JSON object: found a number",
		"{\"name\":\"A\xffB\"}": "line 1: not valid UTF-8 at byte 10",
		"x\n\ufeff{}":           "line 2: not a JSON object: found a byte-order mark",
	} {
		r := run(t, m, in+"\n", "validate", "-m", "User")
		if !strings.Contains(r.stderr, msg) || strings.Contains(r.stderr, "not a JSON object: not a JSON object") {
			t.Errorf("%q: stderr %q, want %q", in, r.stderr, msg)
		}
	}
	// A leading byte-order mark is accepted.
	r := run(t, m, "\ufeff"+`{"schema_version":"3.0.0","first":"A","last":"B","address":{"city":"x","country":"y"}}`+"\n", "validate", "-m", "User")
	wantCode(t, r, cli.ExitOK)
	// An integer field says why 1e400 is not one.
	r = run(t, m, `{"schema_version":"3.0.0","first":"A","last":"B","age":1e400,"address":{"city":"x","country":"y"}}`+"\n", "validate", "-m", "User")
	contains(t, "stderr", r.stderr, `field "age": want an integer, got a number with a fraction or an exponent`)
}

// A malformed first line of a large JSON Lines input is one invalid
// record: every line after it is checked.
func TestValidateMalformedFirstLine(t *testing.T) {
	m := newManager(t)
	var b strings.Builder
	b.WriteString(`{"schema_version":"3.0.0","first":"A"` + "\n")
	const n = 5000 // far more than the reader's 64 KiB
	for range n {
		b.WriteString(`{"schema_version":"3.0.0","first":"A","last":"B","address":{"city":"x","country":"y"}}` + "\n")
	}
	r := run(t, m, b.String(), "validate", "-m", "User")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "stderr", r.stderr, "line 1: not a JSON object", fmt.Sprintf("1 of %d records are invalid", n+1))
	// A pretty-printed object is still one record.
	r = run(t, m, "{\n  \"schema_version\": \"3.0.0\",\n  \"first\": \"A\", \"last\": \"B\",\n  \"address\": {\"city\": \"x\", \"country\": \"y\"}\n}\n", "validate", "-m", "User")
	wantCode(t, r, cli.ExitOK)
	contains(t, "stderr", r.stderr, "1 records are valid")
	r = run(t, m, "{\"schema_version\": \"3.0.0\",\n  \"first\": \"A\", \"last\": \"B\",\n  \"address\": {\"city\": \"x\", \"country\": \"y\"}}\n", "validate", "-m", "User")
	wantCode(t, r, cli.ExitOK)
}

// diff --format json leaves "<" and "&" as they are.
func TestDiffJSONIsNotHTMLEscaped(t *testing.T) {
	type tagsV1 struct {
		Tags []string `json:"tags"`
	}
	type tagsV2 struct {
		Tags []int64 `json:"tags"`
	}
	m := core.NewManager()
	if err := errors.Join(core.Register[tagsV1](m, "T", "1.0.0"), core.Register[tagsV2](m, "T", "2.0.0")); err != nil {
		t.Fatal(err)
	}
	r := run(t, m, "", "diff", "-m", "T", "--from", "1.0.0", "--to", "2.0.0", "--format", "json")
	wantCode(t, r, cli.ExitOK)
	if !strings.Contains(r.stdout, "<") || strings.Contains(r.stdout, `\u003c`) {
		t.Fatalf("want list<…> unescaped: %s", r.stdout)
	}
}
