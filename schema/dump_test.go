package schema_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

func TestDumpWritesEveryVersionWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b") // created
	paths, err := schema.Dump(newManager(), dir, schema.FormatAvro)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	want := []string{"Address_v1_0_0.avsc", "Address_v2_0_0.avsc", "User_v1_0_0.avsc", "User_v2_0_0.avsc", "User_v3_0_0.avsc"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(want) {
		t.Fatalf("%d entries in the folder: a temporary file was left", len(entries))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

func TestDumpModelsAndTransforms(t *testing.T) {
	dir := t.TempDir()
	var order []string
	paths, err := schema.Dump(newManager(), dir, schema.FormatJSON, schema.WithModels("Address"),
		schema.WithTransform(func(model string, v core.Version, doc map[string]any) (map[string]any, error) {
			order = append(order, "first "+v.String())
			doc["$id"] = "https://example.com/" + model + "/" + v.String()
			return doc, nil
		}),
		schema.WithTransform(func(model string, v core.Version, doc map[string]any) (map[string]any, error) {
			order = append(order, "second "+v.String())
			doc["x-id-seen"] = doc["$id"]
			return doc, nil
		}),
		nil,
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || !slices.Equal(order, []string{"first 1.0.0", "second 1.0.0", "first 2.0.0", "second 2.0.0"}) {
		t.Fatalf("paths %v, transforms ran %v", paths, order)
	}
	var doc map[string]any
	b, _ := os.ReadFile(paths[1])
	must(json.Unmarshal(b, &doc))
	if doc["$id"] != "https://example.com/Address/2.0.0" || doc["x-id-seen"] != doc["$id"] {
		t.Fatalf("document %v", doc)
	}

	_, err = schema.Dump(newManager(), dir, schema.FormatJSON, schema.WithTransform(func(string, core.Version, map[string]any) (map[string]any, error) {
		return nil, errors.New("refused")
	}))
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("a failing transform: %v", err)
	}
}

func TestDumpUnknownModelWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, err := schema.Dump(newManager(), dir, schema.FormatProto, schema.WithModels("User", "Nope"))
	if !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("the folder was created for a failed dump")
	}
}

func TestFormats(t *testing.T) {
	for _, f := range allFormats {
		back, err := schema.ParseFormat(f.String())
		if err != nil || back != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f, back, err)
		}
	}
	if _, err := schema.ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "json, avro, proto, typescript, zod") {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
	if got := schema.FileName("Edge-Case", core.MustParseVersion("1.2.3"), schema.FormatZod); got != "Edge_Case_v1_2_3.zod.ts" {
		t.Errorf("FileName = %q", got)
	}
	if _, err := schema.Export(newManager(), "User", "1.0.0", schema.Format(42)); err == nil {
		t.Error("an unknown format was exported")
	}
	if _, err := schema.JSON(nil, "User", "1.0.0"); err == nil {
		t.Error("a nil manager was accepted")
	}
}

// Exporting 100 model versions of 20 fields takes well under a second: a
// benchmark, not a timed test (see docs/benchmarks.md).
func BenchmarkDump100Versions(b *testing.B) {
	m := core.NewManager()
	fields := make([]core.Field, 20)
	for i := range fields {
		fields[i] = core.Field{Name: "field_" + string(rune('a'+i)), Kind: core.Kind(1 + i%4), Required: i%2 == 0}
	}
	for i := range 100 {
		must(m.RegisterSchema("M", core.Version{Major: i + 1}.String(), core.Schema{Fields: fields}))
	}
	for _, f := range allFormats {
		b.Run(f.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := schema.Dump(m, b.TempDir(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
