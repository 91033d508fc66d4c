package guide_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The Go blocks of docs/hooks.md are checked against their sources by
// `make docs-check`; the outputs it shows are checked here: a text block
// whose opening fence follows an <!-- output: path.go#ExampleFunc -->
// marker must be the "// Output:" section of that Example, which go test
// checks in turn. With -fixdocs the test rewrites those blocks from the
// Examples instead:
//
//	go test ./guide/ -run TestHooksGuideOutputs -fixdocs

var fixDocs = flag.Bool("fixdocs", false, "rewrite the output blocks of docs/hooks.md from the Examples")

var outputMarker = regexp.MustCompile(`^<!--\s*output:\s*(\S+?)#(\S+?)\s*-->$`)

// docOutput is one output block of a page.
type docOutput struct {
	line       int
	file, name string
	text       string
}

func docOutputs(md []byte) ([]docOutput, error) {
	var out []docOutput
	sc := bufio.NewScanner(bytes.NewReader(md))
	var cur *docOutput
	var body []string
	prev, n := "", 0
	for sc.Scan() {
		n++
		line := sc.Text()
		t := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(t, "```"):
			if m := outputMarker.FindStringSubmatch(prev); m != nil {
				if t != "```text" {
					return nil, fmt.Errorf("line %d: an output marker must precede a ```text block", n)
				}
				cur, body = &docOutput{line: n, file: m[1], name: m[2]}, nil
			}
		case cur != nil && t == "```":
			cur.text = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
		if t != "" {
			prev = t
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: unclosed output block", cur.line)
	}
	return out, sc.Err()
}

// exampleOutput returns the "// Output:" section of a top-level func.
func exampleOutput(path, name string) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return "", err
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != name {
			continue
		}
		for _, cg := range f.Comments {
			if cg.Pos() < fd.Body.Lbrace || cg.End() > fd.Body.Rbrace {
				continue
			}
			text := cg.Text()
			if rest, ok := strings.CutPrefix(text, "Output:"); ok {
				return strings.TrimPrefix(rest, "\n"), nil
			}
		}
		return "", fmt.Errorf("%s: func %s has no // Output: section", path, name)
	}
	return "", fmt.Errorf("%s: no top-level func %s", path, name)
}

func trimLines(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func TestHooksGuideOutputs(t *testing.T) {
	root := filepath.Join("..", "..")
	md, err := os.ReadFile(filepath.Join(root, "docs", "hooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := docOutputs(md)
	if err != nil {
		t.Fatal(err)
	}
	if *fixDocs {
		md, err = fixOutputs(md, func(o docOutput) (string, error) {
			return exampleOutput(filepath.Join(root, o.file), o.name)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "docs", "hooks.md"), md, 0o644); err != nil {
			t.Fatal(err)
		}
		if outs, err = docOutputs(md); err != nil {
			t.Fatal(err)
		}
	}
	if len(outs) < 10 {
		t.Fatalf("docs/hooks.md has %d marked output blocks; the page shows more than that", len(outs))
	}
	for _, o := range outs {
		want, err := exampleOutput(filepath.Join(root, o.file), o.name)
		if err != nil {
			t.Errorf("docs/hooks.md:%d: %v", o.line, err)
			continue
		}
		if trimLines(o.text) != trimLines(want) {
			t.Errorf("docs/hooks.md:%d: the output differs from %s#%s (-fixdocs rewrites it):\n--- page\n%s\n--- example\n%s", o.line, o.file, o.name, o.text, want)
		}
	}
}

func TestDocOutputsFindsMismatches(t *testing.T) {
	md := []byte("<!-- output: examples/guide/hooks_basics_test.go#Example_hookPanic -->\n```text\nnot what it prints\n```\n")
	outs, err := docOutputs(md)
	if err != nil || len(outs) != 1 {
		t.Fatalf("docOutputs = %v, %v; want one block", outs, err)
	}
	want, err := exampleOutput(filepath.Join("..", "..", outs[0].file), outs[0].name)
	if err != nil {
		t.Fatal(err)
	}
	if trimLines(outs[0].text) == trimLines(want) || !strings.Contains(want, "reported: hook panicked in AfterMigrate") {
		t.Errorf("the block should differ from the example's output %q", want)
	}
	if _, err := docOutputs([]byte("<!-- output: a.go#F -->\n```go\n```\n")); err == nil {
		t.Error("an output marker before a Go block was accepted")
	}
}

// fixOutputs returns md with the body of each marked output block replaced
// by what output returns for it.
func fixOutputs(md []byte, output func(docOutput) (string, error)) ([]byte, error) {
	outs, err := docOutputs(md)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(md), "\n")
	// From the last block up, so that the line numbers above stay right.
	for i := len(outs) - 1; i >= 0; i-- {
		o := outs[i]
		text, err := output(o)
		if err != nil {
			return nil, fmt.Errorf("docs/hooks.md:%d: %v", o.line, err)
		}
		start := o.line // the line after the opening fence, from 0
		end := start
		for strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		body := strings.Split(trimLines(text), "\n")
		lines = append(lines[:start], append(body, lines[end:]...)...)
	}
	return []byte(strings.Join(lines, "\n")), nil
}
