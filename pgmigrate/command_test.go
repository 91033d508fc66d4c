package pgmigrate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCommand(m *core.Manager, args ...string) result {
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), m, args, cli.WithIO(nil, &out, &errOut), cli.WithCommands(pgmigrate.Command(m)))
	return result{code, out.String(), errOut.String()}
}

// TestCommand: the postgres subcommands of the transmute command: versions
// counts, backfill --dry-run writes nothing, backfill lists the failed
// rows (value-free) and exits 1, a second versions shows the rows moved,
// and bad flags or a bad table exit 2.
func TestCommand(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_cmd", "jsonb")
	fill(t, pool, tb, 30)
	run(t, pool, `INSERT INTO users_cmd ("Id", "Doc") VALUES (31, '{"v":"1.0.0","id":31,"name":"boom"}'), (32, '{"id":32}'), (33, '[1]')`)
	table := []string{"--dsn", dsn, "--table", "users_cmd", "--column", "Doc"}

	r := runCommand(m, append([]string{"postgres", "versions", "--json"}, table...)...)
	var c core.ModelCensus
	if err := json.Unmarshal([]byte(r.stdout), &c); r.code != 0 || err != nil {
		t.Fatalf("versions: %+v (%v)", r, err)
	}
	if c.Total != 33 || c.Versions[0] != (core.VersionCount{Version: "1.0.0", Count: 11, Registered: true}) || c.NoVersion != 1 || c.Invalid != 1 || len(c.Unused) != 0 {
		t.Fatalf("versions: %+v", c)
	}

	r = runCommand(m, append([]string{"pg", "backfill", "--key", "Id", "--dry-run", "--workers", "2"}, table...)...)
	if r.code != 1 || !contains(r.stdout, "would migrate (dry run) 20 rows of User to latest; 3 failed") {
		t.Fatalf("dry run: %+v", r)
	}
	if c2, _ := pgmigrate.Census(context.Background(), pool, m, tb, "User"); c2.Versions[0].Count != 11 {
		t.Fatalf("the dry run wrote: %+v", c2)
	}

	r = runCommand(m, append([]string{"postgres", "backfill", "--key", "Id", "--page-size", "4"}, table...)...)
	if r.code != 1 || !contains(r.stdout, "migrated 20 rows of User to latest; 3 failed, 0 skipped; 6 pages") ||
		!contains(r.stderr, "row 31: migration_function:") || !contains(r.stderr, "row 32: no_version:") || !contains(r.stderr, "row 33: decode:") ||
		!contains(r.stderr, "3 rows failed") || contains(r.stderr, "boom") {
		t.Fatalf("backfill: %+v", r)
	}
	r = runCommand(m, append([]string{"postgres", "versions"}, table...)...)
	if r.code != 0 || r.stdout != "User: 33 records\n  1.0.0                 1\n  3.0.0                30\n  no version            1\n  not objects           1\nno record holds 2.0.0: as far as these records tell, it can be dropped\n" {
		t.Fatalf("versions after: %+v", r)
	}

	for name, args := range map[string][]string{
		"no key":      append([]string{"postgres", "backfill"}, table...),
		"bad flag":    append([]string{"postgres", "backfill", "--key", "Id", "--nope"}, table...),
		"no table":    {"postgres", "backfill", "--dsn", dsn, "--table", "nope", "--key", "Id", "--column", "Doc"},
		"bad model":   append([]string{"postgres", "versions", "-m", "Nope"}, table...),
		"bad version": append([]string{"postgres", "backfill", "--key", "Id", "--to", "9.9.9"}, table...),
		"bad dsn":     {"postgres", "versions", "--dsn", "postgres://127.0.0.1:1/x?connect_timeout=5", "--table", "t", "--column", "c"},
	} {
		if r := runCommand(m, args...); r.code != cli.ExitUsage || r.stderr == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// TestCensus counts in the database what core.Census counts in Go.
func TestCensus(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_census", "json")
	fill(t, pool, tb, 9)
	run(t, pool, `INSERT INTO users_census ("Id", "Doc") VALUES (10, '{"v":"1.0"}'), (11, '{"v":null}'), (12, '"x"'), (13, NULL)`)
	got, err := pgmigrate.Census(context.Background(), pool, m, pgmigrate.Table{Name: "users_census", Column: "Doc"}, "User")
	if err != nil {
		t.Fatal(err)
	}
	want := core.NewCensus(m)
	for id, r := range rows(t, pool, tb) {
		if id == 13 {
			want.AddJSON("User", []byte("null"))
			continue
		}
		want.AddJSON("User", []byte(r.doc))
	}
	w := want.Result("User")[0]
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) || got.Total != 13 {
		t.Fatalf("census\n got %s\nwant %s", gb, wb)
	}
}
