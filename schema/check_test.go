package schema_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/schema"
)

// The family of the gate's tests. Acct:
//
//	1.0.0 ──auto──▶ 2.0.0: nick removed, email added with a default, the
//	                       nested Addr 1.0.0 → 2.0.0 (auto) adds a required
//	                       zip with no default
//	2.0.0 ──func──▶ 3.0.0: id retyped (int → string), email removed
//	3.0.0 ──auto──▶ 4.0.0: each tag gains a required weight, no default
//	3.0.0 ──func──▶ 2.0.0: a registered downgrade
type ckAddr1 struct {
	City string `json:"city"`
}
type ckAddr2 struct {
	City string `json:"city"`
	Zip  string `json:"zip"`
}
type ckTag struct {
	Label string `json:"label"`
}
type ckTag2 struct {
	Label  string `json:"label"`
	Weight int    `json:"weight"`
}
type ckV1 struct {
	ID      int     `json:"id"`
	Nick    string  `json:"nick,omitempty"`
	Address ckAddr1 `json:"address"`
	Tags    []ckTag `json:"tags"`
}
type ckV2 struct {
	ID      int     `json:"id"`
	Email   string  `json:"email" default:"\"\""`
	Address ckAddr2 `json:"address"`
	Tags    []ckTag `json:"tags"`
}
type ckV3 struct {
	ID      string  `json:"id"`
	Address ckAddr2 `json:"address"`
	Tags    []ckTag `json:"tags"`
}
type ckV4 struct {
	ID      string   `json:"id"`
	Address ckAddr2  `json:"address"`
	Tags    []ckTag2 `json:"tags"`
}

