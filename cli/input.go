package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// openInput opens FILE, or standard input for "" and "-".
func (a *app) openInput(args []string) (io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return a.in(), func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the input: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// records calls fn with each record of the input, which holds JSON Lines
// or one JSON object spread over several lines (a pretty-printed file);
// fn's error stops the reading and is returned. The input is read as one
// object only when its first line opens an object that goes on past it
// and either that line is "{" alone or the whole input fits in the
// reader's buffer (64 KiB) and decodes as one object: a malformed first
// line of a large JSON Lines file is one invalid record, and every line
// after it is still checked, in bounded memory.
func records(r io.Reader, fn func(l line) error) error {
	lr := newLineReader(r)
	first := true
	for {
		l, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cannot read the input: %w", err)
		}
		if first && l.err != nil && incomplete(l.raw) {
			if whole, ok, err := lr.oneObject(l); err != nil || ok {
				if err != nil {
					return fmt.Errorf("cannot read the input: %w", err)
				}
				return fn(whole)
			}
		}
		first = false
		if err := fn(l); err != nil {
			return err
		}
	}
}

// oneObject reads the input as one object that starts with first, when
// it is one (see records); ok is false to read it as JSON Lines.
func (lr *lineReader) oneObject(first line) (l line, ok bool, err error) {
	if !bytes.Equal(first.raw, []byte("{")) {
		rest, perr := lr.r.Peek(lr.r.Size())
		if perr != io.EOF { // larger than the buffer: JSON Lines
			return line{}, false, nil
		}
		whole := append(append(bytes.Clone(first.raw), '\n'), rest...)
		d, derr := decodeRecord(bytes.TrimSpace(whole))
		if derr != nil {
			return line{}, false, nil
		}
		_, _ = lr.r.Discard(len(rest))
		return line{n: first.n, raw: whole, data: d}, true, nil
	}
	rest, err := io.ReadAll(lr.r)
	if err != nil {
		return line{}, false, err
	}
	whole := append(append(bytes.Clone(first.raw), '\n'), rest...)
	d, derr := decodeRecord(bytes.TrimSpace(whole))
	return line{n: first.n, raw: whole, data: d, err: derr}, true, nil
}

// incomplete reports whether text is the start of a JSON value that goes
// on past it.
func incomplete(text []byte) bool {
	var v any
	return errors.Is(json.NewDecoder(bytes.NewReader(text)).Decode(&v), io.ErrUnexpectedEOF)
}
