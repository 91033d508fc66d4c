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
	"github.com/transmute-go/transmute/transmutetest"
)

var bg = context.Background()

// spy is the hook behind the sampler in the tests: the test kit's
// recorder, which records every call and checks their pairing (each end
// gets the very ctx of its own start, exactly once), plus what the
// recorder knows nothing of: the forced calls (ForcedByError) and a line
// per migration call with the record's name.
type spy struct {
	rec *transmutetest.ValidatingRecorder

	forcedBefores, forcedErrs atomic.Int64
	counts                    sync.Map // method → *atomic.Int64
	mu                        sync.Mutex
	log                       []string
	validateErr               error
	forcedFn                  func(context.Context) bool
}

func newSpy(forced func(context.Context) bool) *spy {
	return &spy{rec: transmutetest.NewValidator(nil), forcedFn: forced}
}

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

// count returns how many calls of method the spy got.
func (s *spy) count(method string) int64 {
	if n, ok := s.counts.Load(method); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

func (s *spy) tally(method string) {
	n, _ := s.counts.LoadOrStore(method, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

func (s *spy) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	s.tally(transmutetest.BeforeMigrate)
	if s.forcedFn(ctx) {
		s.forcedBefores.Add(1)
		s.note("before(forced) %s", e.Data.Value("name"))
	} else {
		s.note("before %s", e.Data.Value("name"))
	}
	return s.rec.BeforeMigrate(ctx, e)
}

func (s *spy) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	s.tally(transmutetest.AfterMigrate)
	s.note("after %s", e.Data.Value("name"))
	s.rec.AfterMigrate(ctx, e, migrated)
}

func (s *spy) OnError(ctx context.Context, e core.Event, err error) {
	s.tally(transmutetest.OnError)
	if s.forcedFn(ctx) {
		s.forcedErrs.Add(1)
		s.note("error(forced) %s", e.Data.Value("name"))
	} else {
		s.note("error %s", e.Data.Value("name"))
	}
	s.rec.OnError(ctx, e, err)
}

func (s *spy) BeforeStep(ctx context.Context, e core.Event, st core.Step) context.Context {
	s.tally(transmutetest.BeforeStep)
	return s.rec.BeforeStep(ctx, e, st)
}

func (s *spy) AfterStep(ctx context.Context, e core.Event, st core.Step, err error) {
	s.tally(transmutetest.AfterStep)
	s.rec.AfterStep(ctx, e, st, err)
}

func (s *spy) BeforeBatch(ctx context.Context, b core.Batch) context.Context {
	s.tally(transmutetest.BeforeBatch)
	return s.rec.BeforeBatch(ctx, b)
}

func (s *spy) AfterBatch(ctx context.Context, b core.Batch, err error) {
	s.tally(transmutetest.AfterBatch)
	s.rec.AfterBatch(ctx, b, err)
}

func (s *spy) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	s.tally(transmutetest.ValidateMigration)
	_ = s.rec.ValidateMigration(ctx, e, migrated)
	return s.validateErr
}

// check fails t unless every start the spy saw was ended exactly once with
// its own ctx, and every forced start ended forced.
func (s *spy) check(t *testing.T) {
	t.Helper()
	if err := s.rec.CheckPairing(); err != nil {
		t.Error(err)
	}
	b, a, e := s.count(transmutetest.BeforeMigrate), s.count(transmutetest.AfterMigrate), s.count(transmutetest.OnError)
	if b != a+e {
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
