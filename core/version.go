package core

import (
	"cmp"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Version is a semantic version MAJOR.MINOR.PATCH of a model.
type Version struct {
	Major, Minor, Patch int
}

// maxVersionPart bounds each numeric part so that parsing never overflows.
const maxVersionPart = 1<<31 - 1

// ParseVersion parses a strict MAJOR.MINOR.PATCH string: ASCII digits only,
// no sign, no spaces, no "v" prefix, no pre-release or build suffix, and no
// leading zeros (other than "0" itself). A bad string gives a *VersionError
// that matches [ErrInvalidVersion].
func ParseVersion(s string) (Version, error) {
	var parts [3]int
	p, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && n == 0 {
				return Version{}, &VersionError{Input: s, Reason: "leading zero"}
			}
			if n > (maxVersionPart-int(c-'0'))/10 {
				return Version{}, &VersionError{Input: s, Reason: "number too large"}
			}
			n = n*10 + int(c-'0')
			digits++
		case c == '.':
			if digits == 0 {
				return Version{}, &VersionError{Input: s, Reason: "empty part"}
			}
			if p == 2 {
				return Version{}, &VersionError{Input: s, Reason: "want MAJOR.MINOR.PATCH"}
			}
			parts[p] = n
			p, n, digits = p+1, 0, 0
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return Version{}, &VersionError{Input: s, Reason: fmt.Sprintf("unexpected character %q", r)}
		}
	}
	if p != 2 || digits == 0 {
		return Version{}, &VersionError{Input: s, Reason: "want MAJOR.MINOR.PATCH"}
	}
	parts[2] = n
	return Version{parts[0], parts[1], parts[2]}, nil
}

// MustParseVersion is like [ParseVersion] but panics on a bad string. It is
// meant for constants in tests and package-level variables.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the version as MAJOR.MINOR.PATCH.
func (v Version) String() string {
	b := make([]byte, 0, 16)
	return string(v.appendText(b))
}

// AppendText implements [encoding.TextAppender]: it appends the
// MAJOR.MINOR.PATCH form of v to b. The error is always nil.
func (v Version) AppendText(b []byte) ([]byte, error) { return v.appendText(b), nil }

func (v Version) appendText(b []byte) []byte {
	b = strconv.AppendInt(b, int64(v.Major), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v.Minor), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(v.Patch), 10)
}

// MarshalText implements [encoding.TextMarshaler].
func (v Version) MarshalText() ([]byte, error) { return v.appendText(nil), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseVersion].
func (v *Version) UnmarshalText(b []byte) error {
	p, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than o.
func (v Version) Compare(o Version) int {
	if c := cmp.Compare(v.Major, o.Major); c != 0 {
		return c
	}
	if c := cmp.Compare(v.Minor, o.Minor); c != 0 {
		return c
	}
	return cmp.Compare(v.Patch, o.Patch)
}

// Less reports whether v is lower than o.
func (v Version) Less(o Version) bool { return v.Compare(o) < 0 }

// IsZero reports whether v is 0.0.0.
func (v Version) IsZero() bool { return v == Version{} }
