package sampling_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/sampling"
	"github.com/transmute-go/transmute/transmutetest"
)

func migrate(t testing.TB, m *core.Manager, d core.Data, to string) error {
	t.Helper()
	_, err := m.Migrate(bg, d, "User", "1.0.0", to)
	return err
}

func TestRatioForwardsTenPercent(t *testing.T) {
	const n = 100_000
	for name, opt := range map[string]sampling.Option{
		"seeded ChaCha8":     sampling.WithRand(rand.New(rand.NewChaCha8([32]byte{1, 2, 3})).Uint64),
		"default randomness": nil,
	} {
		t.Run(name, func(t *testing.T) {
			s := newSpy(sampling.ForcedByError)
			h := sampling.New(s, sampling.WithRatio(0.1), opt)
			m := newManager(t)
			m.AddHook(h)
			for i := range n {
				if err := migrate(t, m, user(fmt.Sprint("u", i)), "2.0.0"); err != nil {
					t.Fatal(err)
				}
			}
			got := s.count(transmutetest.BeforeMigrate)
			if got < n*9/100 || got > n*11/100 {
				t.Errorf("forwarded %d of %d, want 10%% ± 1%%", got, n)
			}
			if h.Sampled() != got || h.Seen() != n || h.Forced() != 0 {
				t.Errorf("Sampled %d (inner saw %d), Seen %d, Forced %d", h.Sampled(), got, h.Seen(), h.Forced())
			}
			s.check(t)
		})
	}
}

func TestPairingUnderConcurrency(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("KeepErrors=", keep), func(t *testing.T) {
			s := newSpy(sampling.ForcedByError)
			opts := []sampling.Option{sampling.WithRatio(0.3)}
			if keep {
				opts = append(opts, sampling.WithKeepErrors())
			}
			h := sampling.New(s, opts...)
			m := newManager(t)
			m.AddHook(h)

			const workers, each = 8, 1000
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						d := user(fmt.Sprint(w, "-", i))
						if i%5 == 0 {
							d["fail"] = true
						}
						if err := migrate(t, m, d, "3.0.0"); (err != nil) != (i%5 == 0) {
							t.Errorf("%d/%d: err = %v", w, i, err)
						}
					}
				})
			}
			wg.Wait()
			s.check(t)

			total, failures := int64(workers*each), int64(workers*each/5)
			if h.Seen() != total {
				t.Errorf("Seen = %d, want %d", h.Seen(), total)
			}
			if s.count(transmutetest.BeforeMigrate) != h.Sampled()+h.Forced() || s.forcedBefores.Load() != h.Forced() {
				t.Errorf("inner saw %d starts (%d forced); Sampled %d, Forced %d",
					s.count(transmutetest.BeforeMigrate), s.forcedBefores.Load(), h.Sampled(), h.Forced())
			}
			// Every sampled migration runs both steps (the failing ones
			// fail in the second); no other migration's steps reach inner.
			if s.count(transmutetest.BeforeStep) != 2*h.Sampled() {
				t.Errorf("inner saw %d steps for %d sampled migrations of 2 steps", s.count(transmutetest.BeforeStep), h.Sampled())
			}
			if keep {
				if s.count(transmutetest.OnError) != failures {
					t.Errorf("inner saw %d failures, want all %d", s.count(transmutetest.OnError), failures)
				}
			} else if h.Forced() != 0 {
				t.Errorf("Forced = %d without KeepErrors", h.Forced())
			}
			if h.Sampled() < total/5 || h.Sampled() > total*2/5 {
				t.Errorf("Sampled = %d of %d at ratio 0.3", h.Sampled(), total)
			}
		})
	}
}

// decides reports whether h forwards a migration of a record named key.
func decides(h *sampling.Hook, s *spy, key string) bool {
	before := s.count(transmutetest.BeforeMigrate)
	e := core.Event{Model: "User", Data: core.NewRecord(core.Data{"name": key})}
	ctx := h.BeforeMigrate(bg, e)
	h.AfterMigrate(ctx, e, e.Data)
	return s.count(transmutetest.BeforeMigrate) > before
}

func byName(r core.Record) string { s, _ := r.Value("name").(string); return s }

