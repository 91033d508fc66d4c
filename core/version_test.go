package core_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

func TestParseVersion(t *testing.T) {
	good := []struct {
		in   string
		want core.Version
	}{
		{"0.0.0", core.Version{}},
		{"1.0.0", core.Version{Major: 1}},
		{"1.2.3", core.Version{Major: 1, Minor: 2, Patch: 3}},
		{"10.20.30", core.Version{Major: 10, Minor: 20, Patch: 30}},
		{"0.10.0", core.Version{Minor: 10}},
		{"2147483647.0.1", core.Version{Major: 2147483647, Patch: 1}},
	}
	for _, tc := range good {
		t.Run(tc.in, func(t *testing.T) {
			v, err := core.ParseVersion(tc.in)
			if err != nil {
				t.Fatalf("ParseVersion(%q): %v", tc.in, err)
			}
			if v != tc.want {
				t.Fatalf("ParseVersion(%q) = %+v, want %+v", tc.in, v, tc.want)
			}
			if v.String() != tc.in {
				t.Fatalf("String() = %q, want %q", v.String(), tc.in)
			}
		})
	}

	bad := []string{
		"", ".", "..", "1", "1.0", "1.0.", ".1.0", "1..0", "1.0.0.0",
		"v1.0.0", "V1.0.0", "1.0.0-rc1", "1.0.0+build", "1.0.0-", " 1.0.0", "1.0.0 ", "1. 0.0",
		"+1.0.0", "-1.0.0", "1.-0.0", "01.0.0", "1.00.0", "1.0.01", "00.0.0",
		"2147483648.0.0", "99999999999999999999.0.0", "1.0.99999999999999999999999",
		"١.0.0", "1.٠.0", "１.0.0", "1.0.0\x00", "1,0,0", "1.0.0\n", "a.b.c", "1.0.x", "0x1.0.0", "1e3.0.0",
	}
	for _, in := range bad {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			v, err := core.ParseVersion(in)
			if err == nil {
				t.Fatalf("ParseVersion(%q) = %v, want an error", in, v)
			}
			if !errors.Is(err, core.ErrInvalidVersion) {
				t.Fatalf("error %v does not match ErrInvalidVersion", err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(in)) {
				t.Fatalf("error %q does not quote the input %q", err, strconv.Quote(in))
			}
			var ve *core.VersionError
			if !errors.As(err, &ve) || ve.Input != in {
				t.Fatalf("error %v: want a *VersionError with Input %q", err, in)
			}
			if got := core.ErrorType(err); got != "invalid_version" {
				t.Fatalf("ErrorType = %q, want invalid_version", got)
			}
			if v != (core.Version{}) {
				t.Fatalf("a failed parse returned %+v", v)
			}
		})
	}
}

func TestParseVersionNonASCIIReason(t *testing.T) {
	_, err := core.ParseVersion("١.0.0")
	if err == nil || !strings.Contains(err.Error(), "'١'") {
		t.Fatalf("error %v should name the character '١'", err)
	}
}

func TestVersionCompare(t *testing.T) {
	vs := []string{"0.0.0", "0.0.1", "0.1.0", "0.1.1", "1.0.0", "1.0.9", "1.2.0", "1.10.0", "2.0.0", "10.0.0"}
	for i, a := range vs {
		for j, b := range vs {
			va, vb := core.MustParseVersion(a), core.MustParseVersion(b)
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := va.Compare(vb); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, want)
			}
			if got := va.Less(vb); got != (want < 0) {
				t.Errorf("%s.Less(%s) = %v", a, b, got)
			}
		}
	}
	shuffled := []core.Version{core.MustParseVersion("2.0.0"), core.MustParseVersion("1.10.0"), core.MustParseVersion("1.2.0"), core.MustParseVersion("1.2.0")}
	slices.SortFunc(shuffled, core.Version.Compare)
	var got []string
	for _, v := range shuffled {
		got = append(got, v.String())
	}
	equal(t, got, []string{"1.2.0", "1.2.0", "1.10.0", "2.0.0"})
}

func TestMustParseVersion(t *testing.T) {
	if v := core.MustParseVersion("3.2.1"); v != (core.Version{Major: 3, Minor: 2, Patch: 1}) {
		t.Fatalf("MustParseVersion = %+v", v)
	}
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, core.ErrInvalidVersion) {
			t.Fatalf("MustParseVersion(bad) panicked with %v, want an ErrInvalidVersion", r)
		}
	}()
	core.MustParseVersion("1.0")
	t.Fatal("MustParseVersion did not panic")
}

func TestVersionText(t *testing.T) {
	type doc struct {
		V core.Version `json:"v"`
	}
	b, err := json.Marshal(doc{V: core.Version{Major: 1, Minor: 2, Patch: 3}})
	mustOK(t, err)
	equal(t, string(b), `{"v":"1.2.3"}`)
	var d doc
	mustOK(t, json.Unmarshal(b, &d))
	equal(t, d.V, core.Version{Major: 1, Minor: 2, Patch: 3})
	if err := json.Unmarshal([]byte(`{"v":"1.2"}`), &d); !errors.Is(err, core.ErrInvalidVersion) {
		t.Fatalf("unmarshal of a bad version: %v", err)
	}
	if !(core.Version{}).IsZero() || core.MustParseVersion("0.0.1").IsZero() {
		t.Fatal("IsZero is wrong")
	}
}
