package httpversion

import "testing"

func TestDropMember(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"v":"1.0.0","a":1}`, `{"a":1}`},
		{`{"a":1,"v":"1.0.0"}`, `{"a":1}`},
		{`{"a":1,"v":"1.0.0","b":{"v":2}}`, `{"a":1,"b":{"v":2}}`},
		{`{"v":"1.0.0"}`, `{}`},
		{`{"a":1}`, `{"a":1}`},
		{`{"a\"":1,"v":"x"}`, `{"a\"":1,"v":"x"}`}, // not read with certainty: left as it is
	} {
		if got := string(dropMember([]byte(c.in), "v")); got != c.want {
			t.Errorf("dropMember(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	if hasMember([]byte(`{"a":{"v":1}}`), "v") || !hasMember([]byte(`{"a":1,"v":1}`), "v") || !hasMember([]byte(`{"a\"":1}`), "v") {
		t.Error("hasMember")
	}
}
