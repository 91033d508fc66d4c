package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/bytedance/sonic"
	"github.com/transmute-go/transmute/core"
)

// line is one line of JSON Lines input: its number, its text and the
// record, or the reason it is not one.
type line struct {
	n    int
	raw  []byte
	data core.Data // the record; nil when the line is not a JSON object
	err  error     // why it is not, or why its record failed to migrate
}

// lineReader reads JSON Lines one line at a time, whatever the input's
// size: memory holds one line. next decodes it; rawNext leaves that to
// the caller (the workers of migrate).
type lineReader struct {
	r   *bufio.Reader
	n   int
	raw bool
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
}

func newRawLineReader(r io.Reader) *lineReader {
	lr := newLineReader(r)
	lr.raw = true
	return lr
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
		if lr.n == 1 {
			b = bytes.TrimPrefix(b, []byte(bom))
		}
		text := bytes.TrimSpace(b)
		if len(text) == 0 {
			if err != nil {
				return line{}, err
			}
			continue
		}
		l := line{n: lr.n, raw: text}
		if !lr.raw {
			l.data, l.err = decodeRecord(text)
		}
		return l, nil
	}
}

// codec decodes records with exact numbers (json.Number) and encodes them
// with sorted keys, HTML left as it is: the behaviour of encoding/json
// with UseNumber and SetEscapeHTML(false), at about twice its speed.
var codec = sonic.Config{UseNumber: true, SortMapKeys: true, ValidateString: true}.Froze()

// decodeRecord decodes one JSON object, numbers as json.Number. Text
// that is not valid UTF-8 is refused (the codec would turn it into
// U+FFFD), and a line that is not an object says what it holds.
func decodeRecord(text []byte) (core.Data, error) {
	if len(text) == 0 || text[0] != '{' {
		_, err := core.DecodeJSON(text) // says what the line holds instead
		return nil, err
	}
	if !utf8.Valid(text) {
		return nil, &decodeError{msg: "not valid UTF-8 at byte " + strconv.Itoa(invalidUTF8(text))}
	}
	var d core.Data
	if err := codec.Unmarshal(text, &d); err != nil {
		return nil, &decodeError{msg: "not a JSON object: " + syntaxError(text, err).Error()}
	}
	return d, nil
}

// decodeError is a line that is not a record.
type decodeError struct{ msg string }

func (e *decodeError) Error() string     { return e.msg }
func (e *decodeError) ErrorType() string { return "decode" }

// bom is the UTF-8 byte-order mark, which the command accepts at the start
// of its input only.
const bom = "\uFEFF"

// invalidUTF8 returns the offset of the first byte of text that is not
// valid UTF-8.
func invalidUTF8(text []byte) int {
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(text)
}

// encodeRecord appends v to w as one JSON line: keys sorted, HTML left
// unescaped, numbers as they came.
func encodeRecord(w io.Writer, v any) error {
	b, err := codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// syntaxError says why text is not a JSON object, in encoding/json's
// words, which are one line (the codec's quote the text).
func syntaxError(text []byte, err error) error {
	var v any
	if serr := json.Unmarshal(text, &v); serr != nil {
		return serr
	}
	return err
}
