package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/cli/internal/atomicfile"
	"github.com/transmute-go/transmute/core"
)

// migrateFlags are the flags of migrate.
type migrateFlags struct {
	model, from, to string
	workers         int
	continueOn      bool
	rejects, audit  string
	output          string
}

func (a *app) migrateCmd() *cobra.Command {
	var f migrateFlags
	cmd := &cobra.Command{
		Use:   "migrate -m MODEL [--from V] --to V [--workers N] [--continue-on-error] [--rejects FILE] [--audit FILE] [-o FILE] [FILE]",
		Short: "Migrate JSON Lines records to a version, in order, in bounded memory",
		Long: "migrate reads JSON Lines (FILE or standard input) and writes the migrated records as JSON Lines (-o FILE or\n" +
			"standard output), in input order, streaming. Without --from, each record's version comes from the manager's\n" +
			"version key, so a file may mix versions; --to latest is the latest version. Without --continue-on-error the\n" +
			"command stops at the first record that fails and exits 1; with it, failed records go to --rejects (default:\n" +
			"standard error) as {\"line\",\"error\",\"error_type\",\"record\"} lines and the rest are migrated.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.migrate(cmd.Context(), f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.model, "model", "m", "", "the model (required)")
	fl.StringVar(&f.from, "from", "", "the version of every record (default: each record's version key)")
	fl.StringVar(&f.to, "to", "", `the target version, or "latest" (required)`)
	fl.IntVar(&f.workers, "workers", 1, "records migrated at once")
	fl.BoolVar(&f.continueOn, "continue-on-error", false, "migrate every record, writing the failed ones to --rejects")
	fl.StringVar(&f.rejects, "rejects", "", "where failed records go with --continue-on-error (default: standard error)")
	fl.StringVar(&f.audit, "audit", "", "append the audit trail of every migration to this file")
	fl.StringVarP(&f.output, "output", "o", "", "the output file, written whole or not at all (default: standard output)")
	_ = cmd.MarkFlagRequired("model")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func (a *app) migrate(ctx context.Context, f migrateFlags, args []string) (err error) {
	if err := a.checkMigrateFlags(&f); err != nil {
		return err
	}
	var input string
	if len(args) > 0 {
		input = args[0]
	}
	if err := checkNotInput(input, map[string]string{"-o": f.output, "--rejects": f.rejects, "--audit": f.audit}); err != nil {
		return err
	}
	in, done, err := a.openInput(args)
	if err != nil {
		return err
	}
	defer done()
	out, rejects, err := a.openOutputs(f)
	if err != nil {
		return err
	}
	obs, err := a.observe(f)
	if err != nil {
		out.abort()
		rejects.abort()
		return err
	}
	ctx, endRun := obs.start(ctx, f)
	w, rw := bufio.NewWriterSize(out.w, 1<<16), bufio.NewWriter(rejects.w)
	r := &migration{a: a, f: f, w: w, rejects: rw, progress: obs.progress}
	r.typed, _ = a.m.TypedPath(f.model, f.from, f.to)
	start := time.Now()
	runErr := r.run(ctx, in)
	endRun(runErr)
	err = errors.Join(runErr, w.Flush(), rw.Flush(), obs.close())
	if err != nil && ExitCode(err) != ExitFinding {
		out.abort()
		rejects.abort()
		return err
	}
	if cerr := errors.Join(rejects.commit(), out.commit()); cerr != nil {
		return cerr
	}
	a.summary(r, time.Since(start), obs.interactive)
	if r.failed > 0 {
		return finding("%d of %d records failed", r.failed, r.failed+r.ok)
	}
	return err
}

// openOutputs opens -o and --rejects. The rejects hold whole records: a
// new rejects file is private (0600), as the audit trail is, and both
// files are put in place together at the end of a run that was not
// interrupted.
func (a *app) openOutputs(f migrateFlags) (out, rejects *output, err error) {
	out, err = openOutput(f.output, a.out(), atomicfile.Public, "output")
	if err != nil {
		return nil, nil, err
	}
	rejects, err = openOutput(f.rejects, a.errOut(), atomicfile.Private, "rejects")
	if err != nil {
		out.abort()
		return nil, nil, err
	}
	return out, rejects, nil
}

// maxWorkers bounds --workers: each worker holds a chunk of records, and
// more workers than this gain nothing on any machine.
const maxWorkers = 1024

// version resolves a version flag of model: a registered version, or
// "latest"; anything else is a usage error, before any record is read.
func (a *app) version(flag, model, name string) (core.Version, error) {
	versions, err := a.m.Versions(model)
	if err != nil {
		return core.Version{}, usage("%v (see '%s models')", err, a.cfg.name)
	}
	v, err := a.m.ResolveVersion(model, name)
	if err != nil {
		return core.Version{}, usage(`%s: %v (or "latest")`, flag, err)
	}
	if !slices.Contains(versions, v) {
		return core.Version{}, usage("%s %s: %q has no version %s (see '%s models')", flag, name, model, v, a.cfg.name)
	}
	return v, nil
}

// checkMigrateFlags checks the flags and resolves --from and --to
// ("latest") to registered versions.
func (a *app) checkMigrateFlags(f *migrateFlags) error {
	if f.workers < 1 || f.workers > maxWorkers {
		return usage("--workers %d: want 1 to %d", f.workers, maxWorkers)
	}
	if f.from == "" && a.m.VersionKey() == "" {
		return usage("--from is required: the models have no version key to read each record's version from")
	}
	if f.from != "" {
		v, err := a.version("--from", f.model, f.from)
		if err != nil {
			return err
		}
		f.from = v.String()
	}
	v, err := a.version("--to", f.model, f.to)
	if err != nil {
		return err
	}
	f.to = v.String()
	if f.rejects != "" && !f.continueOn {
		return usage("--rejects goes with --continue-on-error")
	}
	return nil
}

func (a *app) summary(r *migration, d time.Duration, interactive bool) {
	if interactive {
		fmt.Fprintln(a.errOut())
	}
	fmt.Fprintf(a.errOut(), "read %d records in %s: %d succeeded, %d failed\n",
		r.ok+r.failed, d.Round(time.Millisecond), r.ok, r.failed)
}
