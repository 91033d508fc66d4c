package core_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/core"
)

type pAny struct{}

// tagFn returns a migration function that appends its name to the "trail"
// of the record, so a test sees which functions ran, in which order.
func tagFn(name string) core.MigrationFunc {
	return func(_ context.Context, d core.Data) (core.Data, error) {
		trail, _ := d["trail"].([]any)
		d["trail"] = append(trail, name)
		return d, nil
	}
}

// trailOf returns the functions a record went through, comma-separated.
func trailOf(d core.Data) string {
	trail, _ := d["trail"].([]any)
	s := make([]string, len(trail))
	for i, x := range trail {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func pathString(vs []core.Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ">")
}

// graph describes a model for path tests: registered versions (a "*"
// suffix marks WithBackwardCompatible) and migrations "from>to".
type graph struct {
	versions   []string
	migrations []string
}

func (g graph) build(t testing.TB, shuffle *rand.Rand) *core.Manager {
	t.Helper()
	m := core.NewManager()
	vs := append([]string(nil), g.versions...)
	ms := append([]string(nil), g.migrations...)
	if shuffle != nil {
		shuffle.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		shuffle.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	}
	for _, v := range vs {
		var opts []core.ModelOption
		if s, ok := strings.CutSuffix(v, "*"); ok {
			v, opts = s, []core.ModelOption{core.WithBackwardCompatible()}
		}
		mustOK(t, core.Register[pAny](m, "M", v+".0.0", opts...))
	}
	for _, mig := range ms {
		from, to, _ := strings.Cut(mig, ">")
		mustOK(t, m.RegisterMigration("M", from+".0.0", to+".0.0", tagFn(mig)))
	}
	return m
}

func TestPath(t *testing.T) {
	cases := []struct {
		name     string
		g        graph
		from, to string
		want     string // the path, majors only; "" means no path
		trail    string // the functions that run, "" for none
	}{
		{"adjacent chain", graph{[]string{"1", "2", "3"}, []string{"1>2", "2>3"}}, "1", "3", "1>2>3", "1>2,2>3"},
		{"jumps compose", graph{[]string{"1", "2", "3", "4"}, []string{"1>3", "3>4"}}, "1", "4", "1>3>4", "1>3,3>4"},
		{"jump beats chain", graph{[]string{"1", "2", "3"}, []string{"1>2", "2>3", "1>3"}}, "1", "3", "1>3", "1>3"},
		{"no path without function or compatibility", graph{[]string{"1", "2", "3"}, []string{"2>3"}}, "1", "3", "", ""},
		{"downgrade", graph{[]string{"1", "2", "3"}, []string{"3>2", "2>1"}}, "3", "1", "3>2>1", "3>2,2>1"},
		{"downgrade jump composes", graph{[]string{"1", "2", "3", "4"}, []string{"4>2", "2>1"}}, "4", "1", "4>2>1", "4>2,2>1"},
		{"upgrade path is not a downgrade path", graph{[]string{"1", "2"}, []string{"1>2"}}, "2", "1", "", ""},
		{"auto into compatible", graph{[]string{"1", "2*"}, nil}, "1", "2", "1>2", ""},
		{"auto only into compatible", graph{[]string{"1*", "2"}, nil}, "1", "2", "", ""},
		{"auto downgrade into compatible", graph{[]string{"1*", "2"}, nil}, "2", "1", "2>1", ""},
		{"auto steps are between adjacent versions", graph{[]string{"1", "2*", "3*"}, nil}, "1", "3", "1>2>3", ""},
		{"auto mixes with functions", graph{[]string{"1", "2", "3*"}, []string{"1>2"}}, "1", "3", "1>2>3", "1>2"},
		{"explicit preferred over auto", graph{[]string{"1", "2*"}, []string{"1>2"}}, "1", "2", "1>2", "1>2"},
		{"fewer auto steps at equal length", graph{[]string{"1", "2*", "3", "4"}, []string{"2>4", "1>3", "3>4"}}, "1", "4", "1>3>4", "1>3,3>4"},
		{"ties go to the lowest versions", graph{[]string{"1", "2", "3", "4"}, []string{"1>3", "3>4", "1>2", "2>4"}}, "1", "4", "1>2>4", "1>2,2>4"},
		{"unregistered intermediate version", graph{[]string{"1", "3"}, []string{"1>2", "2>3"}}, "1", "3", "1>2>3", "1>2,2>3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Whatever the registration order, the same answer.
			rng := rand.New(rand.NewPCG(1, 2))
			for round := range 6 {
				var shuffle *rand.Rand
				if round > 0 {
					shuffle = rng
				}
				m := tc.g.build(t, shuffle)
				from, to := tc.from+".0.0", tc.to+".0.0"
				path, err := m.Path("M", from, to)
				if tc.want == "" {
					if !errors.Is(err, core.ErrNoMigrationPath) {
						t.Fatalf("Path = %v, %v; want ErrNoMigrationPath", path, err)
					}
					if m.HasPath("M", from, to) {
						t.Fatal("HasPath = true, want false")
					}
					_, err := m.MigrateData(context.Background(), core.Data{}, "M", from, to)
					if !errors.Is(err, core.ErrNoMigrationPath) || core.ErrorType(err) != "no_migration_path" {
						t.Fatalf("MigrateData = %v (%s), want ErrNoMigrationPath", err, core.ErrorType(err))
					}
					return
				}
				mustOK(t, err)
				want := strings.ReplaceAll(tc.want, ">", ".0.0>") + ".0.0"
				if got := pathString(path); got != want {
					t.Fatalf("round %d: Path = %s, want %s", round, got, want)
				}
				if !m.HasPath("M", from, to) {
					t.Fatal("HasPath = false")
				}
				out, err := m.MigrateData(context.Background(), core.Data{}, "M", from, to)
				mustOK(t, err)
				if got := trailOf(out); got != tc.trail {
					t.Fatalf("functions run: %q, want %q", got, tc.trail)
				}
			}
		})
	}
}

