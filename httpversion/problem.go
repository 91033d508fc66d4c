package httpversion

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// problem is an RFC 9457 problem details object.
type problem struct {
	Type          string   `json:"type"`
	Title         string   `json:"title"`
	Status        int      `json:"status"`
	Detail        string   `json:"detail,omitempty"`
	KnownVersions []string `json:"known_versions,omitempty"`
	Field         string   `json:"field,omitempty"`
	ErrorType     string   `json:"error_type,omitempty"`
}

// write writes p as application/problem+json, replacing whatever
// representation headers the handler had set.
func (p *problem) write(w http.ResponseWriter) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	b, _ := json.Marshal(p) // a problem always encodes
	h := w.Header()
	h.Del("Content-Encoding")
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}
