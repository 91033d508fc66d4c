package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/transmute-go/transmute/core"
)

// appendLine appends the JSON line of one finished migration to b. It
// uses no reflection unless the values are asked for; the key lists are
// sorted in *scratch, which is kept for the next line.
func (t *Trail) appendLine(b []byte, scratch *[]string, ctx context.Context, e *core.Event, now time.Time, status Status, rec core.Record, err error) []byte {
	b = append(b, `{"timestamp":"`...)
	b = now.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","model":`...)
	b = appendString(b, e.Model)
	b = append(b, `,"from_version":"`...)
	b, _ = e.From.AppendText(b) // never fails
	b = append(b, `","to_version":"`...)
	b, _ = e.To.AppendText(b)
	b = append(b, `","status":"`...)
	b = append(b, status...)
	b = append(b, '"')

	var keys []string
	src := rec
	if status == StatusSuccess {
		b = append(b, `,"original_keys":`...)
		*scratch = e.Data.AppendKeys((*scratch)[:0])
		b = appendKeys(b, *scratch)
		*scratch = rec.AppendKeys((*scratch)[:0])
		keys = *scratch
		b = append(b, `,"migrated_keys":`...)
		b = appendKeys(b, keys)
	} else {
		msg := core.ErrorMessage(err, t.cfg.redact)
		b = append(b, `,"error_type":`...)
		b = appendString(b, core.ErrorType(err))
		b = append(b, `,"error_message":`...)
		b = appendString(b, msg)
		*scratch = e.Data.AppendKeys((*scratch)[:0])
		keys = *scratch
		src = e.Data
		b = append(b, `,"data_keys":`...)
		b = appendKeys(b, keys)
	}

	d := e.Elapsed // measured by the engine; zero in ValidateMigration
	if d == 0 && !e.Start.IsZero() {
		d = now.Sub(e.Start)
	}
	b = append(b, `,"duration_ms":`...)
	b = appendFloat(b, float64(d)/float64(time.Millisecond))

	if t.cfg.traceIDs != nil {
		if traceID, spanID, ok := t.traceIDs(ctx); ok {
			b = append(b, `,"trace_id":`...)
			b = appendString(b, traceID)
			b = append(b, `,"span_id":`...)
			b = appendString(b, spanID)
		}
	}

	if t.cfg.values {
		b = append(b, `,"values":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = t.appendRedacted(b, k, src.Value(k))
		}
		b = append(b, '}')
	}
	return append(b, '}', '\n')
}

// traceIDs calls the user's function, recovering a panic.
func (t *Trail) traceIDs(ctx context.Context) (traceID, spanID string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			traceID, spanID, ok = "", "", false
			t.report(fmt.Errorf("audit: trace-ID function panicked: %v", r))
		}
	}()
	return t.cfg.traceIDs(ctx)
}

// appendRedacted appends the redacted value of key, or null when the
// redactor panics or the value cannot be encoded. The unredacted value is
// never written in its place.
func (t *Trail) appendRedacted(b []byte, key string, v any) []byte {
	if t.cfg.redact != nil {
		var ok bool
		v, ok = t.redact(key, v)
		if !ok {
			return append(b, "null"...)
		}
	}
	out, err := appendValue(b, v)
	if err != nil {
		t.report(fmt.Errorf("audit: value of %q written as null: %w", key, err))
		return append(b, "null"...)
	}
	return out
}

func (t *Trail) redact(key string, v any) (out any, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			out, ok = nil, false
			t.report(fmt.Errorf("audit: redactor panicked on %q, value written as null: %v", key, r))
		}
	}()
	return t.cfg.redact(key, v), true
}

func appendKeys(b []byte, keys []string) []byte {
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
	}
	return append(b, ']')
}

var errUnsupportedFloat = errors.New("NaN or infinite number")

// appendValue appends v as JSON: the common JSON kinds directly, anything
// else through encoding/json (which compacts a MarshalJSON's output, so
// the result has no newline).
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, errUnsupportedFloat
		}
		return appendFloat(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendFloat appends f as a JSON number, in the format encoding/json uses.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Quotes, backslashes and control
// characters are escaped, invalid UTF-8 becomes U+FFFD (as encoding/json
// does), and U+2028 and U+2029 are escaped so that a line is also valid
// JavaScript. Everything else is copied as it is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
