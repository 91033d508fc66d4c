package cli_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/cli"
)

// check's machine formats, each read by what consumes it: JSON Lines
// decoded, GitHub workflow commands matched by their grammar, JUnit XML
// parsed.
func TestCheckFormats(t *testing.T) {
	m := newManager(t) // a name with no space fails 1.0.0 → 2.0.0: sample findings
	dir := filepath.Join(t.TempDir(), "snap")
	wantCode(t, run(t, m, "", "check", "--samples", "0", "--snapshot", dir, "--update"), 0)
	args := []string{"check", "--samples", "20", "--mode", "full", "--snapshot", dir, "--format"}

	// JSON: one object a line, the summary on standard error.
	r := run(t, m, "", append(args, "json")...)
	wantCode(t, r, cli.ExitFinding)
	contains(t, "stderr", r.stderr, "finding(s)")
	var codes []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var f map[string]any
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		for _, k := range []string{"check", "model", "pointer", "code", "severity", "message"} {
			if _, ok := f[k]; !ok {
				t.Errorf("%s lacks %q", sc.Text(), k)
			}
		}
		codes = append(codes, f["check"].(string)+":"+f["code"].(string)+":"+f["severity"].(string))
		if f["from"] != nil && f["file"] == nil {
			t.Errorf("no snapshot file: %s", sc.Text())
		}
	}
	for _, want := range []string{"compatibility:no_migration:error", "compatibility:field_removed:warning", "samples:migration_failed:error"} {
		if !strings.Contains(strings.Join(codes, " "), want) {
			t.Errorf("codes %v lack %s", codes, want)
		}
	}

	// GitHub: every line a workflow command; messages on one line.
	r = run(t, m, "", append(args, "github")...)
	wantCode(t, r, cli.ExitFinding)
	grammar := regexp.MustCompile(`^::(error|warning) file=[^,:\n]+,title=[^,:\n]+::[^\n]+$`)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	for _, l := range lines {
		if !grammar.MatchString(l) {
			t.Errorf("not a workflow command: %q", l)
		}
	}
	if !strings.Contains(r.stdout, "%0A     record: ") || !strings.Contains(r.stdout, "file="+filepath.Join(dir, "User_v1_0_0.json")) {
		t.Errorf("github output:\n%s", r.stdout)
	}

	// JUnit: one test case per model and check, the failed ones failing.
	r = run(t, m, "", append(args, "junit")...)
	wantCode(t, r, cli.ExitFinding)
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Class   string `xml:"classname,attr"`
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, r.stdout)
	}
	s := doc.Suites[0]
	if s.Tests != 8 || len(s.Cases) != 8 { // 2 models × reachability, compatibility, samples, snapshot
		t.Fatalf("%d test cases:\n%s", s.Tests, r.stdout)
	}
	failed := map[string]bool{}
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed[c.Class+"/"+c.Name] = true
		}
	}
	if !failed["User/samples"] || !failed["User/compatibility"] || !failed["Address/compatibility"] || failed["User/snapshot"] || s.Failures != len(failed) {
		t.Errorf("failures %v (%d)", failed, s.Failures)
	}

	wantCode(t, run(t, m, "", "check", "--format", "yaml"), cli.ExitUsage)
}

func TestDiffFormats(t *testing.T) {
	m := newManager(t)
	r := run(t, m, "", "diff", "-m", "User", "--from", "3.0.0", "--to", "1.0.0", "--format", "github", "--fail-on-breaking")
	wantCode(t, r, cli.ExitFinding)
	if !regexp.MustCompile(`^::error title=User 3\.0\.0 → 1\.0\.0%3A no_migration::no migration leads from 3\.0\.0 to 1\.0\.0`).MatchString(r.stdout) {
		t.Errorf("github: %q", r.stdout)
	}
	r = run(t, m, "", "diff", "-m", "User", "--from", "1.0.0", "--to", "3.0.0", "--format", "junit", "--fail-on-breaking")
	wantCode(t, r, 0)
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Suites) != 1 || doc.Suites[0].Tests != 1 || doc.Suites[0].Failures != 0 {
		t.Fatalf("junit: %v\n%s", err, r.stdout)
	}
}
