package atomicfile_test

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
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
	f, err := atomicfile.Create(p, atomicfile.Public)
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
	if string(b) != "new content" || st.Mode().Perm() != 0o600 { // the mode it had
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
	f, err := atomicfile.Create(p, atomicfile.Public)
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
	if err := atomicfile.WriteFile(p, []byte("data"), atomicfile.Public); err == nil {
		t.Fatal("a write over a folder succeeded")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
	if _, err := atomicfile.Create(filepath.Join(dir, "missing", "f"), atomicfile.Public); err == nil {
		t.Fatal("Create in a missing folder succeeded")
	}
}

// A new file is 0666 less the umask, or 0600 when private; an existing one
// keeps its mode.
func TestModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		mode atomicfile.Mode
		had  os.FileMode // 0: a new file
		want os.FileMode
	}{
		{"new public", atomicfile.Public, 0, 0o640},
		{"new private", atomicfile.Private, 0, 0o600},
		{"existing 0600", atomicfile.Public, 0o600, 0o600},
		{"existing 0604", atomicfile.Private, 0o604, 0o604},
	} {
		p := filepath.Join(dir, tc.name)
		if tc.had != 0 {
			if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.had); err != nil {
				t.Fatal(err)
			}
		}
		if err := atomicfile.WriteFile(p, []byte("new"), tc.mode); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != tc.want {
			t.Errorf("%s: mode %v, want %v", tc.name, st.Mode().Perm(), tc.want)
		}
	}
}

// A symbolic link is followed: its target is replaced and the link stays.
func TestSymlinkIsFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link")
	os.WriteFile(target, []byte("old"), 0o644)
	if err := os.Symlink("target", link); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(link, []byte("new"), atomicfile.Public); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Fatalf("target %q", b)
	}
	// A dangling link's target is created.
	os.Symlink("created", filepath.Join(dir, "dangling"))
	if err := atomicfile.WriteFile(filepath.Join(dir, "dangling"), []byte("x"), atomicfile.Public); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "created")); string(b) != "x" {
		t.Fatalf("dangling target %q", b)
	}
	// A loop is an error.
	os.Symlink("loop", filepath.Join(dir, "loop"))
	if err := atomicfile.WriteFile(filepath.Join(dir, "loop"), nil, atomicfile.Public); err == nil {
		t.Fatal("a link loop was written")
	}
}

// A FIFO and a device are written to, never replaced.
func TestNotRegularIsWrittenInPlace(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	if err := atomicfile.WriteFile(fifo, []byte("through"), atomicfile.Public); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Fatalf("read %q from the FIFO", s)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v", st.Mode())
	}
	if err := atomicfile.WriteFile(os.DevNull, []byte("x"), atomicfile.Public); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(os.DevNull); st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device: %v", os.DevNull, st.Mode())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("files left: %v", names)
	}
}
