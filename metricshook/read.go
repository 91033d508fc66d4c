package metricshook

import "github.com/transmute-go/transmute/core"

// Total returns the number of migrations started (in this period).
func (h *Hook) Total() int64 {
	n, _ := h.totals()
	return n
}

// Errors returns the number of migrations that failed.
func (h *Hook) Errors() int64 {
	_, n := h.totals()
	return n
}

// SuccessRate returns (Total - Errors) / Total, or 0 when nothing ran. A
// migration still running counts as a success until it fails.
func (h *Hook) SuccessRate() float64 { return successRate(h.totals()) }

// totals returns the migrations started and failed in this period.
func (h *Hook) totals() (started, errors int64) {
	for _, t := range h.state.Load().trans {
		s, e := t.counts()
		started += s
		errors += e
	}
	return started, errors
}

func successRate(total, errs int64) float64 {
	if total <= 0 {
		return 0
	}
	return min(max(float64(total-errs)/float64(total), 0), 1)
}

// ByModel returns the number of migrations started per model, in a new
// map. Models with none are absent.
func (h *Hook) ByModel() map[string]int64 {
	out := map[string]int64{}
	for k, t := range h.state.Load().trans {
		if s, _ := t.counts(); s > 0 {
			out[k.model] += s
		}
	}
	return out
}

// ErrorsByModel returns the number of failed migrations per model, in a
// new map. Models with none are absent.
func (h *Hook) ErrorsByModel() map[string]int64 {
	out := map[string]int64{}
	for k, t := range h.state.Load().trans {
		if _, e := t.counts(); e > 0 {
			out[k.model] += e
		}
	}
	return out
}

// Transition returns the statistics of one transition, and whether the
// hook has seen it in this period. Versions are MAJOR.MINOR.PATCH strings;
// one that does not parse has not been seen.
func (h *Hook) Transition(model, from, to string) (Transition, bool) {
	fv, err := core.ParseVersion(from)
	if err != nil {
		return Transition{}, false
	}
	tv, err := core.ParseVersion(to)
	if err != nil {
		return Transition{}, false
	}
	t := h.state.Load().trans[key{model, fv, tv}]
	if t == nil {
		return Transition{}, false
	}
	return t.stats(), true
}

// Slowest returns at most n transitions, slowest mean first. Transitions
// with no successful migration have no duration and are left out.
func (h *Hook) Slowest(n int) []Transition { return h.Snapshot().Slowest(n) }

// Snapshot returns a copy of everything counted, which the caller owns.
func (h *Hook) Snapshot() Snapshot {
	st := h.state.Load()
	s := Snapshot{
		ByModel:       map[string]int64{},
		ErrorsByModel: map[string]int64{},
		Transitions:   make([]Transition, 0, len(st.trans)),
	}
	for _, t := range st.trans {
		ts := t.stats()
		s.Transitions = append(s.Transitions, ts)
		s.Total += ts.Started
		s.Errors += ts.Errors
		if ts.Started > 0 {
			s.ByModel[ts.Model] += ts.Started
		}
		if ts.Errors > 0 {
			s.ErrorsByModel[ts.Model] += ts.Errors
		}
	}
	sortTransitions(s.Transitions)
	return s
}
