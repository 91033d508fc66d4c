package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
	"github.com/transmute-go/transmute/transmutetest"
)

// checkFlags are the flags of check.
type checkFlags struct {
	snapshot  string
	update    bool
	samples   int
	seed      uint64
	mode      string
	format    string
	against   string
	roundTrip bool
}

// maxSampleFindings is how many failed samples check prints per version.
const maxSampleFindings = 3

func (a *app) checkCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check [--mode M] [--format text|json|github|junit] [--snapshot DIR] [--update] [--samples N] [--seed S]",
		Short: "Prove that every version migrates: the CI gate",
		Long: "check runs four checks and exits 1 on any finding, each on its own line:\n" +
			"  1. reachability: every version of every model reaches the latest (and, where a downgrade is registered,\n" +
			"     the latest reaches every older version);\n" +
			"  2. compatibility (--mode backward, forward or full, each optionally -transitive; default backward): each\n" +
			"     step the mode requires exists, and changes no migration, auto step or default covers are findings;\n" +
			"     what is worth a look only (a field a migration drops) is a warning line, not a finding;\n" +
			"  3. samples: N generated records of every version migrate to the latest and validate;\n" +
			"  4. snapshot (with --snapshot DIR): the JSON Schema of every version is the one in DIR, since a released\n" +
			"     version must not change shape; --update writes DIR (new and changed files) instead.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.samples < 0 {
				return usage("--samples %d: want 0 or more", f.samples)
			}
			if _, err := schema.ParseMode(f.mode); err != nil {
				return usage("--mode %q: want backward, forward or full, each optionally -transitive", f.mode)
			}
			switch f.format {
			case formatText, formatJSON, formatGitHub, formatJUnit:
			default:
				return usage("--format %q: want text, json, github or junit", f.format)
			}
			return a.check(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.mode, "mode", "backward", "backward, forward or full, each optionally -transitive")
	cmd.Flags().StringVar(&f.format, "format", formatText, "text, json (a finding a line), github (workflow commands) or junit (XML)")
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "the folder of the JSON Schema snapshots of released versions")
	cmd.Flags().BoolVar(&f.roundTrip, "round-trip", false, "also check that records of each version taken to the next one and back (where both ways have migrations) come back whole")
	cmd.Flags().StringVar(&f.against, "against", "", "a git ref (main, origin/main): compare with the snapshots as committed there (needs --snapshot)")
	cmd.Flags().BoolVar(&f.update, "update", false, "write the snapshots of new and changed versions into --snapshot")
	cmd.Flags().IntVar(&f.samples, "samples", 100, "generated records per version")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "the seed of the generated records")
	return cmd
}

// checker collects the findings of one check run: in text, each is
// printed as it is found; in the other formats they are written at the
// end, and the notes go to standard error.
type checker struct {
	a        *app
	f        checkFlags
	findings int
	versions int
	reports  []report
}

// fail records a finding: r says what it is, format and args the line
// of text (and r's message, unless r has one).
func (c *checker) fail(r report, format string, args ...any) {
	c.findings++
	r.Severity = string(schema.SeverityError)
	c.add(r, "FAIL", fmt.Sprintf(format, args...))
}

// warn records a warning, which is not a finding.
func (c *checker) warn(r report, format string, args ...any) {
	r.Severity = string(schema.SeverityWarning)
	c.add(r, "warn", fmt.Sprintf(format, args...))
}

// add prints the line, or keeps the report for a machine format.
func (c *checker) add(r report, prefix, text string) {
	if c.f.format == formatText {
		fmt.Fprintln(c.a.out(), prefix, text)
		return
	}
	if r.Message == "" {
		r.Message = text
	}
	if c.f.snapshot != "" && r.From != "" {
		if v, err := core.ParseVersion(r.From); err == nil {
			r.File = filepath.Join(c.f.snapshot, schema.FileName(r.Model, v, schema.FormatJSON))
		}
	}
	c.reports = append(c.reports, r)
}