// referenceHash is the documented key hash, written independently with
// hash/fnv: FNV-1a 64, then MurmurHash3's fmix64.
func referenceHash(key string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(key))
	x := f.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func TestByKeyIsStable(t *testing.T) {
	p := 0.3
	s1, s2 := newSpy(sampling.ForcedByError), newSpy(sampling.ForcedByError)
	// Two samplers with different randomness, as two processes would be.
	h1 := sampling.New(s1, sampling.WithRatio(p), sampling.WithKey(byName), sampling.WithRand(rand.New(rand.NewPCG(1, 2)).Uint64))
	h2 := sampling.New(s2, sampling.WithKey(byName), sampling.WithRatio(p), sampling.WithRand(rand.New(rand.NewPCG(3, 4)).Uint64))
	widerSpy := newSpy(sampling.ForcedByError)
	wider := sampling.New(widerSpy, sampling.WithRatio(0.6), sampling.WithKey(byName))

	for i := range 2000 {
		key := fmt.Sprint("tenant-", i)
		d := decides(h1, s1, key)
		if decides(h1, s1, key) != d || decides(h2, s2, key) != d {
			t.Fatalf("key %q got different decisions", key)
		}
		if want := referenceHash(key) < uint64(p*0x1p64); d != want {
			t.Fatalf("key %q: decision %v, the documented hash says %v", key, d, want)
		}
		if d && !decides(wider, widerSpy, key) {
			t.Fatalf("key %q sampled at %v but not at 0.6", key, p)
		}
	}
	s1.check(t)
	s2.check(t)
}

func TestByKeyRatioOverManyKeys(t *testing.T) {
	const n = 100_000
	for _, pattern := range []string{"user-%d", "%d", "%x", "tenant:%08d"} {
		s := newSpy(sampling.ForcedByError)
		h := sampling.New(s, sampling.WithRatio(0.1), sampling.WithKey(byName))
		for i := range n {
			decides(h, s, fmt.Sprintf(pattern, i))
		}
		if got := h.Sampled(); got < n*9/100 || got > n*11/100 {
			t.Errorf("keys %q: %d of %d sampled, want 10%% ± 1%%", pattern, got, n)
		}
	}
}

func TestPerSecondBound(t *testing.T) {
	const rate = 100
	var clock transmutetest.Clock
	s := newSpy(sampling.ForcedByError)
	h := sampling.New(s, sampling.WithPerSecond(rate), sampling.WithClock(clock.Now))
	m := newManager(t)
	m.AddHook(h)

	// 10 simulated seconds at 1000 migrations per second.
	perSecond := make([]int64, 10)
	for sec := range perSecond {
		before := h.Sampled()
		for range 1000 {
			if err := migrate(t, m, user("x"), "2.0.0"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Millisecond)
		}
		perSecond[sec] = h.Sampled() - before
	}
	// The bucket starts full (100 tokens), then refills at 100 a second.
	if got := perSecond[0]; got < rate || got > 2*rate {
		t.Errorf("first second: %d forwarded, want between %d and %d", got, rate, 2*rate)
	}
	for sec, got := range perSecond[1:] {
		if got < rate-1 || got > rate+1 {
			t.Errorf("second %d: %d forwarded, want %d ± 1", sec+1, got, rate)
		}
	}
	if total := h.Sampled(); total > rate*10+rate {
		t.Errorf("%d forwarded in 10 s, more than rate×t + capacity = %d", total, rate*10+rate)
	}
	if s.count(transmutetest.BeforeMigrate) != h.Sampled() {
		t.Errorf("inner saw %d, Sampled %d", s.count(transmutetest.BeforeMigrate), h.Sampled())
	}

	// After a pause the bucket is full again, and holds no more than its
	// capacity.
	clock.Advance(time.Minute)
	before := h.Sampled()
	for range 1000 {
		_ = migrate(t, m, user("x"), "2.0.0")
	}
	if got := h.Sampled() - before; got != rate {
		t.Errorf("burst after a pause: %d forwarded, want the capacity %d", got, rate)
	}
	s.check(t)
}

func TestPerSecondUnderConcurrency(t *testing.T) {
	const tokens, workers, each = 200_000, 4, 100_000
	var clock transmutetest.Clock // frozen: only the initial tokens are there
	h := sampling.New(core.NopHook{}, sampling.WithPerSecond(tokens), sampling.WithClock(clock.Now))
	e := core.Event{Model: "User"}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			<-start
			for range each {
				h.AfterMigrate(h.BeforeMigrate(bg, e), e, core.Record{})
			}
		})
	}
	close(start)
	wg.Wait()
	if h.Sampled() != tokens || h.Seen() != workers*each {
		t.Errorf("Sampled %d, Seen %d; want exactly the %d tokens of the bucket out of %d", h.Sampled(), h.Seen(), tokens, workers*each)
	}
}

