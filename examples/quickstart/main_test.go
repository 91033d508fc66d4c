package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/examples/internal/otlptest"
)

// testConfig is a small run: 200 records, 8 of them broken (two of each
// kind), files in a test directory.
func testConfig(t *testing.T) config {
	t.Helper()
	cfg := defaultConfig()
	dir := t.TempDir()
	cfg.Records, cfg.BadEvery, cfg.Seed = 200, 25, 7
	cfg.AuditPath = filepath.Join(dir, "audit.jsonl")
	cfg.LogPath = filepath.Join(dir, "migrations.log")
	cfg.SchemaDir = filepath.Join(dir, "schemas")
	return cfg
}

// expected is what a run of cfg must report, worked out from the
// generated records themselves.
type expected struct {
	users, userErrors int
	addresses         int // nested migrations: the records that get past step 1
	unfit             int // the records that do not fit UserV1: the typed step fails before its function
	errorTypes        map[string]int
}

func expect(t *testing.T, cfg config) expected {
	t.Helper()
	e := expected{users: cfg.Records, errorTypes: map[string]int{}}
	for _, d := range generate(cfg.Records, cfg.Seed, cfg.BadEvery) {
		name, isString := d["name"].(string)
		_, hasEmail := d["email"]
		_, cityIsString := d["address"].(map[string]any)["city"].(string)
		// The step 1.0.0 → 2.0.0 is typed: a record that does not fit
		// UserV1 (a name that is not a string, no email, a city that is
		// a number) fails it before the function runs; an empty name
		// panics in the function.
		switch {
		case !isString, !hasEmail, !cityIsString:
			e.errorTypes["validation"]++
			e.unfit++
		case name == "":
			e.errorTypes["panic"]++
		default:
			e.addresses++
		}
	}
	for _, n := range e.errorTypes {
		e.userErrors += n
	}
	if e.userErrors != 8 || len(e.errorTypes) != 2 || e.errorTypes["validation"] != 6 {
		t.Fatalf("the generator broke %v records, want 2 of each kind", e.errorTypes)
	}
	return e
}

