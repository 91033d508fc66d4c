package metricshook

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/transmute-go/transmute/core"
)

// Transition holds the statistics of one transition: the migrations of a
// model from one version to another.
type Transition struct {
	Model    string
	From, To core.Version

	// Started is the number of migrations started; Errors of those that
	// failed; Count of those that succeeded, each timed. Started - Errors
	// - Count are still running.
	Started, Errors, Count int64

	// Durations of the successful migrations (zero when Count is 0):
	// their sum, mean, extremes and percentiles. Percentiles are within
	// [RelativeError] of the true value.
	Total, Mean, Min, Max time.Duration
	P50, P95, P99         time.Duration
}

// Name returns the transition as model:from→to, such as
// "User:1.0.0→2.0.0", or "(other)" for the transition of the migrations
// counted together (see [MaxTransitions]).
func (t Transition) Name() string {
	if t.Model == "" {
		return "(other)" // the overflow transition: see MaxTransitions
	}
	b := make([]byte, 0, len(t.Model)+24)
	b = append(b, t.Model...)
	b = append(b, ':')
	b, _ = t.From.AppendText(b) // never fails
	b = append(b, "→"...)
	b, _ = t.To.AppendText(b)
	return string(b)
}

// String returns the name.
func (t Transition) String() string { return t.Name() }

// Snapshot is a copy of a [Hook]'s counters, which its holder owns. One
// taken while migrations run reads each counter once, finished migrations
// before started ones, so Errors ≤ Total and, per transition, Count +
// Errors ≤ Started.
type Snapshot struct {
	Total, Errors int64 // migrations started, and failed

	ByModel, ErrorsByModel map[string]int64 // started and failed per model

	// Transitions are sorted by model, then from version, then to version.
	Transitions []Transition
}

// SuccessRate returns (Total - Errors) / Total, or 0 when nothing ran.
func (s Snapshot) SuccessRate() float64 { return successRate(s.Total, s.Errors) }

// Slowest returns at most n transitions, slowest mean first (ties keep
// their order in Transitions), in a new slice. Transitions with no successful migration are
// left out; n ≤ 0 gives none.
func (s Snapshot) Slowest(n int) []Transition {
	out := make([]Transition, 0, len(s.Transitions))
	for _, t := range s.Transitions {
		if t.Count > 0 {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b Transition) int { return cmp.Compare(b.Mean, a.Mean) })
	return out[:min(max(n, 0), len(out))]
}

func sortTransitions(ts []Transition) {
	slices.SortFunc(ts, func(a, b Transition) int {
		return cmp.Or(
			strings.Compare(a.Model, b.Model),
			a.From.Compare(b.From),
			a.To.Compare(b.To),
		)
	})
}

// WriteTable writes the snapshot as a table for a terminal: a summary
// line, then one row per transition with its counts and durations
// (rounded to three significant digits; "-" when there is none).
func (s Snapshot) WriteTable(w io.Writer) error {
	rows := [][]string{{"TRANSITION", "STARTED", "ERRORS", "MEAN", "MIN", "P50", "P95", "P99", "MAX"}}
	for _, t := range s.Transitions {
		rows = append(rows, []string{
			t.Name(),
			strconv.FormatInt(t.Started, 10),
			strconv.FormatInt(t.Errors, 10),
			duration(t.Count, t.Mean),
			duration(t.Count, t.Min),
			duration(t.Count, t.P50),
			duration(t.Count, t.P95),
			duration(t.Count, t.P99),
			duration(t.Count, t.Max),
		})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "migrations: %d  errors: %d  success rate: %.1f%%\n", s.Total, s.Errors, 100*s.SuccessRate())
	if len(s.Transitions) > 0 {
		b.WriteByte('\n')
		for _, r := range rows {
			for i, c := range r {
				pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
				if i == 0 { // names to the left, numbers to the right
					b.WriteString(c)
					b.WriteString(pad)
				} else {
					b.WriteString("  ")
					b.WriteString(pad)
					b.WriteString(c)
				}
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns the table that [Snapshot.WriteTable] writes.
func (s Snapshot) String() string {
	var b strings.Builder
	_ = s.WriteTable(&b) // a strings.Builder does not fail
	return b.String()
}

// WriteTable writes a snapshot of the hook as a table; see
// [Snapshot.WriteTable].
func (h *Hook) WriteTable(w io.Writer) error { return h.Snapshot().WriteTable(w) }

// duration formats d with three significant digits, or "-" when there is
// no timing.
func duration(count int64, d time.Duration) string {
	if count == 0 {
		return "-"
	}
	unit := time.Duration(1)
	for x := d; x >= 1000; x /= 10 {
		unit *= 10
	}
	return d.Round(unit).String()
}
