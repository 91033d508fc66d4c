package transmutetest_test

import (
	"math"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/transmutetest"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got map[string]any
		lines     []string // "" means equal
	}{
		{"equal", map[string]any{"a": 1}, map[string]any{"a": 1}, nil},
		{"int and float are one JSON number", map[string]any{"n": 30}, map[string]any{"n": 30.0}, nil},
		{"both nil", nil, nil, nil},
		{"value", map[string]any{"a": 1}, map[string]any{"a": "1"}, []string{`a: want 1, got "1"`}},
		{"nested", map[string]any{"addr": map[string]any{"city": "Paris", "zip": "1"}},
			map[string]any{"addr": map[string]any{"city": "Lyon", "zip": "1"}}, []string{`addr.city: want "Paris", got "Lyon"`}},
		{"list element", map[string]any{"tags": []any{"a", "b"}}, map[string]any{"tags": []string{"a", "c"}}, []string{`tags[1]: want "b", got "c"`}},
		{"list length", map[string]any{"tags": []any{"a"}}, map[string]any{"tags": []any{"a", "b"}}, []string{`tags: want ["a"], got ["a","b"]`}},
		{"missing and unexpected, sorted", map[string]any{"b": 1, "a": 2}, map[string]any{"c": 3, "a": 2},
			[]string{`b: missing, want 1`, `c: unexpected, got 3`}},
		{"big integers stay exact", map[string]any{"n": int64(9007199254740993)}, map[string]any{"n": int64(9007199254740992)},
			[]string{`n: want 9007199254740993, got 9007199254740992`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := transmutetest.Diff(tc.want, tc.got)
			if len(tc.lines) == 0 {
				if d != "" {
					t.Fatalf("Diff = %q, want none", d)
				}
				return
			}
			got := strings.Split(strings.TrimSpace(d), "\n")
			if len(got) != len(tc.lines) {
				t.Fatalf("Diff =\n%s\nwant %q", d, tc.lines)
			}
			for i, l := range tc.lines {
				if strings.TrimSpace(got[i]) != l {
					t.Errorf("line %d = %q, want %q", i, strings.TrimSpace(got[i]), l)
				}
			}
		})
	}
	// Values with no JSON form are compared as Go values.
	nan := map[string]any{"x": math.NaN()}
	if transmutetest.Diff(nan, map[string]any{"x": 1.0}) == "" {
		t.Error("a NaN equals 1")
	}
}
