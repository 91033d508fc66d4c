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
