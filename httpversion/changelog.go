package httpversion

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

// Changelog is the API's changelog in Markdown, newest version first: for
// each version, the models whose version changed from the version before,
// with what each migration on the way says it does (core.WithDescription)
// and the fields added, removed and modified (schema.Compare). The oldest
// version is listed with the model versions it serves.
func (a *API) Changelog() string {
	var b strings.Builder
	b.WriteString("# API changelog\n")
	for i := len(a.versions) - 1; i >= 0; i-- {
		v := a.versions[i]
		fmt.Fprintf(&b, "\n## %s\n", v.name)
		if i == 0 {
			var served []string
			for _, model := range slices.Sorted(maps.Keys(v.models)) {
				served = append(served, model+" "+v.models[model].String())
			}
			b.WriteString("\nThe first version: " + strings.Join(served, ", ") + ".\n")
			continue
		}
		a.changes(&b, a.versions[i-1], v)
	}
	return b.String()
}

// changes writes what changed from one API version to the next.
func (a *API) changes(b *strings.Builder, prev, v *apiVersion) {
	changed := false
	for _, model := range slices.Sorted(maps.Keys(v.models)) {
		from, to := prev.models[model], v.models[model]
		if from == to {
			continue
		}
		changed = true
		if from.IsZero() {
			fmt.Fprintf(b, "\n### %s %s (new)\n", model, to)
			continue
		}
		fmt.Fprintf(b, "\n### %s %s → %s\n\n", model, from, to)
		for _, d := range a.descriptions(model, from, to) {
			b.WriteString("- " + d + "\n")
		}
		diff, err := schema.Compare(a.m, model, from.String(), to.String())
		if err != nil {
			continue
		}
		for _, f := range diff.Added {
			fmt.Fprintf(b, "- added: `%s`\n", f)
		}
		for _, f := range diff.Removed {
			fmt.Fprintf(b, "- removed: `%s`\n", f)
		}
		for _, mod := range diff.Modified {
			fmt.Fprintf(b, "- changed: `%s`: %s\n", mod.Field, strings.Join(mod.Changes, "; "))
		}
	}
	if !changed {
		b.WriteString("\nNo model changed.\n")
	}
}

// descriptions are the descriptions of the migrations on the path
// between two versions of a model, in order.
func (a *API) descriptions(model string, from, to core.Version) []string {
	path, err := a.m.Path(model, from.String(), to.String())
	if err != nil {
		return nil
	}
	migs, _ := a.m.Migrations(model)
	var out []string
	for i := 1; i < len(path); i++ {
		for _, mg := range migs {
			if mg.From == path[i-1] && mg.To == path[i] && mg.Description != "" {
				out = append(out, mg.Description)
			}
		}
	}
	return out
}

// ChangelogHandler serves [API.Changelog] as text/markdown.
func (a *API) ChangelogHandler() http.Handler {
	text := a.Changelog()
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		_, _ = w.Write([]byte(text))
	})
}
