package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// graphOf is one model's migration graph: its versions (registered, or
// named by a migration) and its steps.
type graphOf struct {
	model    string
	versions []core.Version
	steps    []core.Migration
}

// graphs returns the graphs of the named models, or of every model, in
// the order given (sorted when none is given); unknown models are left
// out.
func graphs(m *core.Manager, models []string) []graphOf {
	if len(models) == 0 {
		models = m.Models()
	}
	var out []graphOf
	for _, model := range models {
		steps, err := m.Migrations(model)
		if err != nil {
			continue
		}
		versions, _ := m.Versions(model)
		for _, s := range steps {
			versions = append(versions, s.From, s.To)
		}
		slices.SortFunc(versions, core.Version.Compare)
		out = append(out, graphOf{model: model, versions: slices.Compact(versions), steps: steps})
	}
	return out
}

// Mermaid returns the migration graph of each model of [WithModels]
// (every model without it) as a Mermaid flowchart: versions as nodes, a solid
// arrow for each registered migration function, a dashed one labelled
// "auto" for each auto-migration step, downgrades included.
func Mermaid(m *core.Manager, opts ...Option) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, g := range graphs(m, newConfig(opts).models) {
		id := func(v core.Version) string { return identifier(g.model) + "_" + versionSuffix(v) }
		fmt.Fprintf(&b, "  subgraph %s[%q]\n", identifier(g.model), g.model)
		for _, v := range g.versions {
			fmt.Fprintf(&b, "    %s[%q]\n", id(v), v.String())
		}
		for _, s := range g.steps {
			arrow := "-->"
			if s.Auto {
				arrow = "-. auto .->"
			}
			fmt.Fprintf(&b, "    %s %s %s\n", id(s.From), arrow, id(s.To))
		}
		b.WriteString("  end\n")
	}
	return b.String()
}

// DOT returns the migration graph of each model of [WithModels] (every
// model without it) in Graphviz DOT: a cluster per model, versions as nodes,
// a solid edge for each registered migration function and a dashed one
// labelled "auto" for each auto-migration step.
func DOT(m *core.Manager, opts ...Option) string {
	var b strings.Builder
	b.WriteString("digraph migrations {\n  rankdir=LR;\n")
	for _, g := range graphs(m, newConfig(opts).models) {
		id := func(v core.Version) string { return fmt.Sprintf("%q", g.model+" "+v.String()) }
		fmt.Fprintf(&b, "  subgraph %q {\n    label=%q;\n", "cluster_"+g.model, g.model)
		for _, v := range g.versions {
			fmt.Fprintf(&b, "    %s [label=%q];\n", id(v), v.String())
		}
		for _, s := range g.steps {
			attrs := ""
			if s.Auto {
				attrs = ` [style=dashed, label="auto"]`
			}
			fmt.Fprintf(&b, "    %s -> %s%s;\n", id(s.From), id(s.To), attrs)
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}
