package schema_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/transmute-go/transmute/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

var allFormats = []schema.Format{schema.FormatJSON, schema.FormatAvro, schema.FormatProto, schema.FormatTypeScript, schema.FormatZod}

// dumpAll writes every format of every model version into a temporary
// folder and returns the paths.
func dumpAll(t *testing.T) (dir string, paths []string) {
	t.Helper()
	dir = t.TempDir()
	m := newManager()
	for _, f := range allFormats {
		p, err := schema.Dump(m, dir, f)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p...)
	}
	return dir, paths
}

// The output is deterministic and matches the committed golden files
// (go test ./... -update rewrites them).
func TestGolden(t *testing.T) {
	_, paths := dumpAll(t)
	if len(paths) != 5*5 {
		t.Fatalf("%d files, want 25", len(paths))
	}
	_, again := dumpAll(t)
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(golden, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range paths {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if second, _ := os.ReadFile(again[i]); !bytes.Equal(got, second) {
			t.Errorf("%s differs between two runs", filepath.Base(p))
		}
		want := filepath.Join(golden, filepath.Base(p))
		if *update {
			if err := os.WriteFile(want, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatalf("%v (run go test -update to write the golden files)", err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s differs from its golden file (go test -update rewrites it):\n%s", filepath.Base(p), got)
		}
	}
}
