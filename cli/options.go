package cli

import (
	"io"

	"github.com/transmute-go/transmute/core"
)

// Option configures the command. Options are created by the With
// functions of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	name   string
	hooks  []core.Hook
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	term   func(w io.Writer) bool // whether w is a terminal (a progress bar)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithName sets the command's name in usage and messages (default
// "transmute").
func WithName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.name = name
		}
	})
}

// WithHooks adds hooks to every migration the command runs (migrate and
// check), after the manager's own; nil hooks are ignored.
func WithHooks(hooks ...core.Hook) Option {
	return optionFunc(func(c *config) { c.hooks = append(c.hooks, hooks...) })
}

// WithIO sets the command's standard input, output and error (default
// os.Stdin, os.Stdout and os.Stderr); a nil one keeps the default. Tests
// run the command in process with buffers.
func WithIO(stdin io.Reader, stdout, stderr io.Writer) Option {
	return optionFunc(func(c *config) {
		if stdin != nil {
			c.stdin = stdin
		}
		if stdout != nil {
			c.stdout = stdout
		}
		if stderr != nil {
			c.stderr = stderr
		}
	})
}
