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
// fn's error stops the reading and is returned.
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
			// The first object goes on past its line: the input is one
			// JSON object, not JSON Lines.
			rest, err := io.ReadAll(lr.r)
			if err != nil {
				return fmt.Errorf("cannot read the input: %w", err)
			}
			whole := append(append(l.raw, '\n'), rest...)
			d, derr := decodeRecord(bytes.TrimSpace(whole))
			return fn(line{n: l.n, raw: whole, data: d, err: derr})
		}
		first = false
		if err := fn(l); err != nil {
			return err
		}
	}
}

// incomplete reports whether text is the start of a JSON value that goes
// on past it.
func incomplete(text []byte) bool {
	var v any
	return errors.Is(json.NewDecoder(bytes.NewReader(text)).Decode(&v), io.ErrUnexpectedEOF)
}
