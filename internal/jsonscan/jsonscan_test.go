package jsonscan_test

import (
	"testing"

	"github.com/transmute-go/transmute/internal/jsonscan"
)

// TestMembers: the members of an object, where each value is and where
// each member ends (its comma included); anything not read with
// certainty is refused.
func TestMembers(t *testing.T) {
	b := []byte(` {"a": 1, "b":{"x":[1,"}"]} ,"c":"d"} `)
	ms, ok := jsonscan.Members(b, nil)
	if !ok || len(ms) != 3 {
		t.Fatalf("%v %+v", ok, ms)
	}
	for i, want := range []struct{ key, val string }{{"a", "1"}, {"b", `{"x":[1,"}"]}`}, {"c", `"d"`}} {
		if m := ms[i]; string(m.Key) != want.key || string(b[m.ValStart:m.ValEnd]) != want.val {
			t.Errorf("member %d: %q = %q", i, m.Key, b[m.ValStart:m.ValEnd])
		}
	}
	if got := string(b[ms[0].Start:ms[0].End]); got != `"a": 1,` {
		t.Errorf("the first member with its comma: %q", got)
	}
	for _, bad := range []string{`[1]`, `{"a\"b":1}`, `{"a":1} x`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, ``, `{`} {
		if _, ok := jsonscan.Members([]byte(bad), nil); ok {
			t.Errorf("%q was read", bad)
		}
	}
	if ms, ok := jsonscan.Members([]byte(`{}`), nil); !ok || len(ms) != 0 {
		t.Errorf("{}: %v %v", ms, ok)
	}
}
