package transmutetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
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
	differences(nil, w, g, func(d difference) { lines = append(lines, d.line()) })
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

// difference is one place where two JSON values differ: at path, want
// (if in want) and got (if in got).
type difference struct {
	path          []step
	want, got     any
	inWant, inGot bool
}

// step is a step of a path: an object's key, or (key "") a list's index.
type step struct {
	key   string
	index int
}

// differences calls fn for each place where the JSON values want and got
// (as normalize gives them) differ, keys in sorted order.
func differences(path []step, want, got any, fn func(difference)) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		keys := slices.Sorted(maps.Keys(wm))
		for k := range gm {
			if _, ok := wm[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := append(slices.Clip(path), step{key: k})
			w, inW := wm[k]
			g, inG := gm[k]
			if !inW || !inG {
				fn(difference{path: p, want: w, got: g, inWant: inW, inGot: inG})
				continue
			}
			differences(p, w, g, fn)
		}
		return
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			differences(append(slices.Clip(path), step{index: i}), wl[i], gl[i], fn)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		fn(difference{path: path, want: want, got: got, inWant: true, inGot: true})
	}
}

// line is a difference as Diff writes it.
func (d difference) line() string {
	switch {
	case !d.inGot:
		return name(d.path) + ": missing, want " + jsonText(d.want)
	case !d.inWant:
		return name(d.path) + ": unexpected, got " + jsonText(d.got)
	}
	return name(d.path) + ": want " + jsonText(d.want) + ", got " + jsonText(d.got)
}

// name is a path as Diff writes it: "address.city", "tags[2]", "record"
// for the whole.
func name(path []step) string {
	if len(path) == 0 {
		return "record"
	}
	var b strings.Builder
	for i, s := range path {
		switch {
		case s.key == "":
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case i > 0:
			b.WriteString("." + s.key)
		default:
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// pointer is a path as a JSON pointer: "/address/city", "/tags/2", ""
// for the whole.
func pointer(path []step) string {
	var b strings.Builder
	for _, s := range path {
		b.WriteByte('/')
		if s.key == "" {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s.key, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// jsonText is v in JSON, or in Go syntax when it has no JSON form.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
