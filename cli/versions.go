package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/core"
)

func (a *app) versionsCmd() *cobra.Command {
	var model string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "versions [-m MODEL] [--json] [FILE]",
		Short: "Count the records of each version, and the registered versions none holds",
		Long: "versions reads JSON Lines (FILE or standard input) and prints how many records carry each version in the\n" +
			"manager's version key, how many carry none, and which registered versions no record holds: whether a version\n" +
			"can be dropped. Without -m the manager must have one model. It reads only each record's version key.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.m.VersionKey() == "" {
				return usage("the models have no version key to read each record's version from (core.WithVersionKey)")
			}
			model, err := a.censusModel(model)
			if err != nil {
				return err
			}
			in, done, err := a.openInput(args)
			if err != nil {
				return err
			}
			defer done()
			c := core.NewCensus(a.m)
			lr := newRawLineReader(in)
			for {
				l, err := lr.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					return fmt.Errorf("cannot read the input: %w", err)
				}
				c.AddJSON(model, l.raw)
			}
			r := c.Result(model)[0]
			if asJSON {
				b, err := json.MarshalIndent(r, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.out(), "%s\n", b)
				return err
			}
			return a.printCensus(r)
		},
	}
	cmd.Flags().StringVarP(&model, "model", "m", "", "the model (default: the manager's only model)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	return cmd
}

// censusModel is -m, or the manager's only model.
func (a *app) censusModel(model string) (string, error) {
	if model != "" {
		if _, err := a.m.Versions(model); err != nil {
			return "", usage("%v (see '%s models')", err, a.cfg.name)
		}
		return model, nil
	}
	models := a.m.Models()
	if len(models) != 1 {
		return "", usage("-m is required: the manager has %d models (%s)", len(models), strings.Join(models, ", "))
	}
	return models[0], nil
}

// printCensus prints a model's census as a table.
func (a *app) printCensus(r core.ModelCensus) error {
	_, err := io.WriteString(a.out(), r.String())
	return err
}
