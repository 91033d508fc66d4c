// Package atomicfile writes files whole: into a temporary file in the
// destination's folder, synced, then renamed over the destination, so that
// a reader sees the old file or the new one, never half of one. It is the
// one such routine of the project (schema files, the command's output,
// rejects and snapshots), and it follows the rules users know from
// `sort -o` and shell redirection:
//
//   - a destination that exists and is not a regular file (a device such
//     as /dev/null, a FIFO, a socket) is written to directly: it is never
//     replaced;
//   - a symbolic link is followed, and its target is replaced (a dangling
//     link's target is created);
//   - an existing file keeps its permissions (and its owner and group
//     where the process may set them);
//   - a new file is created 0666 less the umask, or 0600 for a private
//     file (one that holds records).
package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Mode says how a new file is created.
type Mode int

const (
	// Public files are created 0666 less the umask.
	Public Mode = iota
	// Private files (records) are created 0600.
	Private
)

// File is a file being written; Commit puts it in place, Abort drops it.
type File struct {
	f      *os.File
	path   string // the destination, symbolic links resolved
	direct bool   // f is the destination itself (not a regular file)
	done   bool
}

// Create starts writing the file at path.
func Create(path string, mode Mode) (*File, error) {
	dest, err := resolve(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(dest)
	switch {
	case err == nil && st.IsDir():
		return nil, &fs.PathError{Op: "write", Path: path, Err: syscall.EISDIR}
	case err == nil && !st.Mode().IsRegular():
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{f: f, path: dest, direct: true}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	perm := os.FileMode(0o666)
	if mode == Private {
		perm = 0o600
	}
	tmp, err := createTemp(dest, perm)
	if err != nil {
		return nil, err
	}
	if st != nil { // an existing file keeps its mode, owner and group
		if err := keepOwnership(tmp, st); err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			return nil, err
		}
	}
	return &File{f: tmp, path: dest}, nil
}

// resolve follows the symbolic links of path (up to 40, as the kernel
// does) to the file they name, which may not exist.
func resolve(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", &fs.PathError{Op: "write", Path: path, Err: syscall.ELOOP}
}

// createTemp creates a new file beside dest, with perm less the umask.
func createTemp(dest string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Dir(dest), filepath.Base(dest)
	for {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// keepOwnership gives f the permissions of st and, where the process may,
// its owner and group.
func keepOwnership(f *os.File, st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(sys.Uid), int(sys.Gid)) // allowed to root, or for one's own group
	}
	return f.Chmod(st.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky))
}

// Write writes to the temporary file (or the destination itself, when it
// is not a regular file).
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Direct reports whether the file is written in place (the destination
// is not a regular file), so that Abort cannot undo what was written.
func (f *File) Direct() bool { return f.direct }

// Commit syncs the temporary file and renames it over the destination.
// On failure the temporary file is removed and the destination is left
// as it was. A destination that is not a regular file is closed.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	if f.direct {
		return f.f.Close()
	}
	err := errors.Join(f.f.Sync(), f.f.Close())
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	if err != nil {
		_ = os.Remove(f.f.Name())
	}
	return err
}

// Abort removes the temporary file: the destination is left as it was
// (a destination that is not a regular file is closed). It does nothing
// after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.f.Close()
	if !f.direct {
		_ = os.Remove(f.f.Name())
	}
}

// WriteFile writes data to path whole.
func WriteFile(path string, data []byte, mode Mode) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}
