package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/transmute-go/transmute/core"
)

// app is the command's state: the manager and the options.
type app struct {
	m   *core.Manager
	cfg config
}

func newApp(m *core.Manager, opts []Option) *app {
	c := config{name: "transmute", stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, term: isTerminal}
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
// command's standard error before it returns.
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
	root.SetIn(a.cfg.stdin)
	root.SetOut(a.cfg.stdout)
	root.SetErr(a.cfg.stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usage("%v (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(a.modelsCmd(), a.validateCmd(), a.migrateCmd(), a.diffCmd(), a.exportCmd(), a.graphCmd(), a.checkCmd())
	return root
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
			fmt.Fprintln(a.cfg.stderr, err)
		} else {
			fmt.Fprintf(a.cfg.stderr, "%s: %v%s\n", a.cfg.name, err, hint(a.cfg.name, err))
		}
	}
	return ExitCode(err)
}

// Main runs the command with os.Args and exits with its code; an
// interrupt (Ctrl-C) or SIGTERM stops it cleanly (a migrate leaves no
// half-written output file). A program's main can be this one line.
func Main(m *core.Manager, opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, m, os.Args[1:], opts...)
	stop()
	os.Exit(code)
}

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

// out and errOut are the command's standard output and error.
func (a *app) out() io.Writer    { return a.cfg.stdout }
func (a *app) errOut() io.Writer { return a.cfg.stderr }
