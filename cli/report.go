package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/transmute-go/transmute/schema"
)

// report is one finding of check or diff, as the machine formats write
// it.
type report struct {
	// Check is the check that found it: reachability, compatibility,
	// samples or snapshot.
	Check string `json:"check"`
	Model string `json:"model"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	// Pointer is the field (a JSON pointer), "" for the whole record.
	Pointer  string `json:"pointer"`
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// File is the snapshot file of the version, with --snapshot: where a
	// pull request's annotation points.
	File string `json:"file,omitempty"`
}

// The output formats of check and diff besides their text.
const (
	formatText   = "text"
	formatJSON   = "json"
	formatGitHub = "github"
	formatJUnit  = "junit"
)

// pointerText is a finding's JSON pointer as the text formats write it:
// "(the record)" for the whole record.
func pointerText(p string) string {
	if p == "" {
		return "(the record)"
	}
	return p
}

// fromFinding is a report of a schema.Check finding.
func fromFinding(f schema.Finding) report {
	return report{Check: "compatibility", Model: f.Model, From: f.From, To: f.To, Pointer: f.Pointer, Code: f.Code, Severity: string(f.Severity), Message: f.Message}
}

// writeJSONReports writes one JSON object per report, a line each.
func writeJSONReports(w io.Writer, reports []report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range reports {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// writeGitHub writes each report as a GitHub Actions workflow command
// (::error or ::warning), which annotates the pull request.
func writeGitHub(w io.Writer, reports []report) error {
	var b strings.Builder
	for _, r := range reports {
		level := "error"
		if r.Severity == string(schema.SeverityWarning) {
			level = "warning"
		}
		var props []string
		if r.File != "" {
			props = append(props, "file="+ghProperty(r.File))
		}
		props = append(props, "title="+ghProperty(title(r)))
		fmt.Fprintf(&b, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(r.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// title is a report's one-line title: model, versions, field, code.
func title(r report) string {
	t := r.Model
	if r.From != "" {
		t += " " + r.From
		if r.To != "" {
			t += " → " + r.To
		}
	}
	if r.Pointer != "" {
		t += " " + r.Pointer
	}
	return t + ": " + r.Code
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// junit is a JUnit XML report: one test case per model and check.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	Output  string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes a JUnit XML report of suite: a test case for each
// model and check, failed by its errors (warnings go to its output).
func writeJUnit(w io.Writer, suite string, models, checks []string, reports []report) error {
	s := junitSuite{Name: suite}
	for _, model := range models {
		for _, check := range checks {
			c := junitCase{Class: model, Name: check}
			var errs, warns []string
			for _, r := range reports {
				if r.Model != model || r.Check != check {
					continue
				}
				line := title(r) + ": " + r.Message
				if r.Severity == string(schema.SeverityWarning) {
					warns = append(warns, line)
				} else {
					errs = append(errs, line)
				}
			}
			if len(errs) > 0 {
				c.Failure = &junitFailure{Message: fmt.Sprintf("%d finding(s)", len(errs)), Type: check, Text: strings.Join(errs, "\n")}
				s.Failures++
			}
			c.Output = strings.Join(warns, "\n")
			s.Cases = append(s.Cases, c)
		}
	}
	s.Tests = len(s.Cases)
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, b)
	return err
}