func TestPerSecondAfterRatio(t *testing.T) {
	var clock transmutetest.Clock
	s := newSpy(sampling.ForcedByError)
	// The coin rejects every other migration; those take no token.
	h := sampling.New(s, sampling.WithRatio(0.5), sampling.WithPerSecond(10), sampling.WithClock(clock.Now),
		sampling.WithRand(scripted(false, true)))
	for range 40 {
		decides(h, s, "k")
	}
	if h.Sampled() != 10 {
		t.Errorf("Sampled = %d, want the 10 tokens", h.Sampled())
	}
	clock.Advance(time.Second / 10) // one token back
	decides(h, s, "k")              // rejected by the coin
	if !decides(h, s, "k") {
		t.Error("the token was spent by a migration that the coin rejected")
	}
}

func TestKeepErrors(t *testing.T) {
	s := newSpy(sampling.ForcedByError)
	h := sampling.New(s, sampling.WithRatio(0), sampling.WithKeepErrors())
	m := newManager(t)
	m.AddHook(h)

	if err := migrate(t, m, user("ok"), "3.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(t, m, failing("bad"), "3.0.0"); !errors.Is(err, errStep) {
		t.Fatalf("err = %v, want the step's error unchanged", err)
	}
	if _, err := m.Migrate(bg, user("lost"), "User", "1.0.0", "7.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Fatalf("err = %v", err)
	}
	if got, want := s.notes(), "before(forced) bad error(forced) bad before(forced) lost error(forced) lost"; got != want {
		t.Errorf("inner saw %q, want %q", got, want)
	}
	if h.Forced() != 2 || h.Sampled() != 0 || h.Seen() != 3 || s.count(transmutetest.BeforeStep) != 0 {
		t.Errorf("Forced %d, Sampled %d, Seen %d, steps %d", h.Forced(), h.Sampled(), h.Seen(), s.count(transmutetest.BeforeStep))
	}
	s.check(t)

	// A sampled migration that fails is not forced.
	s2 := newSpy(sampling.ForcedByError)
	m2 := newManager(t)
	m2.AddHook(sampling.New(s2, sampling.WithKeepErrors()))
	_ = migrate(t, m2, failing("seen"), "3.0.0")
	if got := s2.notes(); got != "before seen error seen" {
		t.Errorf("sampled failure: inner saw %q", got)
	}
	s2.check(t)

	// Without KeepErrors an unsampled failure is not forwarded.
	s3 := newSpy(sampling.ForcedByError)
	m3 := newManager(t)
	m3.AddHook(sampling.New(s3, sampling.WithRatio(0)))
	_ = migrate(t, m3, failing("quiet"), "3.0.0")
	if got := s3.notes(); got != "" {
		t.Errorf("inner saw %q", got)
	}
	if sampling.ForcedByError(bg) {
		t.Error("ForcedByError(Background) = true")
	}
}

func TestStepsForwardedOnlyWhenSampled(t *testing.T) {
	s := newSpy(sampling.ForcedByError)
	h := sampling.New(s, sampling.WithRatio(0.5), sampling.WithRand(scripted(true, false, false, true)))
	m := newManager(t)
	m.AddHook(h)
	for i := range 4 {
		_ = migrate(t, m, user(fmt.Sprint(i)), "3.0.0")
	}
	if got := s.notes(); got != "before 0 after 0 before 3 after 3" {
		t.Errorf("inner saw %q", got)
	}
	if s.count(transmutetest.BeforeStep) != 4 {
		t.Errorf("inner saw %d steps, want the 2 steps of each of the 2 sampled migrations", s.count(transmutetest.BeforeStep))
	}
	s.check(t)
}

