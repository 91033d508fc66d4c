package transmutetest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/transmutetest"
)

type rtV1 struct {
	Name     string  `json:"name"`
	Nickname string  `json:"nickname,omitempty"`
	Tags     []rtTag `json:"tags"`
	Address  *rtAddr `json:"address"`
}

type rtTag struct {
	Label string `json:"label"`
	Score int    `json:"score"`
}

type rtAddr struct {
	City string `json:"city"`
	Zip  string `json:"zip"`
}

type rtV2 struct {
	First   string  `json:"first"`
	Last    string  `json:"last"`
	Tags    []rtTag `json:"tags"`
	Address *rtAddr `json:"address"`
}

// rtManager is User 1.0.0 ⇄ 2.0.0; the downgrade loses the nickname and,
// with lossyZip, every zip and every tag's score.
func rtManager(t testing.TB, lossyZip bool) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithVersionKey("v"))
	err := errors.Join(
		core.Register[rtV1](m, "User", "1.0.0"),
		core.Register[rtV2](m, "User", "2.0.0"),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", func(_ context.Context, u rtV1) (rtV2, error) {
			// A name is kept whole in First: Last stays empty, so the
			// way back restores it exactly.
			return rtV2{First: u.Name, Tags: u.Tags, Address: u.Address}, nil
		}),
		core.RegisterTyped(m, "User", "2.0.0", "1.0.0", func(_ context.Context, u rtV2) (rtV1, error) {
			out := rtV1{Name: u.First, Tags: u.Tags, Address: u.Address}
			if lossyZip {
				if out.Address != nil {
					a := *out.Address
					a.Zip = ""
					out.Address = &a
				}
				for i := range out.Tags {
					out.Tags[i].Score = 0
				}
			}
			return out, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tb captures what RoundTrip reports.
type tb struct {
	testing.TB
	errs []string
}

func (t *tb) Helper() {}
func (t *tb) Errorf(format string, args ...any) {
	t.errs = append(t.errs, fmt.Sprintf(format, args...))
}

func TestRoundTrip(t *testing.T) {
	// The nickname is lost on the way back: declared lossy, it passes.
	transmutetest.RoundTrip(t, rtManager(t, false), "User", "1.0.0", "2.0.0", transmutetest.WithLossy("/nickname"))

	// Undeclared, it fails, with the record, the differences and the seed.
	c := &tb{TB: t}
	transmutetest.RoundTrip(c, rtManager(t, false), "User", "1.0.0", "2.0.0", transmutetest.WithSeed(7), transmutetest.WithSamples(200))
	if len(c.errs) != 1 {
		t.Fatalf("reports %q, want one", c.errs)
	}
	for _, want := range []string{"round trip User 1.0.0 → 2.0.0 → 1.0.0 lost data", "input: {", "back:  {", "nickname", "seed 7, sample "} {
		if !strings.Contains(c.errs[0], want) {
			t.Errorf("the report lacks %q:\n%s", want, c.errs[0])
		}
	}

	// Nested lossy fields, through a pointer and a list.
	c = &tb{TB: t}
	transmutetest.RoundTrip(c, rtManager(t, true), "User", "1.0.0", "2.0.0", transmutetest.WithLossy("/nickname", "/address/zip"))
	if len(c.errs) != 1 || !strings.Contains(c.errs[0], "tags[") {
		t.Fatalf("a lost tag score: %q", c.errs)
	}
	transmutetest.RoundTrip(t, rtManager(t, true), "User", "1.0.0", "2.0.0", transmutetest.WithLossy("/nickname", "/address/zip", "/tags/*/score"))

	// No way back is a report, not a panic.
	m := core.NewManager()
	if err := errors.Join(core.Register[rtV1](m, "User", "1.0.0"), core.Register[rtV2](m, "User", "2.0.0")); err != nil {
		t.Fatal(err)
	}
	c = &tb{TB: t}
	transmutetest.RoundTrip(c, m, "User", "1.0.0", "2.0.0", nil)
	if len(c.errs) != 1 || !strings.Contains(c.errs[0], "there: ") {
		t.Fatalf("no path: %q", c.errs)
	}
}

func FuzzUserRoundTrip(f *testing.F) {
	transmutetest.FuzzRoundTrip(f, rtManager(f, true), "User", "1.0.0", "2.0.0",
		transmutetest.WithLossy("/nickname", "/address/zip", "/tags/*/score"))
}

// CheckRoundTrip gives tools the loss as values: the pointers of what
// differs, and the seed and sample that reproduce it.
func TestCheckRoundTrip(t *testing.T) {
	m := rtManager(t, true)
	if loss := transmutetest.CheckRoundTrip(context.Background(), m, "User", "1.0.0", "2.0.0",
		transmutetest.WithLossy("/nickname", "/address/zip", "/tags/*/score")); loss != nil {
		t.Fatalf("all lossy fields declared: %v", loss)
	}
	loss := transmutetest.CheckRoundTrip(context.Background(), m, "User", "1.0.0", "2.0.0", transmutetest.WithLossy("/nickname"), transmutetest.WithSeed(3))
	if loss == nil || loss.Err != nil || len(loss.Pointers) == 0 || loss.Seed != 3 {
		t.Fatalf("%+v", loss)
	}
	for _, p := range loss.Pointers {
		if !(p == "/address/zip" || strings.HasPrefix(p, "/tags/") && strings.HasSuffix(p, "/score")) {
			t.Errorf("pointer %q", p)
		}
	}
	// The same seed and sample, again: the same record.
	again := transmutetest.CheckRoundTrip(context.Background(), m, "User", "1.0.0", "2.0.0", transmutetest.WithLossy("/nickname"), transmutetest.WithSeed(3))
	if again.Sample != loss.Sample || fmt.Sprint(again.Input) != fmt.Sprint(loss.Input) {
		t.Errorf("not reproducible: %d vs %d", again.Sample, loss.Sample)
	}
}