func TestRunReportsEveryMigration(t *testing.T) {
	cfg := testConfig(t)
	want := expect(t, cfg)
	var b bytes.Buffer
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatalf("run: %v\n%s", err, b.String())
	}
	out := b.String()
	t.Logf("output:\n%s", out)
	total := want.users + want.addresses

	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("the output for a non-terminal has carriage returns or escape codes")
	}
	summary := regexp.MustCompile(`migrated 200 records in \S+: 192 succeeded, 8 failed\n`)
	if !summary.MatchString(out) {
		t.Errorf("no summary line matching %q", summary)
	}
	for typ := range want.errorTypes {
		if !regexp.MustCompile(`(?m)^  record \d+ +` + typ + ` +User 1\.0\.0 → [23]\.0\.0: `).MatchString(out) {
			t.Errorf("no failed record of type %s listed", typ)
		}
	}

	// The metrics table, with the exact counts.
	head := "migrations: " + strconv.Itoa(total) + "  errors: " + strconv.Itoa(want.userErrors) + "  success rate:"
	if !strings.Contains(out, head) {
		t.Errorf("no metrics summary %q", head)
	}
	rows := tableRows(out)
	for name, counts := range map[string][2]int{
		"User:1.0.0→3.0.0":    {want.users, want.userErrors},
		"Address:1.0.0→2.0.0": {want.addresses, 0},
	} {
		got, ok := rows[name]
		if !ok {
			t.Errorf("metrics table has no row %s", name)
			continue
		}
		if got[0] != strconv.Itoa(counts[0]) || got[1] != strconv.Itoa(counts[1]) {
			t.Errorf("row %s: started %s, errors %s; want %d, %d", name, got[0], got[1], counts[0], counts[1])
		}
	}

	// The trace: run → batch → migrate User → migrate.step User → migrate
	// Address → migrate.step Address, for one migration that succeeded;
	// and a failed one with its status.
	spans := treeSpans(out)
	checkPath(t, spans, "quickstart", "migrate.batch User", "migrate User", "migrate.step User", "migrate Address", "migrate.step Address")
	checkPath(t, spans, "migrate User", "migrate.step User", "split name")
	if !regexp.MustCompile(`(?m)^   ├─ migrate User +\S+  ERROR  .*error\.type=panic`).MatchString(out) {
		t.Errorf("the tree does not show the failed migration with its status and error.type")
	}
	if more := "└─ … 198 more migrate User (7 Error)"; !strings.Contains(out, more) {
		t.Errorf("the tree does not sum up the other migrations as %q", more)
	}
	m := regexp.MustCompile(`── trace ([0-9a-f]{32}) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no trace ID printed")
	}
	traceID := m[1]

	// The audit trail: exactly one valid line per migration, nested ones
	// included, each with the trace ID and its own span ID.
	if !strings.Contains(out, "audit trail: "+cfg.AuditPath+" ("+strconv.Itoa(total)+" lines") {
		t.Errorf("the output does not give the audit trail's path and line count")
	}
	// The schemas: one JSON Schema file per model version, and the diff
	// of the first and the last User with its breaking changes.
	schemas, _ := filepath.Glob(filepath.Join(cfg.SchemaDir, "*.json"))
	if len(schemas) != 5 || !strings.Contains(out, "schemas:     "+cfg.SchemaDir+" (5 JSON Schema files") {
		t.Errorf("schema files %v", schemas)
	}
	for _, s := range []string{"# User: 1.0.0 → 3.0.0", "- `address`: nested model: Address 1.0.0 → 2.0.0", "⚠️ Removed fields 'name' will be lost during migration"} {
		if !strings.Contains(out, s) {
			t.Errorf("the output lacks %q", s)
		}
	}

	raw, err := os.ReadFile(cfg.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	if len(lines) != total {
		t.Fatalf("the audit trail has %d lines, want %d (one per migration)", len(lines), total)
	}
	for i, l := range lines {
		if !json.Valid(l) {
			t.Fatalf("audit line %d is not valid JSON: %s", i+1, l)
		}
	}
	entries, err := audit.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	byModel := map[string]int{}
	errorTypes := map[string]int{}
	spanIDs := map[string]bool{}
	for _, e := range entries {
		byModel[e.Model]++
		if e.Status == audit.StatusError {
			if e.Model != "User" {
				t.Errorf("an %s migration failed: %+v", e.Model, e)
			}
			errorTypes[e.ErrorType]++
		}
		if e.TraceID != traceID {
			t.Errorf("audit line with trace ID %q, want the run's %s", e.TraceID, traceID)
		}
		if spanIDs[e.SpanID] || e.SpanID == "" {
			t.Errorf("audit lines share span ID %q", e.SpanID)
		}
		spanIDs[e.SpanID] = true
	}
	if byModel["User"] != want.users || byModel["Address"] != want.addresses || len(byModel) != 2 {
		t.Errorf("audit lines per model %v, want User %d and Address %d", byModel, want.users, want.addresses)
	}
	for typ, n := range want.errorTypes {
		if errorTypes[typ] != n {
			t.Errorf("audit error lines %v, want %v", errorTypes, want.errorTypes)
			break
		}
	}
	// The failed migration shown in the tree is printed with its line.
	shown := regexp.MustCompile(`(?s)the failed migration's line in the audit trail.*\n  "error_type": "panic",\n.*\n  "span_id": "([0-9a-f]{16})"\n}`).FindStringSubmatch(out)
	if shown == nil {
		t.Errorf("the failed migration's audit line is not printed")
	} else if i := slices.IndexFunc(entries, func(e audit.Entry) bool { return e.SpanID == shown[1] }); i < 0 || entries[i].ErrorType != "panic" {
		t.Errorf("the printed audit line (span %s) is not the panicked migration's line of the trail", shown[1])
	}

	// The log: a record per migration, failures at ERROR.
	logData, err := os.ReadFile(cfg.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(logData, []byte(`level=ERROR msg="migration failed"`)); n != want.userErrors {
		t.Errorf("the log has %d failures, want %d", n, want.userErrors)
	}
	if n := bytes.Count(logData, []byte(`level=INFO msg="migration completed"`)); n != total-want.userErrors {
		t.Errorf("the log has %d completions, want %d", n, total-want.userErrors)
	}
}

// tableRows returns the rows of the metrics table: transition → the
// STARTED and ERRORS columns.
func tableRows(out string) map[string][2]string {
	rows := map[string][2]string{}
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) == 9 && strings.Contains(f[0], "→") && strings.Contains(f[0], ":") {
			rows[f[0]] = [2]string{f[1], f[2]}
		}
	}
	return rows
}

// treeSpan is a span line of the printed tree.
type treeSpan struct {
	depth int
	name  string
}

var spanLineRE = regexp.MustCompile(`^((?:[│ ]  )*)(?:[├└]─ )?((?:migrate\S*|split|quickstart)(?: [A-Z]\w*| name)?)  `)

// treeSpans parses the span lines of the tree (their depth is the column
// of the name, in steps of three).
func treeSpans(out string) []treeSpan {
	var spans []treeSpan
	inTree := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "── ") {
			inTree = strings.HasPrefix(line, "── trace ")
			continue
		}
		m := spanLineRE.FindStringSubmatch(line)
		if !inTree || m == nil {
			continue
		}
		col := utf8.RuneCountInString(line[:strings.Index(line, m[2])])
		spans = append(spans, treeSpan{depth: col / 3, name: m[2]})
	}
	return spans
}

// checkPath checks that the tree has the chain of spans names, each a
// child of the one before.
func checkPath(t *testing.T, spans []treeSpan, names ...string) {
	t.Helper()
	for i, s := range spans {
		if s.name == names[0] && follows(spans[i+1:], s.depth, names[1:]) {
			return
		}
	}
	t.Errorf("the tree has no chain %s; spans: %v", strings.Join(names, " → "), spans)
}