func TestPathErrors(t *testing.T) {
	m := graph{[]string{"1", "2"}, []string{"1>2"}}.build(t, nil)
	cases := []struct {
		name, model, from, to string
		want                  error
	}{
		{"unknown model", "Nope", "1.0.0", "2.0.0", core.ErrModelNotFound},
		{"unknown from", "M", "9.0.0", "2.0.0", core.ErrModelNotFound},
		{"unknown to", "M", "1.0.0", "9.0.0", core.ErrModelNotFound},
		{"unknown model, same versions", "Nope", "1.0.0", "1.0.0", core.ErrModelNotFound},
		{"unknown version, same versions", "M", "9.0.0", "9.0.0", core.ErrModelNotFound},
		{"bad from", "M", "1.0", "2.0.0", core.ErrInvalidVersion},
		{"bad to", "M", "1.0.0", "2", core.ErrInvalidVersion},
		{"no path", "M", "2.0.0", "1.0.0", core.ErrNoMigrationPath},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := m.Path(tc.model, tc.from, tc.to)
			if !errors.Is(err, tc.want) || p != nil {
				t.Fatalf("Path = %v, %v; want %v", p, err, tc.want)
			}
			if m.HasPath(tc.model, tc.from, tc.to) {
				t.Fatal("HasPath = true")
			}
		})
	}
	p, err := m.Path("M", "2.0.0", "2.0.0")
	mustOK(t, err)
	equal(t, pathString(p), "2.0.0")

	// The path returned is the caller's: changing it changes nothing.
	p, _ = m.Path("M", "1.0.0", "2.0.0")
	p[0] = core.Version{Major: 7}
	p2, _ := m.Path("M", "1.0.0", "2.0.0")
	equal(t, pathString(p2), "1.0.0>2.0.0")
}

func TestModelsVersionsLatest(t *testing.T) {
	m := core.NewManager()
	for _, mv := range []struct{ model, version string }{
		{"b", "2.0.0"}, {"b", "10.0.0"}, {"a", "1.0.0"}, {"C", "1.0.0"}, {"b", "1.2.0"},
	} {
		mustOK(t, core.Register[pAny](m, mv.model, mv.version))
	}
	mustOK(t, m.RegisterMigration("only-migrations", "1.0.0", "2.0.0", tagFn("x")))
	equal(t, m.Models(), []string{"C", "a", "b", "only-migrations"})
	vs, err := m.Versions("b")
	mustOK(t, err)
	equal(t, pathString(vs), "1.2.0>2.0.0>10.0.0")
	vs[0] = core.Version{Major: 99} // the caller's copy
	vs, _ = m.Versions("b")
	equal(t, vs[0].String(), "1.2.0")

	l, err := m.Latest("b")
	mustOK(t, err)
	equal(t, l.String(), "10.0.0")

	for _, model := range []string{"nope", "only-migrations"} {
		if _, err := m.Versions(model); !errors.Is(err, core.ErrModelNotFound) {
			t.Errorf("Versions(%q) = %v", model, err)
		}
		if _, err := m.Latest(model); !errors.Is(err, core.ErrModelNotFound) {
			t.Errorf("Latest(%q) = %v", model, err)
		}
	}
	if got := core.NewManager().Models(); len(got) != 0 {
		t.Fatalf("empty manager has models %v", got)
	}
}

// TestPathManyVersions: a long history of a model, with jumps every 10
// versions and auto steps into every fifth; every pair is answered.
func TestPathManyVersions(t *testing.T) {
	const n = 300
	m := core.NewManager()
	v := func(i int) string { return fmt.Sprintf("%d.0.0", i) }
	for i := 1; i <= n; i++ {
		var opts []core.ModelOption
		if i%5 == 0 {
			opts = append(opts, core.WithBackwardCompatible())
		}
		mustOK(t, core.Register[pAny](m, "M", v(i), opts...))
		if i > 1 && i%5 != 0 {
			mustOK(t, m.RegisterMigration("M", v(i-1), v(i), tagFn("up")))
		}
		if i > 10 && i%10 == 1 {
			mustOK(t, m.RegisterMigration("M", v(i-10), v(i), tagFn("jump")))
		}
	}
	p, err := m.Path("M", v(1), v(n))
	mustOK(t, err)
	// 1 → 11 → ... → 291 by jumps (29 steps), then 291 → 300 (9 steps).
	if len(p) != 1+29+9 || p[1] != core.MustParseVersion(v(11)) || p[len(p)-1] != core.MustParseVersion(v(n)) {
		t.Fatalf("path of %d versions: %v", len(p), pathString(p))
	}
	out, err := m.MigrateData(context.Background(), core.Data{}, "M", v(1), v(n))
	mustOK(t, err)
	equal(t, strings.Count(trailOf(out), "jump"), 29)
	for i := 1; i <= n; i += 7 {
		for j := i; j <= n; j += 13 {
			if !m.HasPath("M", v(i), v(j)) {
				t.Fatalf("no path %d → %d", i, j)
			}
		}
	}
	if m.HasPath("M", v(n), v(1)) {
		t.Fatal("a downgrade path that is not there")
	}
}
