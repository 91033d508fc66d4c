package httpversion

import "github.com/transmute-go/transmute/httpversion/internal/jsonscan"

// hasMember reports whether the JSON object b has a top-level key; true
// when b cannot be read with certainty (a key with an escape, say), so
// that the caller leaves it as it is.
func hasMember(b []byte, key string) bool {
	var buf [32]jsonscan.Member
	ms, ok := jsonscan.Members(b, buf[:0])
	if !ok {
		return true
	}
	for _, m := range ms {
		if string(m.Key) == key {
			return true
		}
	}
	return false
}

// dropMember returns b without its top-level member key, removed in
// place: b must be the caller's own (b itself when it has none, or cannot
// be read with certainty).
func dropMember(b []byte, key string) []byte {
	var buf [32]jsonscan.Member
	ms, ok := jsonscan.Members(b, buf[:0])
	if !ok {
		return b
	}
	for i, m := range ms {
		if string(m.Key) != key {
			continue
		}
		start, end := m.Start, m.End // with its comma, if another member follows
		if i == len(ms)-1 && i > 0 {
			start = ms[i-1].ValEnd // the last: drop the comma before it
		}
		return append(b[:start], b[end:]...)
	}
	return b
}
