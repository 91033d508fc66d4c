package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// FuzzAppendString: every string encodes to one valid JSON string, with no
// raw control byte, that decodes to what encoding/json makes of it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"`, `\`, "\n\r\t\b\f", "\x00\x1f\x7f", "é日本🙂",
		"\u2028\u2029", "\xff", "\xc3", "a\xe6\x97b", "\xed\xa0\x80", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		for _, c := range b {
			if c < 0x20 {
				t.Fatalf("raw control byte %#x in %q", c, b)
			}
		}
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encodes to invalid JSON %q: %v", s, b, err)
		}
		ref, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%q decodes to %q, encoding/json gives %q", s, got, want)
		}
	})
}

func TestAppendStringASCIIIsCopied(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"a\nb\tc\rd", `"a\nb\tc\rd"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\xff", `"\ufffd"`},
		{"\u2028", `"\u2028"`},
		{"é", `"é"`},
	} {
		if got := string(appendString(nil, tc.in)); got != tc.want {
			t.Errorf("appendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	type point struct{ X, Y int }
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "null"},
		{"s", `"s"`},
		{true, "true"},
		{1.5, "1.5"},
		{1e21, "1e+21"},
		{1e-7, "1e-07"},
		{100000000.0, "100000000"},
		{42, "42"},
		{int64(-7), "-7"},
		{json.Number("12.5"), "12.5"},
		{[]any{1.0, "a"}, `[1,"a"]`},
		{map[string]any{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{point{1, 2}, `{"X":1,"Y":2}`},
		{uint8(3), "3"},
	} {
		b, err := appendValue(nil, tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("appendValue(%#v) = %s, %v; want %s", tc.v, b, err, tc.want)
		}
		if !json.Valid(b) {
			t.Errorf("appendValue(%#v) = %s: invalid JSON", tc.v, b)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), make(chan int), json.Number("x")} {
		if b, err := appendValue([]byte("keep"), bad); err == nil || string(b) != "keep" {
			t.Errorf("appendValue(%v) = %s, %v; want an error and b unchanged", bad, b, err)
		}
	}
}

// A MarshalJSON that returns indented JSON still gives one line.
type indented struct{}

func (indented) MarshalJSON() ([]byte, error) { return []byte("{\n  \"a\": 1\n}"), nil }

func TestAppendValueCompactsMarshalers(t *testing.T) {
	b, err := appendValue(nil, indented{})
	if err != nil || bytes.ContainsAny(b, "\n ") {
		t.Fatalf("appendValue = %q, %v", b, err)
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1.0 / 3, 1e6, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, 5e-324, math.MaxFloat64} {
		want, _ := json.Marshal(f)
		got := appendFloat(nil, f)
		g, _ := strconv.ParseFloat(string(got), 64)
		w, _ := strconv.ParseFloat(string(want), 64)
		if g != w || !json.Valid(got) {
			t.Errorf("appendFloat(%v) = %s, encoding/json %s", f, got, want)
		}
	}
}
