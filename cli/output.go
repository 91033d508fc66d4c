package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/transmute-go/transmute/cli/internal/atomicfile"
)

// output is a stream migrate writes (the records, the rejects): a stream
// of the command's, or a file written whole (atomicfile) that commit puts
// in place and abort drops. A path that is not a regular file (a FIFO, a
// device) is written to directly, and a symbolic link's target is
// replaced.
type output struct {
	w    io.Writer
	file *atomicfile.File
	what string // "output", "rejects": for messages
}

// openOutput opens path, or uses std for "" and "-".
func openOutput(path string, std io.Writer, mode atomicfile.Mode, what string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: std, what: what}, nil
	}
	f, err := atomicfile.Create(path, mode)
	if err != nil {
		return nil, fmt.Errorf("cannot write the %s: %w", what, err)
	}
	return &output{w: f, file: f, what: what}, nil
}

// commit puts the file in place.
func (o *output) commit() error {
	if o == nil || o.file == nil {
		return nil
	}
	if err := o.file.Commit(); err != nil {
		return fmt.Errorf("cannot write the %s: %w", o.what, err)
	}
	return nil
}

// abort drops the file: it is not written at all.
func (o *output) abort() {
	if o != nil && o.file != nil {
		o.file.Abort()
	}
}

// checkNotInput is a usage error when a file the command would write
// (named by flag) is the input file itself, by os.SameFile: writing it
// would destroy or grow the input as it is read.
func checkNotInput(input string, files map[string]string) error {
	if input == "" || input == "-" {
		return nil
	}
	in, err := os.Stat(input)
	if err != nil {
		return nil // openInput reports it
	}
	for flag, path := range files {
		if path == "" || path == "-" {
			continue
		}
		st, err := os.Stat(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return usage("%s %s: %v", flag, path, err)
		}
		if err == nil && os.SameFile(in, st) && in.Mode().IsRegular() {
			return usage("%s %s is the input file: write to another file, then rename it", flag, path)
		}
	}
	return nil
}
