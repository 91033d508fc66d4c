package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Entry is one line of a trail, as [Read] and [Entries] parse it. The
// fields a line does not have (the error fields of a success, the trace
// IDs without [WithTraceIDs]) are left zero.
type Entry struct {
	Timestamp    time.Time      `json:"timestamp"`
	Model        string         `json:"model"`
	From         core.Version   `json:"from_version"`
	To           core.Version   `json:"to_version"`
	Status       Status         `json:"status"`
	OriginalKeys []string       `json:"original_keys,omitempty"`
	MigratedKeys []string       `json:"migrated_keys,omitempty"`
	ErrorType    string         `json:"error_type,omitempty"`
	ErrorMessage string         `json:"error_message,omitempty"`
	DataKeys     []string       `json:"data_keys,omitempty"`
	DurationMS   float64        `json:"duration_ms"`
	TraceID      string         `json:"trace_id,omitempty"`
	SpanID       string         `json:"span_id,omitempty"`
	Values       map[string]any `json:"values,omitempty"`
}

// Duration returns DurationMS as a [time.Duration].
func (e Entry) Duration() time.Duration {
	return time.Duration(e.DurationMS * float64(time.Millisecond))
}

// Read parses a whole trail. Blank lines are skipped. At the first line
// that is not a valid entry (such as the partial last line of a crashed
// writer) it stops and returns the entries before it with a *[LineError].
func Read(r io.Reader) ([]Entry, error) {
	var out []Entry
	for e, err := range Entries(r) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Entries iterates over the entries of a trail, one line at a time, with
// no limit on the length of a line. A line that is not a valid entry
// yields a *[LineError] and the iteration goes on with the next line; an
// error of r ends it.
func Entries(r io.Reader) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		for n := 1; ; n++ {
			line, rerr := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				e, err := parseEntry(line)
				if err != nil {
					if !yield(Entry{}, &LineError{Line: n, Err: err}) {
						return
					}
				} else if !yield(e, nil) {
					return
				}
			}
			if rerr == io.EOF {
				return
			}
			if rerr != nil {
				yield(Entry{}, fmt.Errorf("audit: read: %w", rerr))
				return
			}
		}
	}
}

func parseEntry(line []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil {
		return Entry{}, err
	}
	switch {
	case e.Status != StatusSuccess && e.Status != StatusError:
		return Entry{}, fmt.Errorf("status %q is neither %q nor %q", e.Status, StatusSuccess, StatusError)
	case e.Timestamp.IsZero():
		return Entry{}, fmt.Errorf("not an audit entry: no timestamp")
	}
	return e, nil
}
