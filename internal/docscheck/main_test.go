package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const src = `package demo

import "fmt"

func ExampleHello() {
	fmt.Println("hi")
	if true {
		fmt.Println("nested")
	}
	// Output:
	// hi
	// nested
}
`

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "demo.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	good := "# Page\n\n<!-- snippet: demo.go#ExampleHello -->\n```go\nfmt.Println(\"hi\")\nif true {\n\tfmt.Println(\"nested\")\n}\n```\n"
	bad := strings.Replace(good, `"hi"`, `"hello"`, 1)
	unmarked := "```go\nx := 1\n```\n"
	whole := "<!-- snippet: demo.go -->\n```go\n" + src + "```\n"
	for name, tc := range map[string]struct {
		page     string
		problems int
	}{
		"match":        {good, 0},
		"drift":        {bad, 1},
		"no marker":    {unmarked, 1},
		"whole file":   {whole, 0},
		"missing func": {strings.Replace(good, "ExampleHello", "ExampleGone", 1), 1},
		"none":         {"<!-- snippet: none -->\n```go\nfunc F()\n```\n", 0},
		"decl":         {"<!-- snippet: demo.go#decl:ExampleHello -->\n```go\n" + src[strings.Index(src, "func"):len(src)-1] + "\n```\n", 0},
		"decl drift":   {"<!-- snippet: demo.go#decl:ExampleHello -->\n```go\nfunc ExampleHello() {}\n```\n", 1},
		"not go":       {"```sh\nmake demo\n```\n", 0},
		"output":       {"<!-- output: demo.go#ExampleHello -->\n```text\nhi\nnested\n```\n", 0},
		"output drift": {"<!-- output: demo.go#ExampleHello -->\n```text\nnot what it prints\n```\n", 1},
		"output on go": {"<!-- output: demo.go#ExampleHello -->\n```go\nhi\n```\n", 1},
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "page.md"), []byte(tc.page), 0o644); err != nil {
				t.Fatal(err)
			}
			_, errs := checkFile(dir, "page.md")
			if len(errs) != tc.problems {
				t.Fatalf("got %d problems %v, want %d", len(errs), errs, tc.problems)
			}
		})
	}
}

func TestFix(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "demo.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	page := "# P\n\n<!-- snippet: demo.go#ExampleHello -->\n```go\nstale\n```\n\n<!-- output: demo.go#ExampleHello -->\n```text\n```\n\nend\n"
	if err := os.WriteFile(filepath.Join(dir, "page.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fixFile(dir, "page.md"); err != nil {
		t.Fatal(err)
	}
	n, errs := checkFile(dir, "page.md")
	if n != 2 || len(errs) != 0 {
		t.Fatalf("after -fix: %d blocks checked, problems %v", n, errs)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "page.md"))
	if !strings.Contains(string(got), "```text\nhi\nnested\n```\n\nend\n") {
		t.Errorf("the output block was not filled in:\n%s", got)
	}
}