// Nested models run their migrations inside a step of the parent's: each
// is decided on its own, and a decision never leaks into another.
func TestNestedMigrationsAreDecidedOnTheirOwn(t *testing.T) {
	newOrders := func(h core.Hook) *core.Manager {
		m := core.NewManager()
		must(t, m.RegisterSchema("Item", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true, Kind: core.KindString}}}))
		must(t, m.RegisterSchema("Item", "2.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true, Kind: core.KindString}}}))
		must(t, m.RegisterMigration("Item", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			if d["name"] == "bad" {
				return nil, errStep
			}
			return d, nil
		}))
		must(t, m.RegisterSchema("Order", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name"}, {Name: "items", Model: "Item", ModelVersion: "1.0.0", List: true}}}))
		must(t, m.RegisterSchema("Order", "2.0.0", core.Schema{Fields: []core.Field{{Name: "name"}, {Name: "items", Model: "Item", ModelVersion: "2.0.0", List: true}}}, core.WithBackwardCompatible()))
		m.AddHook(h)
		return m
	}
	order := func(items ...string) core.Data {
		var l []any
		for _, n := range items {
			l = append(l, map[string]any{"name": n})
		}
		return core.Data{"name": "order", "items": l}
	}
	for _, tc := range []struct {
		decisions []bool // order, then each item
		items     []string
		want      string
		steps     int64
	}{
		{[]bool{true, false, true}, []string{"a", "b"}, "before order before b after b after order", 2},
		{[]bool{false, true, false}, []string{"a", "b"}, "before a after a", 1},
		{[]bool{true, false, false}, []string{"a", "b"}, "before order after order", 1},
		{[]bool{true, false}, []string{"bad"}, "before order before(forced) bad error(forced) bad error order", 1},
		{[]bool{false, false}, []string{"bad"}, "before(forced) bad error(forced) bad before(forced) order error(forced) order", 0},
	} {
		s := newSpy(sampling.ForcedByError)
		h := sampling.New(s, sampling.WithRatio(0.5), sampling.WithKeepErrors(), sampling.WithRand(scripted(tc.decisions...)))
		_, _ = newOrders(h).Migrate(bg, order(tc.items...), "Order", "1.0.0", "2.0.0")
		if got := s.notes(); got != tc.want {
			t.Errorf("decisions %v: inner saw %q, want %q", tc.decisions, got, tc.want)
		}
		if s.count(transmutetest.BeforeStep) != tc.steps {
			t.Errorf("decisions %v: inner saw %d steps, want %d", tc.decisions, s.count(transmutetest.BeforeStep), tc.steps)
		}
		s.check(t)
	}
}

func TestSameSamplerRegisteredTwice(t *testing.T) {
	for _, d := range [][]bool{{true, false}, {false, true}, {true, true}} {
		s := newSpy(sampling.ForcedByError)
		h := sampling.New(s, sampling.WithRatio(0.5), sampling.WithKeepErrors(), sampling.WithRand(scripted(d...)))
		m := newManager(t)
		m.AddHook(h, h)
		_ = migrate(t, m, user("x"), "2.0.0")
		_ = migrate(t, m, failing("y"), "3.0.0")
		s.check(t)
	}
}

func TestBatchesAreForwardedWhole(t *testing.T) {
	s := newSpy(sampling.ForcedByError)
	h := sampling.New(s, sampling.WithRatio(0))
	m := newManager(t)
	m.AddHook(h)
	items := []core.Data{user("a"), user("b"), user("c")}
	if _, err := m.MigrateBatch(bg, items, "User", "1.0.0", "2.0.0", core.WithWorkers(2)); err != nil {
		t.Fatal(err)
	}
	if s.count(transmutetest.BeforeBatch) != 1 || s.count(transmutetest.BeforeMigrate) != 0 || h.Seen() != 3 {
		t.Errorf("batches %d, item migrations forwarded %d, seen %d", s.count(transmutetest.BeforeBatch), s.count(transmutetest.BeforeMigrate), h.Seen())
	}
	s.check(t)
}

func TestValidatorIsNotForwarded(t *testing.T) {
	s := newSpy(sampling.ForcedByError)
	s.validateErr = errors.New("rejected")
	h := sampling.New(s)
	if _, ok := any(h).(core.Validator); ok {
		t.Fatal("a sampler is a core.Validator: validation would depend on chance")
	}
	m := newManager(t)
	m.AddHook(h)
	if err := migrate(t, m, user("a"), "2.0.0"); err != nil {
		t.Fatalf("err = %v", err)
	}
	if s.count(transmutetest.ValidateMigration) != 0 || s.count(transmutetest.AfterMigrate) != 1 {
		t.Errorf("validations %d, afters %d", s.count(transmutetest.ValidateMigration), s.count(transmutetest.AfterMigrate))
	}
}

func TestOptions(t *testing.T) {
	count := func(opts ...sampling.Option) int64 {
		s := newSpy(sampling.ForcedByError)
		h := sampling.New(s, opts...)
		for i := range 200 {
			decides(h, s, fmt.Sprint(i))
		}
		s.check(t)
		return s.count(transmutetest.BeforeMigrate)
	}
	for _, tc := range []struct {
		name string
		opts []sampling.Option
		want int64
	}{
		{"no option", nil, 200},
		{"nil options", []sampling.Option{nil, sampling.WithKey(nil), sampling.WithRand(nil), sampling.WithClock(nil)}, 200},
		{"Ratio(1)", []sampling.Option{sampling.WithRatio(1)}, 200},
		{"Ratio(2)", []sampling.Option{sampling.WithRatio(2)}, 200},
		{"Ratio(0)", []sampling.Option{sampling.WithRatio(0)}, 0},
		{"Ratio(-1)", []sampling.Option{sampling.WithRatio(-1)}, 0},
		{"Ratio(NaN)", []sampling.Option{sampling.WithRatio(math.NaN())}, 0},
		{"PerSecond(0)", []sampling.Option{sampling.WithPerSecond(0)}, 0},
		{"PerSecond(NaN)", []sampling.Option{sampling.WithPerSecond(math.NaN())}, 0},
		{"PerSecond(+Inf)", []sampling.Option{sampling.WithPerSecond(math.Inf(1))}, 200},
		{"last Ratio wins", []sampling.Option{sampling.WithRatio(0), sampling.WithRatio(1)}, 200},
		{"ByKey(nil) keeps randomness", []sampling.Option{sampling.WithRatio(0.5), sampling.WithKey(nil), sampling.WithRand(scripted(true, false))}, 100},
	} {
		if got := count(tc.opts...); got != tc.want {
			t.Errorf("%s: forwarded %d of 200, want %d", tc.name, got, tc.want)
		}
	}

}

// A nil inner hook gives a nil *Hook, as hooks.Filter(nil, …) gives a nil
// hook: the manager ignores it (a live nil *Hook would panic in every
// call, which the manager would report), and its counters read 0.
func TestNilInnerGivesNilHook(t *testing.T) {
	h := sampling.New(nil, sampling.WithKeepErrors())
	if h != nil {
		t.Fatalf("sampling.New(nil) = %p, want nil", h)
	}
	if h.Seen() != 0 || h.Sampled() != 0 || h.Forced() != 0 {
		t.Fatal("the counters of a nil *Hook are not 0")
	}
	m := newManager(t) // its error handler fails the test on any hook panic
	m.AddHook(h)
	if got := len(m.Hooks()); got != 0 {
		t.Fatalf("AddHook(sampling.New(nil)) kept %d hooks", got)
	}
	if err := migrate(t, m, user("a"), "2.0.0"); err != nil {
		t.Fatal(err)
	}
	_ = migrate(t, m, failing("b"), "3.0.0")
}

func TestUnsampledPathAllocatesNothing(t *testing.T) {
	s := newSpy(sampling.ForcedByError)
	e := core.Event{Model: "User", Data: core.NewRecord(core.Data{"name": "k"})}
	for name, h := range map[string]*sampling.Hook{
		"Ratio(0)":             sampling.New(s, sampling.WithRatio(0)),
		"ByKey":                sampling.New(s, sampling.WithRatio(0), sampling.WithKey(byName)),
		"PerSecond, exhausted": sampling.New(s, sampling.WithPerSecond(1), sampling.WithClock(new(transmutetest.Clock).Now)),
	} {
		decides(h, s, "k") // takes the PerSecond token
		allocs := testing.AllocsPerRun(1000, func() {
			ctx := h.BeforeMigrate(bg, e)
			h.BeforeStep(ctx, e, core.Step{})
			h.AfterStep(ctx, e, core.Step{}, nil)
			h.AfterMigrate(ctx, e, e.Data)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per unsampled migration", name, allocs)
		}
	}
	if s.count(transmutetest.BeforeMigrate) != 1 {
		t.Errorf("inner saw %d migrations, want only the one that took the token", s.count(transmutetest.BeforeMigrate))
	}
}

func TestPerSecondTinyRate(t *testing.T) {
	// One token every 31 700 years: the arithmetic must not overflow.
	var clock transmutetest.Clock
	h := sampling.New(core.NopHook{}, sampling.WithPerSecond(1e-12), sampling.WithClock(clock.Now))
	e := core.Event{Model: "User"}
	for range 10 {
		h.AfterMigrate(h.BeforeMigrate(bg, e), e, core.Record{})
	}
	clock.Advance(24 * time.Hour)
	for range 10 {
		h.AfterMigrate(h.BeforeMigrate(bg, e), e, core.Record{})
	}
	if h.Sampled() != 1 {
		t.Errorf("Sampled = %d, want only the bucket's one token", h.Sampled())
	}
}
