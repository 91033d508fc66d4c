// Package atomicfile writes files whole: into a temporary file in the
// destination's folder, synced, then renamed over the destination, so that
// a reader sees the old file or the new one, never half of one. It is the
// one such routine of the project (schema files, the command's output and
// snapshots).
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// Mode is the permission of a committed file (a temporary file starts
// private, 0600).
const Mode = 0o644

// File is a file being written; Commit puts it in place, Abort drops it.
type File struct {
	tmp  *os.File
	path string
	done bool
}

// Create starts writing the file at path.
func Create(path string) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &File{tmp: tmp, path: path}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.tmp.Write(p) }

// Commit syncs the temporary file and renames it over the destination.
// On failure the temporary file is removed and the destination is left
// as it was.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	err := errors.Join(f.tmp.Sync(), f.tmp.Close())
	if err == nil {
		err = os.Chmod(f.tmp.Name(), Mode)
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		_ = os.Remove(f.tmp.Name())
	}
	return err
}

// Abort removes the temporary file: the destination is left as it was.
// It does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.tmp.Close()
	_ = os.Remove(f.tmp.Name())
}

// WriteFile writes data to path whole.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}
