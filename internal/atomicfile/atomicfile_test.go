package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/transmute-go/transmute/internal/atomicfile"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestCommitReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := atomicfile.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new "))
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("the destination changed before Commit: %q", b)
	}
	f.Write([]byte("content"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // a no-op after Commit
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "new content" || st.Mode().Perm() != atomicfile.Mode {
		t.Fatalf("%q, mode %v", b, st.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
	if err := f.Commit(); err == nil {
		t.Fatal("a second Commit succeeded")
	}
}

func TestAbortLeavesTheDestination(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	os.WriteFile(p, []byte("old"), 0o600)
	f, err := atomicfile.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	f.Abort()
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("%q", b)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
}

func TestFailedCommitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub") // the rename fails: a folder is there
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, "x"), nil, 0o600)
	if err := atomicfile.WriteFile(p, []byte("data")); err == nil {
		t.Fatal("a rename over a non-empty folder succeeded")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
	if _, err := atomicfile.Create(filepath.Join(dir, "missing", "f")); err == nil {
		t.Fatal("Create in a missing folder succeeded")
	}
}