// follows reports whether the chain names is found under the span at
// depth, in the lines after it.
func follows(spans []treeSpan, depth int, names []string) bool {
	if len(names) == 0 {
		return true
	}
	for i, s := range spans {
		if s.depth <= depth {
			return false
		}
		if s.depth == depth+1 && s.name == names[0] && follows(spans[i+1:], s.depth, names[1:]) {
			return true
		}
	}
	return false
}

func TestRunInATerminalDrawsAProgressBar(t *testing.T) {
	cfg := testConfig(t)
	cfg.Interactive = true
	var b bytes.Buffer
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{"migrating", "/200", "▕", "\r", "\x1b[31mERROR\x1b[0m"} {
		if !strings.Contains(out, s) {
			t.Errorf("the output for a terminal has no %q", s)
		}
	}
	if !regexp.MustCompile(`\rmigrated 200 records in \S+: 192 succeeded, \x1b\[31m8 failed`).MatchString(out) {
		t.Errorf("the summary does not replace the cleared progress bar:\n%q", out)
	}
}

func TestRunReplacesTheFilesOfTheLastRun(t *testing.T) {
	cfg := testConfig(t)
	cfg.Records = 20
	for range 2 {
		if err := run(context.Background(), &bytes.Buffer{}, cfg); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(cfg.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(raw, []byte("\n")); n != 40 {
		// 20 User migrations and 20 Address ones (no record of 20 is
		// broken with BadEvery 25).
		t.Errorf("after two runs the audit trail has %d lines, want the last run's 40", n)
	}
}

func TestRunFailsOnlyWhenItCannotRun(t *testing.T) {
	cfg := testConfig(t)
	cfg.Workers = 0
	if err := run(context.Background(), &bytes.Buffer{}, cfg); err == nil {
		t.Error("run with 0 workers did not fail")
	}
	cfg = testConfig(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AuditPath = filepath.Join(file, "audit.jsonl") // under a file: cannot be created
	if err := run(context.Background(), &bytes.Buffer{}, cfg); err == nil {
		t.Error("run with an audit path that cannot be created did not fail")
	}
}

func TestRunSendsEverySpanOverOTLP(t *testing.T) {
	r, addr := otlptest.Start(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)
	t.Setenv("OTEL_SERVICE_NAME", "")
	cfg := testConfig(t)
	cfg.OTLP = true
	want := expect(t, cfg)
	var b bytes.Buffer
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	m := regexp.MustCompile(`sent over OTLP gRPC to http://` + regexp.QuoteMeta(addr) + `: trace ([0-9a-f]{32}), service transmute-quickstart\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the output does not say where the trace went:\n%s", out)
	}
	if strings.Contains(out, "migrate.step") {
		t.Errorf("the tree is printed although the spans went over OTLP")
	}

	// Every span arrived: the run's and the batch's; per User migration,
	// its span, its steps (one for the records that failed step 1, which
	// every failure does, two otherwise) and the function's span (not for
	// the records that do not fit UserV1: the typed step fails before the
	// function); per Address migration, its span and its step.
	stepOneFailed := want.userErrors
	wantSpans := map[string]int{
		"quickstart":           1,
		"migrate.batch User":   1,
		"migrate User":         want.users,
		"migrate.step User":    2*want.users - stepOneFailed,
		"split name":           want.users - want.unfit,
		"migrate Address":      want.addresses,
		"migrate.step Address": want.addresses,
	}
	spans, services := r.Snapshot()
	got := map[string]int{}
	total := 0
	for _, s := range spans {
		got[s.GetName()]++
		total++
		if id := hex.EncodeToString(s.GetTraceId()); id != m[1] {
			t.Fatalf("span %s has trace ID %s, want the printed %s", s.GetName(), id, m[1])
		}
	}
	for name, n := range wantSpans {
		if got[name] != n {
			t.Errorf("received %d %q spans, want %d", got[name], name, n)
		}
		total -= n
	}
	if total != 0 {
		t.Errorf("received %d spans more than expected: %v", total, got)
	}
	if services["transmute-quickstart"] != len(spans) {
		t.Errorf("spans per service.name %v, want all under transmute-quickstart", services)
	}
}

func TestRunWithNoCollector(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+closed)
	cfg := testConfig(t)
	cfg.OTLP = true
	var b bytes.Buffer
	if err := run(context.Background(), &b, cfg); err != nil {
		t.Fatalf("run with no collector = %v, want nil: the demo goes on", err)
	}
	out := b.String()
	if !strings.Contains(out, "migrated 200 records in") || !strings.Contains(out, "migrations: 392  errors: 8") {
		t.Errorf("the migrations did not all run:\n%s", out)
	}
	if !strings.Contains(out, "not every span could be sent over OTLP gRPC to http://"+closed) {
		t.Errorf("the output does not say that the spans were not sent:\n%s", out)
	}
}
