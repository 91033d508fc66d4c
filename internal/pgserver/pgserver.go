// Package pgserver starts a throwaway PostgreSQL server for tests and
// demos: initdb and pg_ctl from the Debian postgresql package (or any on
// PATH) in a new directory, on a free port of 127.0.0.1, as the postgres
// user when the process runs as root (initdb refuses root). Stop ends it
// and removes the directory.
package pgserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotInstalled is returned by Start when no initdb and pg_ctl are found.
var ErrNotInstalled = errors.New("pgserver: PostgreSQL is not installed (initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin): run 'make postgres' or 'apt-get install postgresql'")

// Server is a running PostgreSQL server.
type Server struct {
	Port int
	dir  string
	bin  string
	cred *syscall.Credential
}

// Start initialises a cluster in a new temporary directory and starts a
// server on a free port. The caller must Stop it.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if s.cred, err = credential(); err != nil {
		return nil, err
	}
	base := "" // $TMPDIR
	if s.cred != nil {
		base = "/tmp" // the postgres user must reach it: not a TMPDIR under /root
	}
	if s.dir, err = os.MkdirTemp(base, "pgserver-"); err != nil {
		return nil, err
	}
	if s.cred != nil {
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			s.remove()
			return nil, err
		}
	}
	if err := s.run("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		s.remove()
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			s.remove()
			return nil, err
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.Port, s.dir)
		err = s.run("pg_ctl", "-D", s.data(), "-o", opts, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "120", "start")
		if err == nil {
			return s, nil
		}
		if attempt == 2 { // the port may have been taken between freePort and the start
			log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			s.remove()
			return nil, fmt.Errorf("%w\n%s", err, log)
		}
	}
}

// DSN is the URL of database db on the server, as the postgres superuser.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// Stop stops the server at once and removes its directory.
func (s *Server) Stop() error {
	err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	s.remove()
	return err
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) remove() { _ = os.RemoveAll(s.dir) }

// run runs a PostgreSQL program as the server's user.
func (s *Server) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: %s: %w\n%s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// credential is the postgres user's when the process runs as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgserver: running as root needs the postgres user (the postgresql package creates it): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// binDir finds initdb and pg_ctl: on PATH, else the newest Debian
// installation.
func binDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				return filepath.Dir(real), nil
			}
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func major(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
