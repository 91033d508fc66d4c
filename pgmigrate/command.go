package pgmigrate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/transmute-go/transmute/core"
)

// Command returns the postgres command (alias pg) for m, with two
// subcommands: backfill (see [Backfill]) and versions (see [Census]). Add
// it to the transmute command with cli.WithCommands(pgmigrate.Command(m)),
// or to a cobra program of your own. The connection is --dsn, else
// $DATABASE_URL, else the PG* environment variables pgx reads. Exit
// codes are the transmute command's: 0 done, 1 rows failed (each listed
// on standard error, value-free), 2 a usage, connection or database
// error. A run stopped by its context (Ctrl-C under cli.Main) keeps the
// pages it committed.
func Command(m *core.Manager) *cobra.Command {
	root := &cobra.Command{
		Use:     "postgres",
		Aliases: []string{"pg"},
		Short:   "Backfill a PostgreSQL table of records in place, and count its rows by version",
	}
	root.AddCommand(backfillCmd(m), versionsCmd(m))
	return root
}

// tableFlags are the flags that name a table.
type tableFlags struct {
	dsn   string
	table Table
	model string
}

func (f *tableFlags) bind(cmd *cobra.Command, key bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.dsn, "dsn", "", "the database URL or DSN (default $DATABASE_URL, else the PG* variables)")
	fl.StringVar(&f.table.Name, "table", "", "the table (required)")
	fl.StringVar(&f.table.Schema, "schema", "", "the table's schema (default: the search_path)")
	fl.StringVar(&f.table.Column, "column", "", "the json or jsonb document column (required)")
	fl.StringVarP(&f.model, "model", "m", "", "the model (default: the manager's only model)")
	_ = cmd.MarkFlagRequired("table")
	_ = cmd.MarkFlagRequired("column")
	if key {
		fl.StringVar(&f.table.Key, "key", "", "the key column: unique and ordered, the primary key (required)")
		_ = cmd.MarkFlagRequired("key")
	}
}

// withPool connects, resolves the model, and runs fn with them.
func (f *tableFlags) withPool(ctx context.Context, m *core.Manager, fn func(pool *pgxpool.Pool, model string) error) error {
	pool, model, err := f.open(ctx, m)
	if err != nil {
		return err
	}
	defer pool.Close()
	return fn(pool, model)
}

// open connects, and resolves the model.
func (f *tableFlags) open(ctx context.Context, m *core.Manager) (*pgxpool.Pool, string, error) {
	model := f.model
	if model == "" {
		models := m.Models()
		if len(models) != 1 {
			return nil, "", fmt.Errorf("-m is required: the manager has %d models (%s)", len(models), strings.Join(models, ", "))
		}
		model = models[0]
	}
	if _, err := m.Versions(model); err != nil {
		return nil, "", err
	}
	dsn := f.dsn
	if dsn == "" {
		dsn = os.Getenv("DATABASE_URL")
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, "", fmt.Errorf("cannot connect: %w", err)
	}
	return pool, model, nil
}

// backfillFlags are backfill's flags.
type backfillFlags struct {
	tableFlags
	to      string
	workers int
	page    int
	dryRun  bool
	rejects string
}

func backfillCmd(m *core.Manager) *cobra.Command {
	var f backfillFlags
	cmd := &cobra.Command{
		Use:   "backfill --table T --key K --column C [-m MODEL] [--to latest] [--workers N] [--page-size N] [--dry-run]",
		Short: "Upgrade every row of a table to a version, in place, resumable, with any number of workers",
		Long: "backfill upgrades every row whose document's version is not --to, page by page in key order, each page one\n" +
			"transaction (FOR UPDATE SKIP LOCKED). Run it again after a crash, or on several machines at once: each row is\n" +
			"migrated exactly once. Rows that fail are left as they are, listed on standard error (exit code 1) and, with\n" +
			"--rejects-table, recorded there.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.withPool(cmd.Context(), m, func(pool *pgxpool.Pool, model string) error {
				return f.run(cmd, pool, m, model)
			})
		},
	}
	f.bind(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", core.Latest, "the target version")
	fl.IntVar(&f.workers, "workers", 1, "pages at once in this process")
	fl.IntVar(&f.page, "page-size", defaultPageSize, "rows per page (one transaction)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "migrate and validate, write nothing")
	fl.StringVar(&f.rejects, "rejects-table", "", "record the rows that fail in this table (created if absent)")
	return cmd
}

// run backfills, listing the failed rows and printing the summary line.
func (f *backfillFlags) run(cmd *cobra.Command, pool *pgxpool.Pool, m *core.Manager, model string) error {
	errOut := cmd.ErrOrStderr()
	bar := newBar(errOut)
	opts := []Option{WithWorkers(f.workers), WithPageSize(f.page), WithRejectsTable(f.rejects),
		WithRejects(func(r Reject) {
			bar.clear()
			fmt.Fprintf(errOut, "row %s: %s: %s\n", r.Key, core.ErrorType(r.Err), core.ErrorMessage(r.Err, nil))
		})}
	if bar.pb != nil { // the estimate of rows left costs a scan: only for a bar
		opts = append(opts, WithProgress(bar.set))
	}
	what := "migrated"
	if f.dryRun {
		opts, what = append(opts, WithDryRun()), "would migrate (dry run)"
	}
	stats, err := Backfill(cmd.Context(), pool, m, f.table, model, f.to, opts...)
	bar.clear()
	fmt.Fprintf(cmd.OutOrStdout(), "%s %d rows of %s to %s; %d failed, %d skipped; %d pages in %s\n",
		what, stats.Migrated, model, f.to, stats.Failed, stats.Skipped, stats.Pages, stats.Elapsed.Round(time.Millisecond))
	if err != nil {
		return err
	}
	if stats.Failed > 0 {
		return &RejectedError{Failed: stats.Failed}
	}
	return nil
}

func versionsCmd(m *core.Manager) *cobra.Command {
	var (
		f      tableFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "versions --table T --column C [-m MODEL] [--json]",
		Short: "Count the rows of each version, and the registered versions none holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.withPool(cmd.Context(), m, func(pool *pgxpool.Pool, model string) error {
				c, err := Census(cmd.Context(), pool, m, f.table, model)
				if err != nil {
					return err
				}
				return printCensus(cmd.OutOrStdout(), c, asJSON)
			})
		},
	}
	f.bind(cmd, false)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	return cmd
}

func printCensus(w io.Writer, c core.ModelCensus, asJSON bool) error {
	if asJSON {
		b, err := json.MarshalIndent(c, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := io.WriteString(w, c.String())
	return err
}

// bar is the progress bar of backfill on a terminal, nothing elsewhere.
type bar struct{ pb *progressbar.ProgressBar }

func newBar(w io.Writer) *bar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("backfill"),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())}
}

func (b *bar) set(p Progress) {
	if b.pb != nil {
		b.pb.ChangeMax(p.Migrated + p.Failed + p.Skipped + p.Left)
		_ = b.pb.Set(p.Migrated + p.Failed + p.Skipped)
	}
}

func (b *bar) clear() {
	if b.pb != nil {
		_ = b.pb.Clear()
	}
}
