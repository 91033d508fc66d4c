package transmutetest

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// RoundTripOption configures [RoundTrip] and [FuzzRoundTrip]. A nil
// RoundTripOption is ignored.
type RoundTripOption interface {
	applyRoundTrip(*roundTrip)
}

type roundTripOption func(*roundTrip)

func (f roundTripOption) applyRoundTrip(r *roundTrip) { f(r) }

// WithSeed sets the seed of the generated records (default 1), so that a
// failure printed with its seed can be run again.
func WithSeed(seed uint64) RoundTripOption {
	return roundTripOption(func(r *roundTrip) { r.seed = seed })
}

// WithSamples sets how many records [RoundTrip] generates (default 100;
// n < 1 keeps the default).
func WithSamples(n int) RoundTripOption {
	return roundTripOption(func(r *roundTrip) {
		if n >= 1 {
			r.samples = n
		}
	})
}

// WithLossy names fields that the round trip may lose, as JSON pointers
// to an object's key: "/nickname", "/address/zip", and "/items/*/qty"
// for the key of every element of a list (or every value of a map). They
// are left out of the comparison.
func WithLossy(pointers ...string) RoundTripOption {
	return roundTripOption(func(r *roundTrip) { r.lossy = append(r.lossy, pointers...) })
}

type roundTrip struct {
	seed    uint64
	samples int
	lossy   []string
}

func newRoundTrip(opts []RoundTripOption) *roundTrip {
	r := &roundTrip{seed: 1, samples: 100}
	for _, o := range opts {
		if o != nil {
			o.applyRoundTrip(r)
		}
	}
	return r
}

// RoundTrip checks that records of model at from, migrated to to and
// back, come back as they were: for generated records ([Generate], with
// a fixed seed), each migrated with [core.Manager.Migrate] both ways, the
// result equals the input but for the fields [WithLossy] names (a field
// missing on one side and null on the other counts as equal, as it is to
// a Go struct). A failure
// prints the record, what it became at to and back, the differences key
// by key ([Diff]), and the seed and sample to run it again; the test goes
// on with its other checks. Both directions need a path.
func RoundTrip(t testing.TB, m *core.Manager, model, from, to string, opts ...RoundTripOption) {
	t.Helper()
	if loss := CheckRoundTrip(context.Background(), m, model, from, to, opts...); loss != nil {
		t.Errorf("%s", loss)
	}
}

// RoundTripLoss is the first generated record that did not come back
// whole from a round trip ([CheckRoundTrip]).
type RoundTripLoss struct {
	Model, From, To string
	// Seed and Sample reproduce the record (WithSeed(Seed); Sample is its
	// index); a fuzz input has neither.
	Seed   uint64
	Sample int
	// Input is the record; There what it became at To; Back what came
	// back (nil when a migration failed).
	Input, There, Back core.Data
	// Err is a migration that failed, there or back.
	Err error
	// Pointers are the fields that differ, as JSON pointers
	// ("/address/zip", "/tags/2/score"); "" is the whole record.
	Pointers []string

	lossy []string
	fuzz  bool
}

// String reports the loss: the record, what it became, the differences
// key by key ([Diff]) and how to run it again.
func (l *RoundTripLoss) String() string {
	head := "round trip " + l.Model + " " + l.From + " → " + l.To + " → " + l.From
	var b strings.Builder
	switch {
	case l.Err != nil && l.There == nil:
		b.WriteString(head + ": there: " + l.Err.Error() + "\ninput: " + jsonText(l.Input))
	case l.Err != nil:
		b.WriteString(head + ": back: " + l.Err.Error() + "\ninput: " + jsonText(l.Input) + "\nthere: " + jsonText(l.There))
	default:
		r := &roundTrip{lossy: l.lossy}
		b.WriteString(head + " lost data:\ninput: " + jsonText(l.Input) + "\nthere: " + jsonText(l.There) + "\nback:  " + jsonText(l.Back) +
			"\ndifferences (want is the input):\n" + Diff(r.comparable(l.Input), r.comparable(l.Back)))
	}
	if !l.fuzz {
		b.WriteString("\nseed " + strconv.FormatUint(l.Seed, 10) + ", sample " + strconv.Itoa(l.Sample) + " (transmutetest.WithSeed(" + strconv.FormatUint(l.Seed, 10) + "))")
	}
	return b.String()
}

