// Package jsonscan reads the top-level members of a JSON object without
// decoding their values: the engine's fast paths (the version key of a
// record, the keys of a typed step's input) and httpversion's (whether a
// body carries the version key) use it. It is internal because it serves
// this project's modules, not its users.
package jsonscan

// Member is one top-level member of a JSON object: its key (as written,
// without quotes: only keys with no escapes are read) and where its value
// is, and where the member starts and ends (with its comma, if any).
type Member struct {
	Key              []byte
	ValStart, ValEnd int
	Start, End       int
}

// Members reads the top-level members of the JSON object b into dst
// without decoding the values. It returns ok false for anything it does
// not read with certainty (not an object, a key with an escape, text
// that is not JSON as far as it can tell): the caller then decodes b the
// slow way, which says what is wrong.
func Members(b []byte, dst []Member) ([]Member, bool) {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return dst, false
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return dst, SkipSpace(b, i+1) == len(b)
	}
	for {
		start := i
		if i >= len(b) || b[i] != '"' {
			return dst, false
		}
		end, escaped := skipString(b, i)
		if end < 0 || escaped {
			return dst, false
		}
		key := b[i+1 : end-1]
		i = SkipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return dst, false
		}
		vs := SkipSpace(b, i+1)
		ve := skipValue(b, vs, 0)
		if ve < 0 {
			return dst, false
		}
		i = SkipSpace(b, ve)
		if i >= len(b) {
			return dst, false
		}
		switch b[i] {
		case ',':
			dst = append(dst, Member{Key: key, ValStart: vs, ValEnd: ve, Start: start, End: i + 1})
			i = SkipSpace(b, i+1)
		case '}':
			dst = append(dst, Member{Key: key, ValStart: vs, ValEnd: ve, Start: start, End: i})
			return dst, SkipSpace(b, i+1) == len(b)
		default:
			return dst, false
		}
	}
}

// SkipSpace returns the index of the first byte at or after i that is
// not JSON white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string at b[i] (just past its closing
// quote), or -1, and whether it has an escape.
func skipString(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// maxScanDepth bounds the nesting skipValue follows; deeper values are
// left to the decoder.
const maxScanDepth = 64

// skipValue returns the end of the JSON value at b[i], or -1. It checks
// the brackets and strings, not every character: the decoder that reads
// the value later checks the rest.
func skipValue(b []byte, i, depth int) int {
	if i >= len(b) || depth > maxScanDepth {
		return -1
	}
	switch c := b[i]; c {
	case '"':
		end, _ := skipString(b, i)
		return end
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i = SkipSpace(b, i+1)
		if i < len(b) && b[i] == closing {
			return i + 1
		}
		for {
			if c == '{' {
				end, _ := skipString(b, i)
				if end < 0 {
					return -1
				}
				i = SkipSpace(b, end)
				if i >= len(b) || b[i] != ':' {
					return -1
				}
				i = SkipSpace(b, i+1)
			}
			i = skipValue(b, i, depth+1)
			if i < 0 {
				return -1
			}
			i = SkipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == closing {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = SkipSpace(b, i+1)
		}
	default:
		j := i
		for j < len(b) && !isDelimiter(b[j]) {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r', ':', '"', '{', '[':
		return true
	}
	return false
}

// Elements calls fn with each element of the JSON array b, in order,
// until fn returns false; it returns false when fn did, or when b is not
// an array it reads with certainty.
func Elements(b []byte, fn func(v []byte) bool) bool {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return SkipSpace(b, i+1) == len(b)
	}
	for {
		end := skipValue(b, i, 0)
		if end < 0 || !fn(b[i:end]) {
			return false
		}
		i = SkipSpace(b, end)
		switch {
		case i < len(b) && b[i] == ',':
			i = SkipSpace(b, i+1)
		case i < len(b) && b[i] == ']':
			return SkipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}
