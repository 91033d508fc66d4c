package cli_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

// git runs git in dir, failing t on an error.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// check --against REF compares the versions with their snapshots as
// committed at REF, not as they are in the working tree: a pull request
// that edits a released version and rewrites its snapshot is still caught.
func TestCheckAgainstAGitRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed: the gate runs against a git ref")
	}
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	snap := filepath.Join(repo, "snapshots")
	m := goodManager(t)
	wantCode(t, run(t, m, "", "check", "--samples", "0", "--snapshot", snap, "--update"), 0)
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "release 1.0.0 to 3.0.0")

	// The branch edits User 1.0.0 (its age becomes a string) and rewrites
	// the working tree's snapshot with --update.
	type editedV1 struct {
		Name    string    `json:"name"`
		Age     string    `json:"age,omitempty"`
		Address AddressV1 `json:"address"`
	}
	m2 := core.NewManager(core.WithVersionKey("schema_version"))
	if err := errors.Join(
		core.Register[AddressV1](m2, "Address", "1.0.0"),
		core.Register[AddressV2](m2, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[editedV1](m2, "User", "1.0.0"),
		core.Register[UserV2](m2, "User", "2.0.0"),
		core.Register[UserV3](m2, "User", "3.0.0", core.WithBackwardCompatible()),
		core.Register[UserV3](m2, "User", "4.0.0", core.WithBackwardCompatible()),
		m2.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }),
	); err != nil {
		t.Fatal(err)
	}
	wantCode(t, run(t, m2, "", "check", "--samples", "0", "--snapshot", snap, "--update"), 0)
	git(t, repo, "checkout", "-q", "-b", "feature")
	git(t, repo, "commit", "-q", "-am", "edit 1.0.0")

	// Against the working tree: nothing (the snapshot was rewritten).
	wantCode(t, run(t, m2, "", "check", "--samples", "0", "--snapshot", snap), 0)
	// Against main: the released version changed, field by field; 4.0.0
	// is new there.
	r := run(t, m2, "", "check", "--samples", "0", "--snapshot", snap, "--against", "main")
	wantCode(t, r, cli.ExitFinding)
	contains(t, "check", r.stdout, "FAIL User 1.0.0 changed since main: field 'age': type", "new: User 4.0.0 has no snapshot at main")
	if strings.Contains(r.stdout, "User 2.0.0 changed") {
		t.Errorf("an unchanged version reported:\n%s", r.stdout)
	}
	// The same from the branch's own ref: nothing changed.
	wantCode(t, run(t, m2, "", "check", "--samples", "0", "--snapshot", snap, "--against", "feature"), 0)

	// An unknown ref is an error, not a pass; --against needs --snapshot.
	r = run(t, m2, "", "check", "--samples", "0", "--snapshot", snap, "--against", "nope")
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, `--against "nope": not a commit`)
	wantCode(t, run(t, m2, "", "check", "--against", "main"), cli.ExitUsage)
}
