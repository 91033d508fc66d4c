package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/schema"
)

func (a *app) diffCmd() *cobra.Command {
	var model, from, to, format string
	var failOnBreaking bool
	cmd := &cobra.Command{
		Use:   "diff -m MODEL --from V --to V [--format markdown|json|github|junit] [--fail-on-breaking]",
		Short: "Show what changed between two versions of a model, and what no migration covers",
		Long: "diff prints the changes between two versions of a model (the raw schema comparison), then, in markdown,\n" +
			"what records of --from meet on their way to --to that no registered migration, auto step or default covers.\n" +
			"--fail-on-breaking exits 1 on such an error only: a change that a migration handles is not breaking for records\n" +
			"that go through transmute.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "markdown", formatText, formatJSON, formatGitHub, formatJUnit:
			default:
				return usage("--format %q: want markdown (or text), json, github or junit", format)
			}
			d, err := schema.Compare(a.m, model, from, to)
			if err != nil {
				return usage("%v (see '%s models')", err, a.cfg.name)
			}
			findings, err := schema.CheckPath(a.m, model, from, to)
			if err != nil {
				return usage("%v (see '%s models')", err, a.cfg.name)
			}
			reports := make([]report, len(findings))
			for i, f := range findings {
				reports[i] = fromFinding(f)
			}
			switch format {
			case formatJSON:
				enc := json.NewEncoder(a.out()) // one line, "<" and "&" as they are
				enc.SetEscapeHTML(false)
				if err := enc.Encode(d); err != nil {
					return err
				}
			case formatGitHub:
				if err := writeGitHub(a.out(), reports); err != nil {
					return err
				}
			case formatJUnit:
				if err := writeJUnit(a.out(), "transmute diff", []string{model}, []string{"compatibility"}, reports); err != nil {
					return err
				}
			default:
				fmt.Fprint(a.out(), d.Markdown())
				fmt.Fprint(a.out(), coverage(findings))
			}
			errs := 0
			for _, f := range findings {
				if f.Severity == schema.SeverityError {
					errs++
				}
			}
			if failOnBreaking && errs > 0 {
				return finding("%s %s → %s: %d change(s) no migration covers", model, d.From, d.To, errs)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&model, "model", "m", "", "the model (required)")
	cmd.Flags().StringVar(&from, "from", "", "the old version (required)")
	cmd.Flags().StringVar(&to, "to", "", "the new version (required)")
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown (or text), json (the raw comparison), github (workflow commands of the findings) or junit (XML)")
	cmd.Flags().BoolVar(&failOnBreaking, "fail-on-breaking", false, "exit 1 when a change is covered by no migration, auto step or default")
	for _, f := range []string{"model", "from", "to"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

// coverage is diff's markdown section on what the migrations cover.
func coverage(findings []schema.Finding) string {
	var b strings.Builder
	b.WriteString("\n## Migrations\n\n")
	if len(findings) == 0 {
		b.WriteString("Every change is covered by a migration, an auto step or a default.\n")
		return b.String()
	}
	for _, f := range findings {
		fmt.Fprintf(&b, "- **%s** %s → %s `%s` %s: %s\n", f.Severity, f.From, f.To, pointerText(f.Pointer), f.Code, f.Message)
	}
	return b.String()
}

func (a *app) exportCmd() *cobra.Command {
	var format, out string
	var models []string
	cmd := &cobra.Command{
		Use:   "export --format json|avro|proto|typescript|zod --out DIR [-m MODEL]...",
		Short: "Write the schema of every model version into a folder",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := schema.ParseFormat(format)
			if err != nil {
				return usage("--format: %v", err)
			}
			paths, err := schema.Dump(a.m, out, f, schema.WithModels(models...))
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(a.out(), p)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "json, avro, proto, typescript or zod (required)")
	cmd.Flags().StringVar(&out, "out", "", "the folder to write into, created if missing (required)")
	cmd.Flags().StringArrayVarP(&models, "model", "m", nil, "a model to export (repeat for more; default: every model)")
	_ = cmd.MarkFlagRequired("format")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func (a *app) graphCmd() *cobra.Command {
	var format string
	var models []string
	cmd := &cobra.Command{
		Use:   "graph [-m MODEL]... [--format mermaid|dot]",
		Short: "Draw the migration graph of the models",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, m := range models {
				if _, err := a.m.Versions(m); err != nil {
					return usage("%v (see '%s models')", err, a.cfg.name)
				}
			}
			switch format {
			case "mermaid":
				fmt.Fprint(a.out(), schema.Mermaid(a.m, schema.WithModels(models...)))
			case "dot":
				fmt.Fprint(a.out(), schema.DOT(a.m, schema.WithModels(models...)))
			default:
				return usage("--format %q: want mermaid or dot", format)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "mermaid", "mermaid or dot")
	cmd.Flags().StringArrayVarP(&models, "model", "m", nil, "a model to draw (repeat for more; default: every model)")
	return cmd
}
