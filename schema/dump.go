package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema/internal/atomicfile"
)

// Format is a schema format [Dump] writes.
type Format int

// The formats of Dump, with the file name ending each one gets.
const (
	FormatJSON       Format = iota // .json, JSON Schema
	FormatAvro                     // .avsc
	FormatProto                    // .proto
	FormatTypeScript               // .ts, interfaces
	FormatZod                      // .zod.ts
)

var formatNames = [...]string{"json", "avro", "proto", "typescript", "zod"}
var formatExts = [...]string{".json", ".avsc", ".proto", ".ts", ".zod.ts"}

// String returns the format's name: "json", "avro", "proto",
// "typescript" or "zod".
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the Format of a name that [Format.String] returns.
func ParseFormat(name string) (Format, error) {
	if i := slices.Index(formatNames[:], strings.ToLower(name)); i >= 0 {
		return Format(i), nil
	}
	return 0, fmt.Errorf("schema: unknown format %q (want one of %s)", name, strings.Join(formatNames[:], ", "))
}

// Export returns the document of one model version in format f.
func Export(m *core.Manager, model, version string, f Format, opts ...Option) ([]byte, error) {
	switch f {
	case FormatJSON:
		return JSON(m, model, version, opts...)
	case FormatAvro:
		return Avro(m, model, version, opts...)
	case FormatProto:
		return Proto(m, model, version, opts...)
	case FormatTypeScript:
		return TypeScript(m, model, version, StyleInterface, opts...)
	case FormatZod:
		return TypeScript(m, model, version, StyleZod, opts...)
	}
	return nil, fmt.Errorf("schema: unknown format %d", int(f))
}

// FileName returns the name Dump gives the file of a model version in
// format f, such as "User_v1_0_0.json".
func FileName(model string, v core.Version, f Format) string {
	ext := ".out"
	if f >= 0 && int(f) < len(formatExts) {
		ext = formatExts[f]
	}
	return identifier(model) + "_" + versionSuffix(v) + ext
}

// Dump writes every version of every registered model (or of the models
// of [WithModels]) in format f into dir, which it creates, and returns
// the paths written, sorted. Each file is written whole: to a temporary
// file in dir, then renamed, so a reader never sees half a schema. An
// unknown model in WithModels is an error matching core.ErrModelNotFound,
// and nothing is written.
func Dump(m *core.Manager, dir string, f Format, opts ...Option) ([]string, error) {
	cfg := newConfig(opts)
	models := cfg.models
	if len(models) == 0 {
		models = m.Models()
	}
	type file struct {
		path string
		data []byte
	}
	var files []file
	for _, model := range models {
		versions, err := m.Versions(model)
		if err != nil {
			return nil, fmt.Errorf("schema: dump: %w", err)
		}
		for _, v := range versions {
			data, err := Export(m, model, v.String(), f, opts...)
			if err != nil {
				return nil, err
			}
			files = append(files, file{filepath.Join(dir, FileName(model, v, f)), data})
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("schema: dump: %w", err)
	}
	paths := make([]string, 0, len(files))
	for _, fl := range files {
		if err := atomicfile.WriteFile(fl.path, fl.data, atomicfile.Public); err != nil {
			return paths, fmt.Errorf("schema: write %s: %w", fl.path, err)
		}
		paths = append(paths, fl.path)
	}
	slices.Sort(paths)
	return paths, nil
}
