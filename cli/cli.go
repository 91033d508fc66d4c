package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"golang.org/x/term"

	"github.com/transmute-go/transmute/core"
)

// app is the command's state: the manager, the options, and the command
// that runs (whose streams the subcommands use).
type app struct {
	m   *core.Manager
	cfg config
	cmd *cobra.Command
}

func newApp(m *core.Manager, opts []Option) *app {
	c := config{name: "transmute", term: isTerminal}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return &app{m: m, cfg: c}
}

// Command returns the transmute command for m: models, validate, migrate,
// diff, export, graph and check. Add it to a cobra program of your own, or
// run it with [Run] or [Main]. Its RunE functions return errors that
// [ExitCode] maps to an exit code; a finding's details are written to the
// command's standard error before it returns. It reads and writes the
// streams cobra gives it (cmd.InOrStdin, OutOrStdout, ErrOrStderr), so
// SetIn, SetOut and SetErr on it or on a parent apply; [WithIO] sets them
// on the command it returns. It sets no process-wide state.
func Command(m *core.Manager, opts ...Option) *cobra.Command {
	return newApp(m, opts).root()
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:           a.cfg.name,
		Short:         "Migrate, validate and export versioned records",
		Long:          a.cfg.name + " migrates JSON Lines files of records between the versions of the models built into it,\nvalidates them, exports the models' schemas, and checks in CI that every version migrates.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	if a.cfg.stdin != nil {
		root.SetIn(a.cfg.stdin)
	}
	if a.cfg.stdout != nil {
		root.SetOut(a.cfg.stdout)
	}
	if a.cfg.stderr != nil {
		root.SetErr(a.cfg.stderr)
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usage("%v (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(a.modelsCmd(), a.validateCmd(), a.migrateCmd(), a.diffCmd(), a.exportCmd(), a.graphCmd(), a.checkCmd(), a.versionsCmd())
	for _, c := range a.cfg.cmds {
		for _, own := range root.Commands() {
			if own.Name() == c.Name() {
				root.RemoveCommand(own)
			}
		}
		root.AddCommand(c)
	}
	for _, c := range root.Commands() {
		a.bind(c)
	}
	return root
}

// bind makes c's RunE note the running command first, whose streams the
// app then uses.
func (a *app) bind(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			a.cmd = cmd
			return run(cmd, args)
		}
	}
}

// Run runs the command with args (without the program's name) and returns
// its exit code, having written any error to the command's standard
// error.
func Run(ctx context.Context, m *core.Manager, args []string, opts ...Option) int {
	a := newApp(m, opts)
	cmd := a.root()
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		var f *findingError
		if errors.As(err, &f) {
			fmt.Fprintln(cmd.ErrOrStderr(), err)
		} else {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v%s\n", a.cfg.name, err, hint(a.cfg.name, err))
		}
	}
	return ExitCode(err)
}

// Main runs the command with os.Args and exits with its code; an
// interrupt (Ctrl-C) or SIGTERM stops it cleanly (a migrate leaves no
// half-written output file). A program's main can be this one line.
//
// Main owns the process, so it alone sets process-wide state: when the
// environment asks for OTLP traces (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and no [WithTracerProvider] is
// given, it installs an SDK TracerProvider from the OTEL_* variables as
// the global one (so the migration functions' own spans join the run's
// trace) and sends the last spans before it exits; and unless GOGC is set
// it runs the garbage collector at 400% (see docs/benchmarks.md).
func Main(m *core.Manager, opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(mainGCPercent)
	}
	var tp *sdktrace.TracerProvider
	if otlpEnabled() && !newApp(m, opts).hasTracerProvider() {
		var err error
		if tp, err = newTracerProvider(ctx, newApp(m, opts).cfg.name); err != nil {
			fmt.Fprintf(os.Stderr, "warning: OpenTelemetry: %v\n", err)
		} else {
			otel.SetTracerProvider(tp)
		}
	}
	code := Run(ctx, m, os.Args[1:], opts...)
	if tp != nil {
		shutdown(tp, os.Stderr)
	}
	stop()
	os.Exit(code)
}

// mainGCPercent is the garbage collector's target under Main: a record
// makes short-lived garbage only, and the live heap stays a few chunks
// per worker.
const mainGCPercent = 400

func (a *app) hasTracerProvider() bool { return a.cfg.tp != nil }

// hint says where to look after an error of cobra's own (a required flag
// missing, an unknown command, too many arguments).
func hint(name string, err error) string {
	var u *usageError
	if errors.As(err, &u) {
		return "" // says what to do already
	}
	for _, p := range []string{"required flag", "unknown command", "accepts ", "unknown flag", "unknown shorthand"} {
		if strings.HasPrefix(err.Error(), p) {
			return " (see '" + name + " --help')"
		}
	}
	return ""
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// in, out and errOut are the running command's streams.
func (a *app) in() io.Reader {
	if a.cmd == nil {
		return os.Stdin
	}
	return a.cmd.InOrStdin()
}

func (a *app) out() io.Writer {
	if a.cmd == nil {
		return os.Stdout
	}
	return a.cmd.OutOrStdout()
}

func (a *app) errOut() io.Writer {
	if a.cmd == nil {
		return os.Stderr
	}
	return a.cmd.ErrOrStderr()
}
