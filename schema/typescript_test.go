package schema_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

// requireTSCEnv makes the TypeScript check mandatory: .ci/run sets it, so
// CI never skips it.
const requireTSCEnv = "TRANSMUTE_REQUIRE_TSC"

// tsc returns the path of the pinned tsc, installing TypeScript and Zod
// from the npm registry (testdata/tsc/package.json) on first use. Without
// npm it skips the test, unless TRANSMUTE_REQUIRE_TSC is set.
func tsc(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "tsc"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "tsc")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv(requireTSCEnv) != "" {
			t.Fatalf("npm not found and %s is set: install Node.js with npm", requireTSCEnv)
		}
		t.Skip("npm not found: the generated TypeScript is not type-checked (install Node.js to run this check)")
	}
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install in %s: %v\n%s", dir, err, out)
	}
	return bin
}

// typeCheck writes files into a folder under testdata/tsc (where "zod"
// resolves) and runs tsc --noEmit --strict on them.
func typeCheck(t *testing.T, files map[string][]byte) {
	t.Helper()
	bin := tsc(t)
	dir, err := os.MkdirTemp(filepath.Join("testdata", "tsc"), "run-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	args := []string{"--noEmit", "--strict", "--target", "es2020", "--module", "commonjs", "--moduleResolution", "node"}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tsc: %v\n%s", err, out)
	}
}

// exportAll returns every version of every model of m in the TypeScript
// styles, by file name.
func exportAll(t *testing.T, m *core.Manager) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, model := range m.Models() {
		versions, _ := m.Versions(model)
		for _, v := range versions {
			for _, st := range []schema.Style{schema.StyleInterface, schema.StyleTypeAlias, schema.StyleZod} {
				doc, err := schema.TypeScript(m, model, v.String(), st)
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimSuffix(schema.FileName(model, v, schema.FormatTypeScript), ".ts")
				files[name+[]string{".interface.ts", ".alias.ts", ".zod.ts"}[st]] = doc
			}
		}
	}
	return files
}

func TestTypeScriptTypeChecks(t *testing.T) {
	typeCheck(t, exportAll(t, newManager()))
}

func TestTypeScriptStyleUnknown(t *testing.T) {
	if _, err := schema.TypeScript(newManager(), "User", "1.0.0", schema.Style(9)); err == nil {
		t.Fatal("an unknown style was accepted")
	}
}
