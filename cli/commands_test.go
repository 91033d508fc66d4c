package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

func TestModels(t *testing.T) {
	m := newManager(t)
	r := run(t, m, "", "models")
	wantCode(t, r, 0)
	contains(t, "models", r.stdout,
		"version key: schema_version",
		"User\n  versions:   1.0.0, 2.0.0, 3.0.0 (latest 3.0.0)\n  migrations: 1.0.0 → 2.0.0 (function)\n              2.0.0 → 3.0.0 (auto)",
		"Address\n  versions:   1.0.0, 2.0.0 (latest 2.0.0)")
	r = run(t, m, "", "models", "--json")
	wantCode(t, r, 0)
	var got struct {
		VersionKey string `json:"version_key"`
		Models     []struct {
			Name       string `json:"name"`
			Latest     string `json:"latest"`
			Migrations []struct {
				From, To string
				Auto     bool
			} `json:"migrations"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.VersionKey != "schema_version" || len(got.Models) != 2 || got.Models[1].Latest != "3.0.0" || !got.Models[1].Migrations[1].Auto {
		t.Fatalf("models --json: %+v", got)
	}
}

func TestValidate(t *testing.T) {
	m := newManager(t)
	input := `{"schema_version":"1.0.0","name":"Ada Lovelace","address":{"city":"London"}}
{"schema_version":"3.0.0","first":"A","last":"B","address":{"city":"Paris","country":"FR"}}

{"schema_version":"1.0.0","name":5,"address":{"city":"x"}}
{"name":"no version","address":{"city":"x"}}
not json
`
	r := run(t, m, input, "validate", "-m", "User")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "stderr", r.stderr,
		`line 4: validation failed for "User" 1.0.0: field "name"`,
		`line 5: no version: the record has no "schema_version" field`,
		"line 6: not a JSON object",
		"3 of 5 records are invalid")
	if strings.Contains(r.stderr, "line 1:") || strings.Contains(r.stderr, "line 2:") {
		t.Errorf("a valid record was reported:\n%s", r.stderr)
	}

	// One pretty-printed object, from a file, against an explicit version.
	file := filepath.Join(t.TempDir(), "user.json")
	if err := os.WriteFile(file, []byte("{\n  \"name\": \"Ada\",\n  \"address\": {\"city\": \"London\"}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, m, "", "validate", "-m", "User", "--version", "1.0.0", file)
	wantCode(t, r, 0)
	contains(t, "stderr", r.stderr, "1 records are valid")

	r = run(t, m, "", "validate", "-m", "User", "--version", "1.x")
	wantCode(t, r, cli.ExitUsage)
	r = run(t, m, "", "validate", "-m", "User", filepath.Join(t.TempDir(), "missing.jsonl"))
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, "cannot read the input")
	r = run(t, m, "", "validate")
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, `required flag(s) "model" not set (see 'transmute --help')`)
}

func TestDiff(t *testing.T) {
	m := newManager(t)
	r := run(t, m, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "3.0.0")
	wantCode(t, r, 0)
	contains(t, "diff", r.stdout, "# User: 1.0.0 → 3.0.0", "## Breaking changes", "Removed fields 'name'",
		"## Migrations", "**warning** 1.0.0 → 2.0.0 `/name` field_removed")
	// The raw comparison calls 1.0.0 → 3.0.0 breaking, but the registered
	// migration covers it: --fail-on-breaking passes.
	r = run(t, m, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "3.0.0", "--format", "json", "--fail-on-breaking")
	wantCode(t, r, 0)
	var d map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || len(d["breaking"].([]any)) == 0 {
		t.Fatalf("diff --format json: %v\n%s", err, r.stdout)
	}
	r = run(t, m, "", "diff", "-m", "Address", "--from", "1.0.0", "--to", "2.0.0", "--fail-on-breaking")
	wantCode(t, r, 0)
	contains(t, "diff", r.stdout, "Every change is covered by a migration, an auto step or a default.")

	// A required field an auto step cannot fill fails it.
	type thingV1 struct {
		A string `json:"a"`
	}
	type thingV2 struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	if err := errors.Join(core.Register[thingV1](m, "Thing", "1.0.0"), core.Register[thingV2](m, "Thing", "2.0.0", core.WithBackwardCompatible())); err != nil {
		t.Fatal(err)
	}
	r = run(t, m, "", "diff", "-m", "Thing", "--from", "1.0.0", "--to", "2.0.0", "--fail-on-breaking")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "diff", r.stdout, "**error** 1.0.0 → 2.0.0 `/b` required_added")
	contains(t, "stderr", r.stderr, "Thing 1.0.0 → 2.0.0: 1 change(s) no migration covers")

	r = run(t, m, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "9.0.0")
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, "not found", "see 'transmute models'")
	r = run(t, m, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "2.0.0", "--format", "yaml")
	wantCode(t, r, cli.ExitUsage)
}

func TestExportAndGraph(t *testing.T) {
	m := newManager(t)
	dir := filepath.Join(t.TempDir(), "schemas")
	r := run(t, m, "", "export", "--format", "zod", "--out", dir, "-m", "Address")
	wantCode(t, r, 0)
	if lines := strings.Fields(r.stdout); len(lines) != 2 || !strings.HasSuffix(lines[1], "Address_v2_0_0.zod.ts") {
		t.Fatalf("export printed %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "Address_v1_0_0.zod.ts")); err != nil {
		t.Fatal(err)
	}
	r = run(t, m, "", "export", "--format", "xml", "--out", dir)
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, "json, avro, proto, typescript, zod")

	r = run(t, m, "", "graph", "-m", "User")
	wantCode(t, r, 0)
	contains(t, "graph", r.stdout, "flowchart LR", "User_v2_0_0 -. auto .-> User_v3_0_0")
	r = run(t, m, "", "graph", "--format", "dot")
	wantCode(t, r, 0)
	contains(t, "graph", r.stdout, `"cluster_Address"`, `"User 1.0.0" -> "User 2.0.0";`)
	r = run(t, m, "", "graph", "-m", "Nope")
	wantCode(t, r, cli.ExitUsage)
}

func TestUsageErrors(t *testing.T) {
	m := newManager(t)
	for _, args := range [][]string{{"nope"}, {"models", "--nope"}, {"models", "extra"}, {"migrate", "-m", "User", "--to", "3.0.0", "--workers", "0"}} {
		r := run(t, m, "", args...)
		if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "transmute: ") {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// codeError is an error that says its exit code, as a subcommand's may.
type codeError struct{ code int }

func (e codeError) Error() string { return "code " + strings.Repeat("!", e.code) }
func (e codeError) ExitCode() int { return e.code }

// TestWithCommands: a subcommand added with WithCommands runs with the
// command's streams, its error's own exit code is kept, a flag error is a
// usage error, and one named as a command of the package replaces it.
func TestWithCommands(t *testing.T) {
	m := newManager(t)
	var stdout, stderr strings.Builder
	extra := &cobra.Command{Use: "extra", RunE: func(cmd *cobra.Command, args []string) error {
		cmd.Println("extra ran")
		if len(args) > 0 {
			return fmt.Errorf("wrapped: %w", codeError{3})
		}
		return nil
	}}
	versions := &cobra.Command{Use: "versions", RunE: func(cmd *cobra.Command, args []string) error {
		cmd.Println("mine")
		return nil
	}}
	opts := []cli.Option{cli.WithIO(nil, &stdout, &stderr), cli.WithCommands(nil, extra, versions)}
	if code := cli.Run(context.Background(), m, []string{"extra"}, opts...); code != 0 || !strings.Contains(stdout.String(), "extra ran") {
		t.Fatalf("extra: code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if code := cli.Run(context.Background(), m, []string{"extra", "fail"}, opts...); code != 3 || !strings.Contains(stderr.String(), "wrapped: code !!!") {
		t.Fatalf("extra fail: code %d, stderr %q", code, stderr.String())
	}
	if code := cli.Run(context.Background(), m, []string{"extra", "--nope"}, opts...); code != cli.ExitUsage {
		t.Fatalf("a bad flag: code %d", code)
	}
	stdout.Reset()
	if code := cli.Run(context.Background(), m, []string{"versions"}, opts...); code != 0 || stdout.String() != "mine\n" {
		t.Fatalf("versions: code %d, stdout %q", code, stdout.String())
	}
}
