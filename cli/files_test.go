package cli_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/transmute-go/transmute/cli"
)

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// File modes: a new output is 0666 less the umask, a new rejects file
// 0600 (it holds records), and an existing file keeps its mode.
func TestMigrateFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeFile(t, in, withFailures, 0o600)
	out, rej := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "rejects.jsonl")
	r := run(t, newManager(t), "", "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error", "-o", out, "--rejects", rej, in)
	wantCode(t, r, cli.ExitFinding)
	if got := modeOf(t, out); got != 0o644 {
		t.Errorf("new output: mode %v, want 0644 (0666 less the umask)", got)
	}
	if got := modeOf(t, rej); got != 0o600 {
		t.Errorf("new rejects: mode %v, want 0600", got)
	}
	// Existing files keep their modes, whatever the umask.
	syscall.Umask(0o077)
	writeFile(t, out, "old\n", 0o640)
	writeFile(t, rej, "old\n", 0o604)
	r = run(t, newManager(t), "", "migrate", "-m", "User", "--to", "3.0.0", "--continue-on-error", "-o", out, "--rejects", rej, in)
	wantCode(t, r, cli.ExitFinding)
	if got := modeOf(t, out); got != 0o640 {
		t.Errorf("existing output: mode %v, want 0640", got)
	}
	if got := modeOf(t, rej); got != 0o604 {
		t.Errorf("existing rejects: mode %v, want 0604", got)
	}
	// The rejects file is replaced, not appended to: a rerun holds each
	// failed record once.
	b, _ := os.ReadFile(rej)
	if n := strings.Count(string(b), "\n"); n != 2 || strings.Contains(string(b), "old") {
		t.Errorf("rejects after a rerun:\n%s", b)
	}
}

// A FIFO output is written to, and stays a FIFO; a symbolic link's target
// is replaced and the link stays.
func TestMigrateOutputNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	r := run(t, newManager(t), oneRecord, "migrate", "-m", "User", "--to", "latest", "-o", fifo)
	wantCode(t, r, cli.ExitOK)
	if s := <-got; !strings.Contains(s, `"first":"Ada"`) {
		t.Fatalf("read from the FIFO: %q", s)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v", st.Mode())
	}

	target, link := filepath.Join(dir, "target.jsonl"), filepath.Join(dir, "link.jsonl")
	writeFile(t, target, "old\n", 0o644)
	if err := os.Symlink("target.jsonl", link); err != nil {
		t.Fatal(err)
	}
	r = run(t, newManager(t), oneRecord, "migrate", "-m", "User", "--to", "latest", "-o", link)
	wantCode(t, r, cli.ExitOK)
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), `"first":"Ada"`) {
		t.Fatalf("target %q", b)
	}
	if _, err := os.Stat(os.DevNull); err == nil {
		r = run(t, newManager(t), oneRecord, "migrate", "-m", "User", "--to", "latest", "-o", os.DevNull)
		wantCode(t, r, cli.ExitOK)
		if st, _ := os.Stat(os.DevNull); st.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("%s is no longer a device", os.DevNull)
		}
	}
}

// -o, --rejects or --audit naming the input (by any name) is a usage
// error before anything is read or written.
func TestMigrateRefusesToWriteItsInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeFile(t, in, oneRecord, 0o644)
	alias := filepath.Join(dir, "alias.jsonl")
	if err := os.Link(in, alias); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "sym.jsonl")
	if err := os.Symlink(in, sym); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-o", in}, {"-o", alias}, {"-o", sym},
		{"--continue-on-error", "--rejects", alias},
		{"--audit", sym},
	} {
		r := run(t, newManager(t), "", append(append([]string{"migrate", "-m", "User", "--to", "latest"}, args...), in)...)
		wantCode(t, r, cli.ExitUsage)
		contains(t, "stderr", r.stderr, "is the input file")
		if b, _ := os.ReadFile(in); string(b) != oneRecord {
			t.Fatalf("%v: the input changed: %q", args, b)
		}
	}
}
