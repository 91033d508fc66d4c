package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// ErrDecode is matched by every error of [DecodeJSON] and [Decode]: the
// input is not one JSON object.
var ErrDecode error = &sentinel{"not a JSON object", "decode", nil}

// DecodeError says why an input is not one JSON object, in words that
// quote nothing of it: what it holds instead ("found an array"), or where
// it stops being JSON ("invalid JSON at byte 12"). It matches [ErrDecode].
type DecodeError struct {
	Reason string
}

func (e *DecodeError) Error() string        { return "not a JSON object: " + e.Reason }
func (e *DecodeError) ErrorType() string    { return "decode" }
func (e *DecodeError) Is(target error) bool { return target == ErrDecode }

// DecodeJSON decodes b, which must hold one JSON object and nothing else
// but white space, into a record the way the engine expects it: numbers as
// [json.Number], so that integers beyond 2^53 stay exact. Anything else
// (an array, null, a string, a byte-order mark, text that is not valid
// UTF-8, trailing data) is a *[DecodeError].
func DecodeJSON(b []byte) (Data, error) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return nil, notAnObject(b)
	}
	if !utf8.Valid(b) {
		return nil, &DecodeError{Reason: "not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d Data
	if err := dec.Decode(&d); err != nil {
		return nil, syntaxProblem(err, 0)
	}
	if rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, &DecodeError{Reason: "data after the object, at byte " + strconv.FormatInt(dec.InputOffset(), 10)}
	}
	return d, nil
}

// Decode reads all of r and decodes it as [DecodeJSON] does. An error of r
// is returned as it is.
func Decode(r io.Reader) (Data, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return DecodeJSON(b)
}

// notAnObject says what an input that does not start with "{" holds.
func notAnObject(b []byte) error {
	what := "text that is not JSON"
	switch {
	case len(b) == 0:
		what = "nothing"
	case bytes.HasPrefix(b, []byte("\uFEFF")):
		what = "a byte-order mark (U+FEFF) before the object"
	case b[0] == '[':
		what = "an array"
	case b[0] == '"':
		what = "a string"
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		what = "a number"
	case bytes.HasPrefix(b, []byte("null")):
		what = "null"
	case bytes.HasPrefix(b, []byte("true")) || bytes.HasPrefix(b, []byte("false")):
		what = "a boolean"
	}
	return &DecodeError{Reason: "found " + what}
}

// syntaxProblem turns a decoder's error into a DecodeError that says
// where, not what: encoding/json's messages quote the input.
func syntaxProblem(err error, base int64) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &DecodeError{Reason: "invalid JSON at byte " + strconv.FormatInt(base+se.Offset, 10)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &DecodeError{Reason: "the object is not closed"}
	}
	return &DecodeError{Reason: "invalid JSON"}
}