// CheckRoundTrip is [RoundTrip]'s check for tools, with no testing.TB
// (the command's check --round-trip): the first generated record that
// does not come back whole, or nil when every one does.
func CheckRoundTrip(ctx context.Context, m *core.Manager, model, from, to string, opts ...RoundTripOption) *RoundTripLoss {
	r := newRoundTrip(opts)
	for i := range r.samples {
		in, err := Generate(m, model, from, rand.New(rand.NewPCG(r.seed, uint64(i))))
		if err != nil {
			return &RoundTripLoss{Model: model, From: from, To: to, Seed: r.seed, Sample: i, Err: err, lossy: r.lossy}
		}
		if loss := r.check(ctx, m, model, from, to, in); loss != nil {
			loss.Seed, loss.Sample = r.seed, i
			return loss
		}
	}
	return nil
}

// FuzzRoundTrip makes f a fuzz target of [RoundTrip]'s check: each input of
// the fuzzer becomes a record of from (its bytes are the record's
// randomness), which must come back from to as it was.
//
//	func FuzzUserRoundTrip(f *testing.F) {
//		transmutetest.FuzzRoundTrip(f, newManager(), "User", "1.0.0", "2.0.0")
//	}
func FuzzRoundTrip(f *testing.F, m *core.Manager, model, from, to string, opts ...RoundTripOption) {
	f.Helper()
	r := newRoundTrip(opts)
	fuzzRecords(f, m, model, from, func(t *testing.T, in core.Data) {
		if loss := r.check(t.Context(), m, model, from, to, in); loss != nil {
			loss.fuzz = true
			t.Fatal(loss.String())
		}
	})
}

// check migrates in there and back: the loss, or nil.
func (r *roundTrip) check(ctx context.Context, m *core.Manager, model, from, to string, in core.Data) *RoundTripLoss {
	loss := &RoundTripLoss{Model: model, From: from, To: to, Input: in, lossy: r.lossy}
	there, err := m.Migrate(ctx, in, model, from, to)
	if err != nil {
		loss.Err = err
		return loss
	}
	loss.There = there
	back, err := m.Migrate(ctx, there, model, to, from)
	if err != nil {
		loss.Err = err
		return loss
	}
	loss.Back = back
	want, got := r.comparable(in), r.comparable(back)
	if Diff(want, got) == "" {
		return nil
	}
	w, _ := normalize(want)
	g, _ := normalize(got)
	differences(nil, w, g, func(d difference) { loss.Pointers = append(loss.Pointers, pointer(d.path)) })
	return loss
}

// comparable returns a copy of d without the lossy fields, and without
// the fields that are null: a field missing on one side and null on the
// other is the same to a Go struct (a nil pointer, slice or map), which
// cannot tell them apart.
func (r *roundTrip) comparable(d core.Data) map[string]any {
	c, err := core.Copy(d)
	if err != nil {
		return d
	}
	for _, p := range r.lossy {
		removePointer(c, pointerTokens(p))
	}
	dropNulls(c)
	return c
}

// dropNulls deletes the keys whose value is null, at every depth.
func dropNulls(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range x {
			dropNulls(e)
		}
	}
}

// pointerTokens splits a JSON pointer into its unescaped tokens.
func pointerTokens(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// removePointer deletes the key the tokens name, below v; "*" stands for
// every element of a list or value of a map.
func removePointer(v any, toks []string) {
	if len(toks) == 0 {
		return
	}
	tok, rest := toks[0], toks[1:]
	switch x := v.(type) {
	case map[string]any:
		if tok == "*" {
			for _, e := range x {
				removePointer(e, rest)
			}
			return
		}
		if len(rest) == 0 {
			delete(x, tok)
			return
		}
		removePointer(x[tok], rest)
	case []any:
		if tok == "*" {
			for _, e := range x {
				removePointer(e, rest)
			}
			return
		}
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(x) {
			removePointer(x[i], rest)
		}
	}
}
