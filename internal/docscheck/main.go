// Command docscheck verifies that every Go code block in the Markdown
// pages of the repository is a verbatim copy of compiled, tested code, so
// the docs cannot drift from the code.
//
// A Go block must be preceded (on the line above its opening fence) by a
// marker naming its source:
//
//	<!-- snippet: path/to/file.go#FuncName -->   the body of a top-level func
//	<!-- snippet: path/to/file.go#decl:A,B -->   whole declarations (funcs
//	                                              or types), doc comments
//	                                              included, blank-line separated
//	<!-- snippet: path/to/file.go -->            the whole file
//
// Paths are relative to the repository root. For a function, the block is
// its body with one level of tab indentation removed and a trailing
// "// Output:" comment section dropped. A Go block with no marker is an
// error, unless the marker is <!-- snippet: none --> (for a fragment that
// does not compile on its own, such as a signature listing); use it
// sparingly.
//
// Usage: go run ./internal/docscheck [-root DIR] [-fix] [FILE.md ...]
// With no files it checks README.md and every docs/*.md. With -fix it
// rewrites each marked block from its source instead of reporting it, so
// a page can be written with empty marked blocks and filled in.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	root := flag.String("root", ".", "repository root")
	fix := flag.Bool("fix", false, "rewrite marked blocks from their sources")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		files = append(files, "README.md")
		more, _ := filepath.Glob(filepath.Join(*root, "docs", "*.md"))
		for _, m := range more {
			rel, _ := filepath.Rel(*root, m)
			files = append(files, rel)
		}
	}
	var problems []string
	blocks := 0
	for _, f := range files {
		if *fix {
			if err := fixFile(*root, f); err != nil {
				problems = append(problems, err.Error())
			}
		}
		n, errs := checkFile(*root, f)
		blocks += n
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "docscheck: %d problem(s) in %d Go block(s)\n", len(problems), blocks)
		os.Exit(1)
	}
	fmt.Printf("docscheck: %d Go block(s) in %d file(s) match their sources\n", blocks, len(files))
}

var markerRE = regexp.MustCompile(`^<!--\s*snippet:\s*(\S+?)\s*-->\s*$`)

// Block is one fenced Go block of a page.
type Block struct {
	Line   int    // line of the opening fence, from 1
	Marker string // the snippet reference, "" when there is none
	Code   string
}

// Blocks returns the Go blocks of a Markdown page.
func Blocks(md []byte) []Block {
	var out []Block
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var prev string
	var cur *Block
	var body []string
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case cur == nil && (trimmed == "```go" || trimmed == "```golang"):
			cur = &Block{Line: line}
			if m := markerRE.FindStringSubmatch(strings.TrimSpace(prev)); m != nil {
				cur.Marker = m[1]
			}
			body = nil
		case cur != nil && trimmed == "```":
			cur.Code = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, text)
		}
		if trimmed != "" {
			prev = text
		}
	}
	return out
}

func checkFile(root, name string) (int, []error) {
	md, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && name == "README.md" {
			return 0, nil
		}
		return 0, []error{err}
	}
	var errs []error
	blocks := Blocks(md)
	for _, b := range blocks {
		if b.Marker == "" {
			errs = append(errs, fmt.Errorf("%s:%d: Go block has no <!-- snippet: file.go#Func --> marker on the line above", name, b.Line))
			continue
		}
		if b.Marker == "none" {
			continue
		}
		want, err := Source(root, b.Marker)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %v", name, b.Line, err))
			continue
		}
		if normalise(want) != normalise(b.Code) {
			errs = append(errs, fmt.Errorf("%s:%d: block differs from %s:\n%s", name, b.Line, b.Marker, diff(normalise(want), normalise(b.Code))))
		}
	}
	return len(blocks), errs
}

// Source returns the code a marker names.
func Source(root, marker string) (string, error) {
	path, fn, _ := strings.Cut(marker, "#")
	src, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		return "", err
	}
	if fn == "" {
		return string(src), nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	if names, ok := strings.CutPrefix(fn, "decl:"); ok {
		var parts []string
		for _, name := range strings.Split(names, ",") {
			d := findDecl(f, name)
			if d == nil {
				return "", fmt.Errorf("%s: no top-level declaration %s", path, name)
			}
			start := d.Pos()
			if doc := declDoc(d); doc != nil {
				start = doc.Pos()
			}
			parts = append(parts, string(src[fset.Position(start).Offset:fset.Position(d.End()).Offset]))
		}
		return strings.Join(parts, "\n\n"), nil
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != fn || fd.Body == nil {
			continue
		}
		start := fset.Position(fd.Body.Lbrace).Offset + 1
		end := fset.Position(fd.Body.Rbrace).Offset
		return FuncBody(string(src[start:end])), nil
	}
	return "", fmt.Errorf("%s: no top-level func %s", path, fn)
}

// FuncBody turns the text between a func's braces into a doc block:
// one tab of indentation removed, the trailing // Output: section dropped.
func FuncBody(body string) string {
	lines := strings.Split(strings.Trim(body, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "// Output:") || strings.HasPrefix(t, "// Unordered output:") {
			lines = lines[:i]
			break
		}
		if !strings.HasPrefix(t, "//") {
			break
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}

func normalise(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("  first difference at block line %d:\n    source: %q\n    doc:    %q", i+1, a, b)
		}
	}
	return "  (whitespace only)"
}

// fixFile rewrites every marked Go block of a page from its source.
func fixFile(root, name string) error {
	path := filepath.Join(root, name)
	md, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && name == "README.md" {
			return nil
		}
		return err
	}
	lines := strings.Split(string(md), "\n")
	var out []string
	prev := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "```go" || t == "```golang" {
			m := markerRE.FindStringSubmatch(strings.TrimSpace(prev))
			if m != nil && m[1] != "none" {
				code, err := Source(root, m[1])
				if err != nil {
					return fmt.Errorf("%s:%d: %v", name, i+1, err)
				}
				out = append(out, l, strings.Trim(code, "\n"))
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "```" {
					i++
				}
				if t != "" {
					prev = l
				}
				continue
			}
		}
		out = append(out, l)
		if t != "" {
			prev = l
		}
	}
	return os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644)
}

func findDecl(f *ast.File, name string) ast.Decl {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				return d
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				if ts, ok := sp.(*ast.TypeSpec); ok && ts.Name.Name == name {
					return d
				}
			}
		}
	}
	return nil
}

func declDoc(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}
