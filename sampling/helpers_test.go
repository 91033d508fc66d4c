package sampling_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/transmute-go/transmute/core"
)

var bg = context.Background()

// tokenKey is the ctx key under which the spy keeps a per-call token.
type tokenKey struct{ kind string }

// tokens hands out fresh tokens and checks that each comes back exactly
// once.
type tokens struct {
	next atomic.Int64
	mu   sync.Mutex
	out  map[int64]bool
	bad  []string
}

func (tk *tokens) issue() int64 {
	n := tk.next.Add(1)
	tk.mu.Lock()
	if tk.out == nil {
		tk.out = map[int64]bool{}
	}
	tk.out[n] = true
	tk.mu.Unlock()
	return n
}

func (tk *tokens) fail(msg string) {
	tk.mu.Lock()
	tk.bad = append(tk.bad, msg)
	tk.mu.Unlock()
}

func (tk *tokens) redeem(ctx context.Context, kind, where string) {
	n, ok := ctx.Value(tokenKey{kind}).(int64)
	tk.mu.Lock()
	defer tk.mu.Unlock()
	switch {
	case !ok:
		tk.bad = append(tk.bad, where+": no token in ctx")
	case !tk.out[n]:
		tk.bad = append(tk.bad, fmt.Sprintf("%s: token %d not outstanding", where, n))
	default:
		delete(tk.out, n)
	}
}

func (tk *tokens) check(t *testing.T, what string) {
	t.Helper()
	tk.mu.Lock()
	defer tk.mu.Unlock()
	for _, b := range tk.bad {
		t.Errorf("%s: %s", what, b)
	}
	if len(tk.out) != 0 {
		t.Errorf("%s: %d starts never ended", what, len(tk.out))
	}
}

// spy is the hook behind the sampler in the tests. It checks the pairing
// of every call (each end gets the ctx of its own start, exactly once),
// counts the calls, and records what it saw of ForcedByError.
type spy struct {
	mig, step, batch tokens

	befores, afters, errs       atomic.Int64
	forcedBefores, forcedErrs   atomic.Int64
	steps, batches, validations atomic.Int64
	mu                          sync.Mutex
	log                         []string
	validateErr                 error
	forcedFn                    func(context.Context) bool
}

// newSpy returns a spy. It stays private: it also counts the forced calls
// (ForcedByError), which transmutetest.Recorder knows nothing of.
func newSpy(forced func(context.Context) bool) *spy { return &spy{forcedFn: forced} }

func (s *spy) note(format string, args ...any) {
	s.mu.Lock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *spy) notes() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.log, " ")
}

func (s *spy) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	s.befores.Add(1)
	if s.forcedFn(ctx) {
		s.forcedBefores.Add(1)
		s.note("before(forced) %s", e.Data.Value("name"))
	} else {
		s.note("before %s", e.Data.Value("name"))
	}
	return context.WithValue(ctx, tokenKey{"mig"}, s.mig.issue())
}

func (s *spy) AfterMigrate(ctx context.Context, e core.Event, _ core.Record) {
	s.afters.Add(1)
	s.note("after %s", e.Data.Value("name"))
	s.mig.redeem(ctx, "mig", "AfterMigrate")
}

func (s *spy) OnError(ctx context.Context, e core.Event, err error) {
	s.errs.Add(1)
	if s.forcedFn(ctx) {
		s.forcedErrs.Add(1)
		s.note("error(forced) %s", e.Data.Value("name"))
	} else {
		s.note("error %s", e.Data.Value("name"))
	}
	s.mig.redeem(ctx, "mig", "OnError")
}

func (s *spy) BeforeStep(ctx context.Context, e core.Event, st core.Step) context.Context {
	s.steps.Add(1)
	if ctx.Value(tokenKey{"mig"}) == nil {
		s.step.fail("BeforeStep: the ctx does not carry the migration's")
	}
	return context.WithValue(ctx, tokenKey{"step"}, s.step.issue())
}

func (s *spy) AfterStep(ctx context.Context, e core.Event, st core.Step, err error) {
	s.step.redeem(ctx, "step", "AfterStep")
}

func (s *spy) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	s.batches.Add(1)
	return context.WithValue(ctx, tokenKey{"batch"}, s.batch.issue())
}

func (s *spy) AfterBatch(ctx context.Context, b core.Batch, err error) {
	s.batch.redeem(ctx, "batch", "AfterBatch")
}

func (s *spy) ValidateMigration(context.Context, core.Event, core.Record) error {
	s.validations.Add(1)
	return s.validateErr
}

// check fails t unless every start the spy saw was ended exactly once with
// its own ctx.
func (s *spy) check(t *testing.T) {
	t.Helper()
	s.mig.check(t, "migrations")
	s.step.check(t, "steps")
	s.batch.check(t, "batches")
	if b, a, e := s.befores.Load(), s.afters.Load(), s.errs.Load(); b != a+e {
		t.Errorf("inner saw %d BeforeMigrate but %d AfterMigrate + %d OnError", b, a, e)
	}
	if fb, fe := s.forcedBefores.Load(), s.forcedErrs.Load(); fb != fe {
		t.Errorf("inner saw %d forced BeforeMigrate but %d forced OnError", fb, fe)
	}
}

// scripted returns a randomness source that yields, in turn, a value that
// every ratio below 1 samples (true) or rejects (false).
func scripted(decisions ...bool) func() uint64 {
	var i atomic.Int64
	return func() uint64 {
		if decisions[int(i.Add(1)-1)%len(decisions)] {
			return 0
		}
		return math.MaxUint64
	}
}

var errStep = errors.New("step refused")

// newManager returns a manager with a User model 1.0.0 → 2.0.0 → 3.0.0;
// migrating a record with "fail": true fails the second step.
func newManager(t testing.TB) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) }))
	must(t, m.RegisterSchema("User", "1.0.0", core.Schema{Fields: []core.Field{{Name: "name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterSchema("User", "2.0.0", core.Schema{Fields: []core.Field{{Name: "full_name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterSchema("User", "3.0.0", core.Schema{Fields: []core.Field{{Name: "full_name", Required: true, Kind: core.KindString}}}))
	must(t, m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		d["full_name"] = d["name"]
		delete(d, "name")
		return d, nil
	}))
	must(t, m.RegisterMigration("User", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		if d["fail"] == true {
			return nil, errStep
		}
		return d, nil
	}))
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func user(name string) core.Data { return core.Data{"name": name} }

func failing(name string) core.Data { return core.Data{"name": name, "fail": true} }
