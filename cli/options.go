package cli

import (
	"io"

	"github.com/spf13/cobra"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

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
	tp     trace.TracerProvider
	mp     metric.MeterProvider
	cmds   []*cobra.Command
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

// WithIO sets the command's standard input, output and error, as
// cmd.SetIn, SetOut and SetErr would; a nil one is left to cobra (the
// parent's, or os.Stdin, os.Stdout and os.Stderr). Tests run the command
// in process with buffers.
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

// WithTracerProvider sets the TracerProvider of the command's spans (the
// run's root span, and otelhook's spans of every migration). By default
// it is the global one, and a run traces nothing while no SDK is
// installed there. The command never sets a global provider; [Main] may
// install one from the OTEL_* environment. A nil tp keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider sets the MeterProvider of otelhook's metrics while a
// run is traced (default: the global one). A nil mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// WithCommands adds subcommands to the command, beside its own (such as
// pgmigrate.Command's): cli.Main(m, cli.WithCommands(pgmigrate.Command(m)))
// is a whole program. They get the command's streams and flag errors, and
// [ExitCode] maps their errors as it does the command's own: an error
// with an ExitCode() int method gives that code. A nil command is
// ignored; one named as a command of this package replaces it.
func WithCommands(cmds ...*cobra.Command) Option {
	return optionFunc(func(c *config) {
		for _, cmd := range cmds {
			if cmd != nil {
				c.cmds = append(c.cmds, cmd)
			}
		}
	})
}