func checkManager(t *testing.T) *core.Manager {
	t.Helper()
	m := core.NewManager()
	err := errors.Join(
		core.Register[ckAddr1](m, "Addr", "1.0.0"),
		core.Register[ckAddr2](m, "Addr", "2.0.0", core.WithBackwardCompatible()),
		core.Register[ckV1](m, "Acct", "1.0.0"),
		core.Register[ckV2](m, "Acct", "2.0.0", core.WithBackwardCompatible()),
		core.Register[ckV3](m, "Acct", "3.0.0"),
		core.Register[ckV4](m, "Acct", "4.0.0", core.WithBackwardCompatible()),
		core.RegisterTyped(m, "Acct", "2.0.0", "3.0.0", func(_ context.Context, in ckV2) (ckV3, error) {
			return ckV3{ID: fmt.Sprint(in.ID), Address: in.Address, Tags: in.Tags}, nil
		}),
		core.RegisterTyped(m, "Acct", "3.0.0", "2.0.0", func(_ context.Context, in ckV3) (ckV2, error) {
			return ckV2{Address: in.Address, Tags: in.Tags}, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// brief is a finding as the tests write it: "from>to pointer code severity".
func brief(fs []schema.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s>%s %s %s %s", f.From, f.To, f.Pointer, f.Code, f.Severity)
	}
	return out
}

func TestCheckModes(t *testing.T) {
	m := checkManager(t)
	for _, c := range []struct {
		mode schema.Mode
		want []string
	}{
		{schema.Backward, []string{
			"1.0.0>2.0.0 /nick field_removed warning",
			"1.0.0>2.0.0 /address/zip required_added error",
			"2.0.0>3.0.0 /email field_removed warning",
			"3.0.0>4.0.0 /tags/*/weight required_added error",
		}},
		{schema.Forward, []string{ // 3.0.0 → 2.0.0 has its downgrade: nothing found
			"2.0.0>1.0.0  no_migration error",
			"4.0.0>3.0.0  no_migration error",
		}},
		{schema.Backward | schema.Transitive, []string{ // every pair's path is made of the same steps: each judged once
			"1.0.0>2.0.0 /nick field_removed warning",
			"1.0.0>2.0.0 /address/zip required_added error",
			"2.0.0>3.0.0 /email field_removed warning",
			"3.0.0>4.0.0 /tags/*/weight required_added error",
		}},
		{schema.Forward | schema.Transitive, []string{
			"2.0.0>1.0.0  no_migration error",
			"3.0.0>1.0.0  no_migration error",
			"4.0.0>1.0.0  no_migration error",
			"4.0.0>2.0.0  no_migration error",
			"4.0.0>3.0.0  no_migration error",
		}},
	} {
		r, err := schema.Check(m, "Acct", c.mode)
		if err != nil {
			t.Fatal(err)
		}
		if got := brief(r.Findings); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%v:\n got %q\nwant %q", c.mode, got, c.want)
		}
		if r.Mode != c.mode.String() {
			t.Errorf("Mode %q", r.Mode)
		}
		for _, f := range r.Findings {
			if f.Model == "" || f.Message == "" {
				t.Errorf("%+v", f)
			}
		}
	}
}

// A migration covers what it changes: the same retyped field is an error
// with no function on the path, and nothing with one.
func TestCheckCountsMigrations(t *testing.T) {
	type v1 struct {
		N int `json:"n"`
	}
	type v2 struct {
		N string `json:"n"`
	}
	m := core.NewManager()
	if err := errors.Join(core.Register[v1](m, "R", "1.0.0"), core.Register[v2](m, "R", "2.0.0", core.WithBackwardCompatible())); err != nil {
		t.Fatal(err)
	}
	r, err := schema.Check(m, "R", schema.Backward)
	if err != nil {
		t.Fatal(err)
	}
	if got := brief(r.Errors()); len(got) != 1 || got[0] != "1.0.0>2.0.0 /n type_changed error" {
		t.Fatalf("auto step: %q", got)
	}
	m2 := core.NewManager()
	if err := errors.Join(core.Register[v1](m2, "R", "1.0.0"), core.Register[v2](m2, "R", "2.0.0"),
		m2.RegisterMigration("R", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) { return d, nil })); err != nil {
		t.Fatal(err)
	}
	r, err = schema.Check(m2, "R", schema.Full)
	if err != nil {
		t.Fatal(err)
	}
	if got := brief(r.Findings); len(got) != 1 || got[0] != "2.0.0>1.0.0  no_migration error" {
		t.Fatalf("with a migration: %q", got)
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]schema.Mode{
		"backward": schema.Backward, "FORWARD": schema.Forward, "full": schema.Full,
		"backward-transitive": schema.Backward | schema.Transitive, "FULL_TRANSITIVE": schema.Full | schema.Transitive,
	} {
		got, err := schema.ParseMode(in)
		if err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
		if back, _ := schema.ParseMode(got.String()); back != got {
			t.Errorf("%v does not read back", got)
		}
	}
	if _, err := schema.ParseMode("sideways"); err == nil {
		t.Error("sideways parsed")
	}
	if _, err := schema.Check(core.NewManager(), "Nope", schema.Backward); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown model: %v", err)
	}
}

func TestCheckPath(t *testing.T) {
	m := checkManager(t)
	got, err := schema.CheckPath(m, "Acct", "1.0.0", "4.0.0")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1.0.0>2.0.0 /nick field_removed warning",
		"1.0.0>2.0.0 /address/zip required_added error",
		"2.0.0>3.0.0 /email field_removed warning",
		"3.0.0>4.0.0 /tags/*/weight required_added error",
	}
	if b := brief(got); strings.Join(b, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", b, want)
	}
	got, err = schema.CheckPath(m, "Acct", "3.0.0", "2.0.0")
	if err != nil || len(got) != 0 {
		t.Errorf("a registered downgrade: %v, %v", got, err)
	}
	if _, err := schema.CheckPath(m, "Acct", "1.0.0", "9.0.0"); !errors.Is(err, core.ErrModelNotFound) {
		t.Errorf("unknown version: %v", err)
	}
}