func (c *checker) note(format string, args ...any) {
	w := c.a.out()
	if c.f.format != formatText {
		w = c.a.errOut()
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// write writes the findings in a machine format.
func (c *checker) write(models []string) error {
	switch c.f.format {
	case formatJSON:
		return writeJSONReports(c.a.out(), c.reports)
	case formatGitHub:
		return writeGitHub(c.a.out(), c.reports)
	case formatJUnit:
		checks := []string{"reachability", "compatibility", "samples"}
		if c.f.roundTrip {
			checks = append(checks, "round_trip")
		}
		if c.f.snapshot != "" {
			checks = append(checks, "snapshot")
		}
		return writeJUnit(c.a.out(), "transmute check", models, checks, c.reports)
	}
	return nil
}

func (a *app) check(ctx context.Context, f checkFlags) error {
	if f.update && f.snapshot == "" {
		return usage("--update goes with --snapshot DIR")
	}
	if f.against != "" && (f.snapshot == "" || f.update) {
		return usage("--against REF goes with --snapshot DIR, without --update")
	}
	c := &checker{a: a, f: f}
	models := a.m.Models()
	for _, model := range models {
		versions, err := a.m.Versions(model)
		if err != nil {
			continue
		}
		c.versions += len(versions)
		c.reachability(model, versions)
	}
	mode, _ := schema.ParseMode(f.mode)
	for _, model := range models {
		c.compatibility(model, mode)
	}
	if f.roundTrip {
		for _, model := range models {
			c.roundTrips(ctx, model, f)
		}
	}
	c.note("samples: %d per version, seed %d (--seed %d reproduces them)", f.samples, f.seed, f.seed)
	for _, model := range models {
		versions, _ := a.m.Versions(model)
		for _, v := range versions {
			c.samples(ctx, model, v, versions[len(versions)-1], f)
		}
	}
	if f.snapshot != "" {
		if err := c.snapshots(models, f); err != nil {
			return err
		}
	}
	if err := c.write(models); err != nil {
		return err
	}
	summary := fmt.Sprintf("check: %d models, %d versions, %d samples each: %d finding(s)", len(models), c.versions, f.samples, c.findings)
	if c.findings > 0 {
		return finding("%s", summary)
	}
	c.note("%s", summary)
	return nil
}

// reachability reports every version that does not reach the latest,
// naming the missing step, and, when the model has a registered
// downgrade, every older version the latest does not reach.
func (c *checker) reachability(model string, versions []core.Version) {
	m := c.a.m
	latest := versions[len(versions)-1]
	for i, v := range versions[:len(versions)-1] {
		if m.HasPath(model, v.String(), latest.String()) {
			continue
		}
		reach := i // the highest version v reaches
		for j := i + 1; j < len(versions); j++ {
			if m.HasPath(model, v.String(), versions[j].String()) {
				reach = j
			}
		}
		from, next := versions[reach], versions[reach+1]
		c.fail(report{Check: "reachability", Model: model, From: v.String(), To: latest.String(), Code: schema.CodeNoMigration},
			"%s %s does not reach the latest %s: no step from %s to %s (register a migration %s → %s, or mark %s WithBackwardCompatible)",
			model, v, latest, from, next, from, next, next)
	}
	if !hasDowngrade(m, model) {
		return
	}
	for i := len(versions) - 2; i >= 0; i-- {
		v := versions[i]
		if m.HasPath(model, latest.String(), v.String()) {
			continue
		}
		low := len(versions) - 1 // the lowest version the latest reaches
		for j := len(versions) - 2; j > i; j-- {
			if m.HasPath(model, latest.String(), versions[j].String()) {
				low = j
			}
		}
		c.fail(report{Check: "reachability", Model: model, From: latest.String(), To: v.String(), Code: schema.CodeNoMigration},
			"%s %s is not reached from the latest %s, though %s has downgrades: no step from %s down to %s (register a migration %s → %s)",
			model, v, latest, model, versions[low], versions[low-1], versions[low], versions[low-1])
	}
}

// compatibility reports what schema.Check finds in mode: errors are
// findings, warnings a line each. A missing step up is reachability's to
// report, not reported twice.
func (c *checker) compatibility(model string, mode schema.Mode) {
	r, err := schema.Check(c.a.m, model, mode)
	if err != nil {
		return // a model with migrations but no version: reachability says so
	}
	for _, f := range r.Findings {
		up := core.MustParseVersion(f.From).Less(core.MustParseVersion(f.To))
		if f.Code == schema.CodeNoMigration && up && f.Pointer == "" {
			continue
		}
		if f.Severity == schema.SeverityError {
			c.fail(fromFinding(f), "%s %s → %s %s %s: %s", f.Model, f.From, f.To, pointerText(f.Pointer), f.Code, f.Message)
		} else {
			c.warn(fromFinding(f), "%s %s → %s %s %s: %s", f.Model, f.From, f.To, pointerText(f.Pointer), f.Code, f.Message)
		}
	}
}

// roundTrips checks each adjacent pair with migrations both ways: records
// of the lower version taken up and back come back whole; each field lost
// is a finding not_round_trip.
func (c *checker) roundTrips(ctx context.Context, model string, f checkFlags) {
	versions, err := c.a.m.Versions(model)
	if err != nil {
		return
	}
	for i := 0; i+1 < len(versions); i++ {
		a, b := versions[i].String(), versions[i+1].String()
		if !c.a.m.HasPath(model, a, b) || !c.a.m.HasPath(model, b, a) {
			continue
		}
		samples := max(f.samples, 1)
		loss := transmutetest.CheckRoundTrip(ctx, c.a.m, model, a, b, transmutetest.WithSeed(f.seed), transmutetest.WithSamples(samples))
		if loss == nil {
			continue
		}
		if loss.Err != nil {
			c.fail(report{Check: "round_trip", Model: model, From: a, To: b, Code: schema.CodeNotRoundTrip},
				"%s %s → %s → %s: %v (seed %d, sample %d)", model, a, b, a, loss.Err, f.seed, loss.Sample)
			continue
		}
		input, _ := json.Marshal(loss.Input)
		for _, p := range loss.Pointers {
			c.fail(report{Check: "round_trip", Model: model, From: a, To: b, Pointer: p, Code: schema.CodeNotRoundTrip},
				"%s %s → %s → %s %s not_round_trip: the field does not come back as it was (seed %d, sample %d; a field the downgrade may drop: transmutetest.WithLossy(%q))\n     record: %s",
				model, a, b, a, p, f.seed, loss.Sample, p, input)
		}
	}
}

func hasDowngrade(m *core.Manager, model string) bool {
	steps, _ := m.Migrations(model)
	return slices.ContainsFunc(steps, func(s core.Migration) bool { return !s.Auto && s.To.Less(s.From) })
}

// samples migrates generated records of one version to the latest.
func (c *checker) samples(ctx context.Context, model string, v, latest core.Version, f checkFlags) {
	failed := 0
	for i := range f.samples {
		r := rand.New(rand.NewPCG(f.seed, sampleStream(model, v, i)))
		in, err := transmutetest.Generate(c.a.m, model, v.String(), r)
		if err != nil {
			c.fail(report{Check: "samples", Model: model, From: v.String(), Code: "cannot_generate"}, "%s %s: cannot generate a record: %v", model, v, err)
			return
		}
		text, _ := json.Marshal(in)
		_, err = c.a.m.Migrate(ctx, in, model, v.String(), latest.String())
		if err == nil {
			continue
		}
		if failed++; failed <= maxSampleFindings {
			c.fail(report{Check: "samples", Model: model, From: v.String(), To: latest.String(), Code: "migration_failed"},
				"%s %s sample %d (seed %d): migrate to %s: %v\n     record: %s", model, v, i, f.seed, latest, err, text)
		}
	}
	if more := failed - maxSampleFindings; more > 0 {
		c.fail(report{Check: "samples", Model: model, From: v.String(), To: latest.String(), Code: "migration_failed"}, "%s %s: %d more failed samples", model, v, more)
		c.findings += more - 1 // each failed sample is a finding
	}
}

// sampleStream is the PCG stream of one sample: the same for the same
// model, version and index, whatever else is registered.
func sampleStream(model string, v core.Version, i int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%d", model, v, i)
	return h.Sum64()
}
