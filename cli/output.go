package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// output is where migrate writes: standard output, or a file written
// whole: a temporary file in the same folder, renamed over the file by
// commit, removed by abort.
type output struct {
	w    io.Writer
	tmp  *os.File
	path string
}

func (a *app) openOutput(path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: a.out()}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write the output: %w", err)
	}
	return &output{w: tmp, tmp: tmp, path: path}, nil
}

// commit syncs the temporary file and renames it into place.
func (o *output) commit() error {
	if o.tmp == nil {
		return nil
	}
	if err := o.tmp.Sync(); err != nil {
		o.abort()
		return fmt.Errorf("cannot write the output: %w", err)
	}
	if err := o.tmp.Close(); err != nil {
		o.abort()
		return fmt.Errorf("cannot write the output: %w", err)
	}
	if err := os.Rename(o.tmp.Name(), o.path); err != nil {
		_ = os.Remove(o.tmp.Name())
		return fmt.Errorf("cannot write the output: %w", err)
	}
	return nil
}

// abort removes the temporary file: the output is not written at all.
func (o *output) abort() {
	if o.tmp != nil {
		_ = o.tmp.Close()
		_ = os.Remove(o.tmp.Name())
	}
}
