// Command docscheck verifies that the code and the outputs shown in the
// Markdown pages of the repository are verbatim copies of compiled, tested
// code, so the docs cannot drift from the code.
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
// A text block (or a mermaid block, which the forge renders as a diagram)
// preceded by <!-- output: path/to/file_test.go#ExampleFunc --> must be the
// "// Output:" section of that Example, which go test checks in turn, so a
// page cannot show an output the code no longer prints.
//
// Usage: go run ./internal/docscheck [-root DIR] [-fix] [FILE.md ...]
// With no files it checks README.md and every docs/*.md. With -fix it
// rewrites each marked block from its source instead of reporting it, so
// a page can be written with empty marked blocks and filled in.
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
		fmt.Fprintf(os.Stderr, "docscheck: %d problem(s) in %d checked block(s)\n", len(problems), blocks)
		os.Exit(1)
	}
	fmt.Printf("docscheck: %d Go and output block(s) in %d file(s) match their sources\n", blocks, len(files))
}

var markerRE = regexp.MustCompile(`^<!--\s*(snippet|output):\s*(\S+?)\s*-->$`)

// Block is one fenced block of a page.
type Block struct {
	Line   int    // line of the opening fence, from 1
	Lang   string // what follows the opening ```
	Kind   string // "snippet", "output", or "" with no marker above
	Marker string // the reference the marker names
	Code   string
	end    int // line of the closing fence, from 1
}

// Blocks returns the fenced blocks of a Markdown page.
func Blocks(md []byte) []Block {
	var out []Block
	var prev string
	var cur *Block
	var body []string
	for i, text := range strings.Split(string(md), "\n") {
		trimmed := strings.TrimSpace(text)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &Block{Line: i + 1, Lang: strings.TrimPrefix(trimmed, "```")}
			if m := markerRE.FindStringSubmatch(prev); m != nil {
				cur.Kind, cur.Marker = m[1], m[2]
			}
			body = nil
		case cur != nil && trimmed == "```":
			cur.Code, cur.end = strings.Join(body, "\n"), i+1
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, text)
		}
		if trimmed != "" {
			prev = trimmed
		}
	}
	return out
}

func isGo(b Block) bool { return b.Lang == "go" || b.Lang == "golang" }

// want returns what a marked block must hold, or ok == false for a block
// that is not checked.
func want(root, name string, b Block) (code string, ok bool, err error) {
	switch {
	case b.Kind == "output" && b.Lang != "text" && b.Lang != "mermaid":
		return "", false, fmt.Errorf("%s:%d: an output marker must precede a ```text or ```mermaid block", name, b.Line)
	case b.Kind == "output":
		code, err = ExampleOutput(root, b.Marker)
		return code, true, err
	case !isGo(b):
		return "", false, nil
	case b.Kind != "snippet":
		return "", false, fmt.Errorf("%s:%d: Go block has no <!-- snippet: file.go#Func --> marker on the line above", name, b.Line)
	case b.Marker == "none":
		return "", false, nil
	}
	code, err = Source(root, b.Marker)
	return code, true, err
}

func readPage(root, name string) ([]byte, error) {
	md, err := os.ReadFile(filepath.Join(root, name))
	if errors.Is(err, os.ErrNotExist) && name == "README.md" {
		return nil, nil
	}
	return md, err
}

func checkFile(root, name string) (int, []error) {
	md, err := readPage(root, name)
	if err != nil {
		return 0, []error{err}
	}
	var errs []error
	n := 0
	for _, b := range Blocks(md) {
		code, ok, err := want(root, name, b)
		if err != nil {
			errs = append(errs, err)
		}
		if !ok || err != nil {
			continue
		}
		n++
		if normalise(code) != normalise(b.Code) {
			errs = append(errs, fmt.Errorf("%s:%d: block differs from %s (-fix rewrites it):\n%s", name, b.Line, b.Marker, diff(normalise(code), normalise(b.Code))))
		}
	}
	return n, errs
}

// fixFile rewrites every marked block of a page from its source.
func fixFile(root, name string) error {
	md, err := readPage(root, name)
	if err != nil || md == nil {
		return err
	}
	lines := strings.Split(string(md), "\n")
	blocks := Blocks(md)
	// From the last block up, so that the line numbers above stay right.
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		code, ok, err := want(root, name, b)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		body := strings.Split(normalise(code), "\n")
		lines = append(lines[:b.Line], append(body, lines[b.end-1:]...)...)
	}
	return os.WriteFile(filepath.Join(root, name), []byte(strings.Join(lines, "\n")), 0o644)
}

// ExampleOutput returns the "// Output:" section of an Example function
// named by path.go#Func.
func ExampleOutput(root, marker string) (string, error) {
	path, name, _ := strings.Cut(marker, "#")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(root, path), nil, parser.ParseComments)
	if err != nil {
		return "", err
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != name || fd.Body == nil {
			continue
		}
		for _, cg := range f.Comments {
			if cg.Pos() < fd.Body.Lbrace || cg.End() > fd.Body.Rbrace {
				continue
			}
			if rest, ok := strings.CutPrefix(cg.Text(), "Output:"); ok {
				return strings.TrimPrefix(rest, "\n"), nil
			}
		}
		return "", fmt.Errorf("%s: func %s has no // Output: section", path, name)
	}
	return "", fmt.Errorf("%s: no top-level func %s", path, name)
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

func findDecl(f *ast.File, name string) ast.Decl {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				return d
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					if sp.Name.Name == name {
						return d
					}
				case *ast.ValueSpec: // a const or a var
					if slices.ContainsFunc(sp.Names, func(n *ast.Ident) bool { return n.Name == name }) {
						return d
					}
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
