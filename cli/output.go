package cli

import (
	"fmt"
	"io"

	"github.com/transmute-go/transmute/internal/atomicfile"
)

// output is where migrate writes: standard output, or a file written
// whole (atomicfile): put in place by commit, dropped by abort.
type output struct {
	w    io.Writer
	file *atomicfile.File
}

func (a *app) openOutput(path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: a.out()}, nil
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cannot write the output: %w", err)
	}
	return &output{w: f, file: f}, nil
}

// commit puts the output file in place.
func (o *output) commit() error {
	if o.file == nil {
		return nil
	}
	if err := o.file.Commit(); err != nil {
		return fmt.Errorf("cannot write the output: %w", err)
	}
	return nil
}

// abort drops the output file: it is not written at all.
func (o *output) abort() {
	if o.file != nil {
		o.file.Abort()
	}
}
