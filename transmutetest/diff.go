package transmutetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// Diff returns the differences between two records as JSON sees them, one
// line per field, or "" when there is none: a field missing from got, a
// field got has in more, or a value that differs, named by its path
// ("address.city", "tags[2]"). Numbers compare by their JSON text, so the
// int 30 and the float64 30 are equal, as they are once encoded.
func Diff(want, got map[string]any) string {
	w, okw := normalize(want)
	g, okg := normalize(got)
	if !okw || !okg { // not JSON: compare as Go values
		if reflect.DeepEqual(want, got) {
			return ""
		}
		return fmt.Sprintf("  want %#v\n  got  %#v\n", want, got)
	}
	var lines []string
	diffValue("", w, g, &lines)
	if len(lines) == 0 {
		return ""
	}
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

// normalize decodes the JSON encoding of v, numbers as json.Number.
func normalize(v map[string]any) (any, bool) {
	if v == nil {
		return nil, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	out, err := core.DecodeJSON(b)
	if err != nil {
		return nil, false
	}
	return out, true
}

func diffValue(path string, want, got any, lines *[]string) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		diffMaps(path, wm, gm, lines)
		return
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			diffValue(fmt.Sprintf("%s[%d]", path, i), wl[i], gl[i], lines)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		*lines = append(*lines, fmt.Sprintf("%s: want %s, got %s", name(path), jsonText(want), jsonText(got)))
	}
}

func diffMaps(path string, want, got map[string]any, lines *[]string) {
	keys := slices.Sorted(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inGot:
			*lines = append(*lines, fmt.Sprintf("%s: missing, want %s", p, jsonText(w)))
		case !inWant:
			*lines = append(*lines, fmt.Sprintf("%s: unexpected, got %s", p, jsonText(g)))
		default:
			diffValue(p, w, g, lines)
		}
	}
}

func name(path string) string {
	if path == "" {
		return "record"
	}
	return path
}

// jsonText is v in JSON, or in Go syntax when it has no JSON form.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
