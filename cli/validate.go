package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/core"
)

func (a *app) validateCmd() *cobra.Command {
	var model, version string
	cmd := &cobra.Command{
		Use:   "validate -m MODEL [--version V] [FILE]",
		Short: "Check that records are valid for a model version",
		Long: "validate checks each record of FILE (or of standard input) against a model version and reports each invalid\n" +
			"one on standard error as \"line N: <error>\". FILE holds JSON Lines or one JSON object. Without --version,\n" +
			"each record is checked against the version it carries in the manager's version key.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version == "" && a.m.VersionKey() == "" {
				return usage("--version is required: the models have no version key to read each record's version from")
			}
			if _, err := a.m.Versions(model); err != nil {
				return usage("%v (see '%s models')", err, a.cfg.name)
			}
			var v core.Version
			if version != "" {
				var err error
				if v, err = a.version("--version", model, version); err != nil {
					return err
				}
			}
			in, done, err := a.openInput(args)
			if err != nil {
				return err
			}
			defer done()
			total, invalid := 0, 0
			err = records(in, func(l line) error {
				total++
				if err := a.validateOne(l, model, v); err != nil {
					invalid++
					fmt.Fprintf(a.errOut(), "line %d: %v\n", l.n, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if invalid > 0 {
				return finding("%d of %d records are invalid", invalid, total)
			}
			fmt.Fprintf(a.errOut(), "%d records are valid\n", total)
			return nil
		},
	}
	cmd.Flags().StringVarP(&model, "model", "m", "", "the model (required)")
	cmd.Flags().StringVar(&version, "version", "", "the version to check against (default: each record's own version)")
	_ = cmd.MarkFlagRequired("model")
	return cmd
}

func (a *app) validateOne(l line, model string, v core.Version) error {
	if l.err != nil {
		return l.err
	}
	if v.IsZero() {
		var err error
		if v, err = a.m.VersionOf(l.data); err != nil {
			return err
		}
	}
	return a.m.Validate(l.data, model, v.String())
}
