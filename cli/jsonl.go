package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/transmute-go/transmute/core"
)

// line is one line of JSON Lines input: its number, its text and the
// record, or the reason it is not one.
type line struct {
	n    int
	raw  []byte
	data core.Data
	err  error
}

// lineReader reads JSON Lines one record at a time, numbers exact
// (json.Number), whatever the input's size: memory holds one line.
type lineReader struct {
	r *bufio.Reader
	n int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// next returns the next non-blank line, or io.EOF; an error reading the
// input is returned as such, a line that is not a JSON object as a line
// with err set.
func (lr *lineReader) next() (line, error) {
	for {
		b, err := lr.r.ReadBytes('\n')
		if len(b) == 0 && err != nil {
			return line{}, err
		}
		lr.n++
		text := bytes.TrimSpace(b)
		if len(text) == 0 {
			if err != nil {
				return line{}, err
			}
			continue
		}
		l := line{n: lr.n, raw: text}
		l.data, l.err = decodeRecord(text)
		return l, nil
	}
}

var errNotObject = errors.New("not a JSON object")

// decodeRecord decodes one JSON object, numbers as json.Number.
func decodeRecord(text []byte) (core.Data, error) {
	if len(text) == 0 || text[0] != '{' {
		return nil, errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var d core.Data
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON object")
	}
	return d, nil
}

// recordWriter writes records as JSON Lines: keys sorted, HTML left
// unescaped, numbers as they came.
type recordWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func newRecordWriter(w io.Writer) *recordWriter {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &recordWriter{w: bw, enc: enc}
}

func (rw *recordWriter) write(v any) error {
	if err := rw.enc.Encode(v); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (rw *recordWriter) flush() error { return rw.w.Flush() }
