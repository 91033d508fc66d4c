// Package guide holds the code of the pages in docs/: every Go block of
// those pages is the body of an Example function here (or a program in
// examples/), run by go test with its output checked, and compared with
// the page by `make docs-check`, which also compares each output block
// marked <!-- output: file#Example --> with that Example's // Output:.
package guide
