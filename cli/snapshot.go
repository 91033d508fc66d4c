package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/cli/internal/atomicfile"
	"github.com/transmute-go/transmute/schema"
)

// snapshots compares the JSON Schema of every version with its snapshot
// in f.snapshot, or writes the new and changed ones with f.update.
func (c *checker) snapshots(models []string, f checkFlags) error {
	if f.update {
		if err := os.MkdirAll(f.snapshot, 0o755); err != nil {
			return fmt.Errorf("cannot write the snapshots: %w", err)
		}
	}
	for _, model := range models {
		versions, _ := c.a.m.Versions(model)
		for _, v := range versions {
			cur, err := schema.JSON(c.a.m, model, v.String())
			if err != nil {
				return err
			}
			name := schema.FileName(model, v, schema.FormatJSON)
			path := filepath.Join(f.snapshot, name)
			old, err := c.readSnapshot(path, f)
			switch {
			case errors.Is(err, fs.ErrNotExist) && f.against != "":
				c.note("new: %s %s has no snapshot at %s", model, v, f.against)
				continue
			case errors.Is(err, fs.ErrNotExist):
				c.note("new: %s %s has no snapshot yet", model, v)
			case err != nil:
				return fmt.Errorf("cannot read the snapshot: %w", err)
			case bytes.Equal(old, cur):
				continue
			case f.update:
				c.note("changed: %s %s (%s)", model, v, strings.Join(docChanges(old, cur), "; "))
			default:
				since := "after its snapshot"
				if f.against != "" {
					since = "since " + f.against
				}
				c.fail(report{Check: "snapshot", Model: model, From: v.String(), Code: "schema_changed"},
					"%s %s changed %s: %s (a released version must not change shape: add a version instead, or run check --update if it was never released)",
					model, v, since, strings.Join(docChanges(old, cur), "; "))
				continue
			}
			if f.update {
				if err := atomicfile.WriteFile(path, cur, atomicfile.Public); err != nil {
					return fmt.Errorf("cannot write %s: %w", path, err)
				}
				c.note("wrote %s", path)
			}
		}
	}
	return nil
}

// readSnapshot reads a snapshot file: from the working tree, or with
// --against as committed at that git ref (git show REF:./FILE, run in the
// file's folder). A file the ref does not hold is fs.ErrNotExist; a ref
// git does not know is an error.
func (c *checker) readSnapshot(path string, f checkFlags) ([]byte, error) {
	if f.against == "" {
		return os.ReadFile(path)
	}
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := exec.Command("git", "-C", dir, "rev-parse", "--verify", "--quiet", f.against+"^{commit}").Run(); err != nil {
		return nil, fmt.Errorf("--against %q: not a commit of the git repository of %s", f.against, dir)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", "-C", dir, "show", f.against+":./"+file)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "does not exist") || strings.Contains(stderr.String(), "exists on disk, but not in") {
			return nil, fs.ErrNotExist
		}
		return nil, fmt.Errorf("git show %s:./%s: %s", f.against, file, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// jsonDoc is the part of a JSON Schema document that check compares.
type jsonDoc struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
	Defs       map[string]json.RawMessage `json:"$defs"`
}

// docChanges says how a JSON Schema document changed, field by field, in
// the words of schema.Compare.
func docChanges(old, cur []byte) []string {
	var a, b jsonDoc
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(cur, &b) != nil {
		return []string{"the snapshot is not a JSON Schema document"}
	}
	var out []string
	names := map[string]bool{}
	for n := range a.Properties {
		names[n] = true
	}
	for n := range b.Properties {
		names[n] = true
	}
	for _, n := range sortedKeys(names) {
		pa, inA := a.Properties[n]
		pb, inB := b.Properties[n]
		switch {
		case !inA:
			out = append(out, fmt.Sprintf("field '%s' added", n))
		case !inB:
			out = append(out, fmt.Sprintf("field '%s' removed", n))
		default:
			out = append(out, fieldChanges(n, pa, pb, slices.Contains(a.Required, n), slices.Contains(b.Required, n))...)
		}
	}
	for _, n := range sortedKeys(names2(a.Defs, b.Defs)) {
		if !bytes.Equal(compact(a.Defs[n]), compact(b.Defs[n])) {
			out = append(out, fmt.Sprintf("nested model '%s' changed", n))
		}
	}
	if len(out) == 0 {
		out = append(out, "the document changed")
	}
	return out
}

func fieldChanges(n string, a, b json.RawMessage, reqA, reqB bool) []string {
	var out []string
	ta, tb := typeText(a), typeText(b)
	if ta != tb {
		out = append(out, fmt.Sprintf("field '%s': type %s → %s", n, ta, tb))
	}
	switch {
	case !reqA && reqB:
		out = append(out, fmt.Sprintf("field '%s': now required", n))
	case reqA && !reqB:
		out = append(out, fmt.Sprintf("field '%s': now optional", n))
	}
	da, db := member(a, "default"), member(b, "default")
	if da != db {
		out = append(out, fmt.Sprintf("field '%s': default %s → %s", n, orNone(da), orNone(db)))
	}
	if len(out) == 0 && !bytes.Equal(compact(a), compact(b)) {
		out = append(out, fmt.Sprintf("field '%s' changed", n))
	}
	return out
}

// typeText is a property's type, $ref or format in compact JSON.
func typeText(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	parts := []string{}
	for _, k := range []string{"$ref", "type", "format", "items", "additionalProperties", "anyOf"} {
		if v, ok := m[k]; ok {
			parts = append(parts, string(compact(v)))
		}
	}
	return strings.Join(parts, " ")
}

func member(raw json.RawMessage, key string) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	return string(compact(m[key]))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func names2(a, b map[string]json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
