package transmutetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

// buggyEnv selects the bug FuzzBuggy fuzzes; without it FuzzBuggy skips.
const buggyEnv = "TRANSMUTETEST_BUG"

// FuzzBuggy is a fuzz target over a migration with a bug, run by
// TestFuzzFindsBugs in a process of its own.
func FuzzBuggy(f *testing.F) {
	bug := os.Getenv(buggyEnv)
	if bug == "" {
		f.Skip("run by TestFuzzFindsBugs")
	}
	m := core.NewManager()
	fn := func(_ context.Context, d core.Data) (core.Data, error) {
		switch bug {
		case "panic":
			_ = d["list"].([]any)[0] // panics on an empty list
		case "modify":
			if home, ok := d["home"].(map[string]any); ok {
				home["city"] = "changed" // the engine's copy: must not reach the input
			}
		case "invalid":
			d["i"] = "not a number"
		}
		return d, nil
	}
	err := errors.Join(
		core.Register[gAddress](m, "Address", "1.0.0"),
		core.Register[gNode](m, "Node", "1.0.0"),
		core.Register[gAll](m, "All", "1.0.0"),
		core.Register[gAll](m, "All", "2.0.0"),
		m.RegisterMigration("All", "1.0.0", "2.0.0", fn),
	)
	if err != nil {
		f.Fatal(err)
	}
	transmutetest.Fuzz(f, m, "All", "1.0.0", "2.0.0")
}

// The seed corpus alone finds a panicking function and an invalid result;
// a function that changes its argument is harmless (the engine works on a
// copy), and Fuzz says nothing.
func TestFuzzFindsBugs(t *testing.T) {
	for bug, want := range map[string]string{
		"panic":   "panic: runtime error",
		"invalid": `validation failed for "All" 2.0.0: field "i"`,
		"modify":  "",
	} {
		t.Run(bug, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^FuzzBuggy$", "-test.count=1")
			cmd.Env = append(os.Environ(), buggyEnv+"="+bug)
			out, err := cmd.CombinedOutput()
			if want == "" {
				if err != nil {
					t.Fatalf("a harmless function failed the target: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(string(out), want) {
				t.Fatalf("err %v, want a failure saying %q:\n%s", err, want, out)
			}
		})
	}
}
