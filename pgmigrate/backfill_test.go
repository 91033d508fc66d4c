package pgmigrate_test

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
)

// expected is what MigrateTo gives for each row's document as it is now.
func expected(t testing.TB, m *core.Manager, before map[int64]row) map[int64]core.Data {
	t.Helper()
	want := map[int64]core.Data{}
	for id, r := range before {
		d, err := core.DecodeJSON([]byte(r.doc))
		if err != nil {
			t.Fatal(err)
		}
		if want[id], err = m.MigrateTo(context.Background(), d, "User", core.Latest); err != nil {
			t.Fatalf("row %d: %v", id, err)
		}
	}
	return want
}

// checkMigrated: every row holds what MigrateTo gives for its original,
// and was written exactly once if it was not at the latest (never if it
// was).
func checkMigrated(t testing.TB, pool *pgxpool.Pool, tb pgmigrate.Table, before map[int64]row, want map[int64]core.Data) {
	t.Helper()
	after := rows(t, pool, tb)
	if len(after) != len(before) {
		t.Fatalf("%d rows, want %d", len(after), len(before))
	}
	for id, r := range after {
		d, err := core.DecodeJSON([]byte(r.doc))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, want[id]) {
			t.Fatalf("row %d: %s, want %v", id, r.doc, want[id])
		}
		writes := 1
		if contains(before[id].doc, `"v": "3.0.0"`) {
			writes = 0
		}
		if r.updates != writes {
			t.Fatalf("row %d was written %d times, want %d", id, r.updates, writes)
		}
	}
}

func pending(before map[int64]row) int {
	n := 0
	for _, r := range before {
		if !contains(r.doc, `"v": "3.0.0"`) {
			n++
		}
	}
	return n
}

// TestBackfill10000: 10,000 rows of mixed versions in a table whose name,
// key and column need quoting, four workers: every row at the target,
// equal to what MigrateTo gives for its original, written once; the
// pages are taken in key order (one pass: every page full but the last);
// the progress estimate falls to 0; a second run finds nothing to do.
func TestBackfill10000(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, `My "Users" Table`, "jsonb")
	tb.Schema = "public"
	fill(t, pool, tb, 10000)
	before := rows(t, pool, tb)
	want := expected(t, m, before)
	var progress []pgmigrate.Progress
	stats, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest,
		pgmigrate.WithWorkers(4), pgmigrate.WithPageSize(250),
		pgmigrate.WithProgress(func(p pgmigrate.Progress) { progress = append(progress, p) }))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Migrated != pending(before) || stats.Failed != 0 || stats.Skipped != 0 || stats.Pages != (6667+249)/250 {
		t.Fatalf("stats %+v, want %d migrated", stats, pending(before))
	}
	checkMigrated(t, pool, tb, before, want)
	if len(progress) != stats.Pages || progress[0].Left >= pending(before) || progress[len(progress)-1].Left != 0 {
		t.Fatalf("progress: %d calls for %d pages, first %+v, last %+v", len(progress), stats.Pages, progress[0], progress[len(progress)-1])
	}
	for i := 1; i < len(progress); i++ {
		if progress[i].Left > progress[i-1].Left || progress[i].Migrated <= progress[i-1].Migrated {
			t.Fatalf("progress went back: %+v then %+v", progress[i-1], progress[i])
		}
	}
	again, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", "3.0.0")
	if err != nil || again.Migrated != 0 || again.Pages != 0 {
		t.Fatalf("a second run: %+v, %v", again, err)
	}
}

// TestBackfillExactIntegers: an integer beyond 2^53 goes through scan,
// migration and write exact, in a json column too, both in a field the
// typed step sets and in one it carries.
func TestBackfillExactIntegers(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	for _, typ := range []string{"json", "jsonb"} {
		tb := newTable(t, pool, "exact_"+typ, typ)
		run(t, pool, `INSERT INTO exact_`+typ+` ("Id", "Doc") VALUES (1, '{"v":"2.0.0","id":`+big+`,"first":"A","last":"B","extra":`+big+`1}')`)
		if _, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest); err != nil {
			t.Fatal(err)
		}
		var d pgmigrate.Doc
		if err := pool.QueryRow(context.Background(), `SELECT "Doc" FROM exact_`+typ).Scan(&d); err != nil {
			t.Fatal(err)
		}
		if d.Data["v"] != "3.0.0" || d.Data["id"] != jsonNumber(big) || d.Data["extra"] != jsonNumber(big+"1") {
			t.Fatalf("%s: %v", typ, d.Data)
		}
	}
}

// TestBackfillRejects: each kind of bad row is left as it is, recorded in
// the rejects table (key, model, value-free error, type, original) and
// told to the callback; a second run records them again in place.
func TestBackfillRejects(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_bad", "jsonb")
	fill(t, pool, tb, 30)
	bad := map[int64]string{
		101: `[1, 2]`,
		102: `{"id": 102, "name": "No Version"}`,
		103: `{"v": "9.9.9", "id": 103, "name": "Unknown Version"}`,
		104: `{"v": "1.0.0", "id": 104, "name": "boom"}`,
		105: `{"v": "2.0.0", "id": 105, "first": "No Last"}`,
		106: `{"v": "2.0.0", "id": "not a number", "first": "A", "last": "B"}`,
		107: `"just a string"`,
	}
	for id, d := range bad {
		run(t, pool, `INSERT INTO users_bad ("Id", "Doc") VALUES ($1, $2::jsonb)`, id, d)
	}
	run(t, pool, `DROP TABLE IF EXISTS "Rejects"`)
	before := rows(t, pool, tb)
	var mu sync.Mutex
	told := map[string]pgmigrate.Reject{}
	backfill := func() pgmigrate.Stats {
		stats, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest,
			pgmigrate.WithPageSize(7), pgmigrate.WithRejectsTable("Rejects"),
			pgmigrate.WithRejects(func(r pgmigrate.Reject) { mu.Lock(); told[r.Key] = r; mu.Unlock() }))
		if err != nil {
			t.Fatal(err)
		}
		return stats
	}
	stats := backfill()
	if stats.Failed != len(bad) || stats.Migrated != 20 {
		t.Fatalf("stats %+v", stats)
	}
	after := rows(t, pool, tb)
	for id := range bad {
		if after[id] != before[id] {
			t.Fatalf("bad row %d was changed: %+v → %+v", id, before[id], after[id])
		}
	}
	type reject struct{ model, msg, typ, doc string }
	read := func() map[string]reject {
		rs, err := pool.Query(context.Background(), `SELECT key, model, error, error_type, document FROM "Rejects"`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		out := map[string]reject{}
		for rs.Next() {
			var k string
			var r reject
			if err := rs.Scan(&k, &r.model, &r.msg, &r.typ, &r.doc); err != nil {
				t.Fatal(err)
			}
			out[k] = r
		}
		return out
	}
	got := read()
	wantTypes := map[string]string{"101": "decode", "102": "no_version", "103": "version_not_found", "104": "migration_function", "105": "validation", "106": "validation", "107": "decode"}
	if len(got) != len(bad) || len(told) != len(bad) {
		t.Fatalf("rejects table %v, callback %v", got, slices.Collect(maps.Keys(told)))
	}
	for k, typ := range wantTypes {
		r := got[k]
		if r.model != "User" || r.doc != before[keyID(k)].doc || r.msg == "" {
			t.Fatalf("reject %s: %+v", k, r)
		}
		if r.typ != typ && !(k == "103" && r.typ != "") {
			t.Errorf("reject %s: type %q, want %q (%s)", k, r.typ, typ, r.msg)
		}
		if contains(r.msg, "not a number") || contains(r.msg, "No Version") {
			t.Fatalf("reject %s: the error text holds a value: %s", k, r.msg)
		}
		if told[k].Err == nil || string(told[k].Document) != before[keyID(k)].doc {
			t.Fatalf("callback %s: %+v", k, told[k])
		}
	}
	if !errors.Is(told["104"].Err, errBoom) {
		t.Fatalf("the callback's error must be the step's: %v", told["104"].Err)
	}
	again := backfill()
	if again.Failed != len(bad) || again.Migrated != 0 || len(read()) != len(bad) {
		t.Fatalf("a second run: %+v, %d rejects", again, len(read()))
	}
}

// TestBackfillDryRun writes nothing (no row, no rejects table) and reports
// what it would do; WithWhere restricts the rows.
func TestBackfillDryRun(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_dry", "jsonb")
	fill(t, pool, tb, 300)
	run(t, pool, `INSERT INTO users_dry ("Id", "Doc") VALUES (1000, '{"v":"1.0.0","id":1000,"name":"boom"}')`)
	run(t, pool, `UPDATE users_dry SET tenant = 7 WHERE "Id" <= 30`)
	run(t, pool, `DROP TABLE IF EXISTS dry_rejects`)
	before := rows(t, pool, tb)
	var rejected []string
	stats, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest,
		pgmigrate.WithDryRun(), pgmigrate.WithWorkers(3), pgmigrate.WithPageSize(16), pgmigrate.WithRejectsTable("dry_rejects"),
		pgmigrate.WithRejects(func(r pgmigrate.Reject) { rejected = append(rejected, r.Key) }))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Migrated != 200 || stats.Failed != 1 || !slices.Equal(rejected, []string{"1000"}) {
		t.Fatalf("dry run: %+v, rejected %v", stats, rejected)
	}
	if after := rows(t, pool, tb); !maps.Equal(after, before) {
		t.Fatal("a dry run changed rows")
	}
	var exists bool
	if err := pool.QueryRow(context.Background(), "SELECT to_regclass('dry_rejects') IS NOT NULL").Scan(&exists); err != nil || exists {
		t.Fatalf("a dry run created the rejects table: %v %v", exists, err)
	}

	stats, err = pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest,
		pgmigrate.WithWhere(`tenant = $1 AND "Id" > $2`, 7, 10))
	if err != nil || stats.Migrated != 13 {
		t.Fatalf("where: %+v, %v", stats, err)
	}
	after := rows(t, pool, tb)
	for id, r := range after {
		if changed := r != before[id]; changed != (id > 10 && id <= 30 && id%3 != 2) {
			t.Fatalf("where: row %d changed %v", id, changed)
		}
	}
}

// TestBackfillBadInput: the errors before any row is touched.
func TestBackfillBadInput(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	ctx := context.Background()
	tb := newTable(t, pool, "users_input", "jsonb")
	run(t, pool, "DROP TABLE IF EXISTS users_text")
	run(t, pool, `CREATE TABLE users_text ("Id" int PRIMARY KEY, "Doc" text)`)
	cases := map[string]struct {
		m     *core.Manager
		tb    pgmigrate.Table
		model string
		is    error
	}{
		"no such version": {m, tb, "User@9.9.9", core.ErrModelNotFound},
		"no table":        {m, pgmigrate.Table{Name: "nope", Key: "Id", Column: "Doc"}, "User", nil},
		"no column":       {m, pgmigrate.Table{Name: "users_input", Key: "Id", Column: "doc"}, "User", nil},
		"text column":     {m, pgmigrate.Table{Name: "users_text", Key: "Id", Column: "Doc"}, "User", pgmigrate.ErrColumnType},
		"no model":        {m, tb, "Nope", core.ErrModelNotFound},
		"no version key":  {core.NewManager(), tb, "User", pgmigrate.ErrNoVersionKey},
		"empty table":     {m, pgmigrate.Table{Key: "Id", Column: "Doc"}, "User", nil},
	}
	for name, c := range cases {
		model, to, _ := strings.Cut(c.model, "@")
		if to == "" {
			to = core.Latest
		}
		_, err := pgmigrate.Backfill(ctx, pool, c.m, c.tb, model, to)
		if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v, want %v", name, err, c.is)
		}
	}
}

// TestBackfillCancel: a cancelled ctx stops the backfill with its error;
// the pages committed before stay, the open one is rolled back.
func TestBackfillCancel(t *testing.T) {
	pool := newPool(t)
	g := newGate(int64(300))
	m := newManager(t, g.step)
	tb := newTable(t, pool, "users_cancel", "jsonb")
	fill(t, pool, tb, 600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stats pgmigrate.Stats
	go func() {
		var err error
		stats, err = pgmigrate.Backfill(ctx, pool, m, tb, "User", core.Latest, pgmigrate.WithPageSize(50))
		done <- err
	}()
	<-g.reached
	cancel()
	close(g.release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	after := rows(t, pool, tb)
	written := 0
	for id, r := range after {
		if r.updates > 0 {
			written++
			if id >= 300 {
				t.Fatalf("row %d of the open page was written", id)
			}
		}
	}
	if written != stats.Migrated || written == 0 {
		t.Fatalf("%d rows written, stats %+v", written, stats)
	}
}

// TestBackfillConcurrentUpdate: an application's update made during the
// backfill is never lost, whether the application or the backfill holds
// the row first.
func TestBackfillConcurrentUpdate(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	tb := newTable(t, pool, "users_app", "jsonb")
	fill(t, pool, tb, 60)

	// The application holds row 3 (1.0.0): the backfill leaves it, and a
	// second run migrates what the application wrote.
	app, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exec(ctx, `UPDATE users_app SET "Doc" = jsonb_set("Doc", '{name}', '"App Changed"') WHERE "Id" = 3`); err != nil {
		t.Fatal(err)
	}
	m := newManager(t, nil)
	stats, err := pgmigrate.Backfill(ctx, pool, m, tb, "User", core.Latest, pgmigrate.WithPageSize(10))
	if err != nil || stats.Migrated != 39 {
		t.Fatalf("with row 3 held: %+v, %v", stats, err)
	}
	if err := app.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if stats, err = pgmigrate.Backfill(ctx, pool, m, tb, "User", core.Latest); err != nil || stats.Migrated != 1 {
		t.Fatalf("second run: %+v, %v", stats, err)
	}
	if r := rows(t, pool, tb)[3]; !contains(r.doc, `"first": "App"`) || !contains(r.doc, `"last": "Changed"`) {
		t.Fatalf("the application's update was lost: %s", r.doc)
	}

	// The backfill holds row 57 (1.0.0) mid-page: the application's update
	// waits for it and applies to the migrated row.
	run(t, pool, `UPDATE users_app SET "Doc" = $1::jsonb WHERE "Id" = 57`, doc(57))
	g := newGate(int64(57))
	m = newManager(t, g.step)
	done := make(chan error, 1)
	go func() {
		_, err := pgmigrate.Backfill(ctx, pool, m, tb, "User", core.Latest)
		done <- err
	}()
	<-g.reached
	appDone := make(chan error, 1)
	go func() {
		_, err := pool.Exec(ctx, `UPDATE users_app SET "Doc" = jsonb_set("Doc", '{first}', '"App"') WHERE "Id" = 57`)
		appDone <- err
	}()
	waitForLockWait(t, pool, appDone)
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-appDone; err != nil {
		t.Fatal(err)
	}
	if r := rows(t, pool, tb)[57]; !contains(r.doc, `"first": "App"`) || !contains(r.doc, `"email": "unknown@example.com"`) || !contains(r.doc, `"v": "3.0.0"`) {
		t.Fatalf("the application's update or the migration was lost: %s", r.doc)
	}
}

// waitForLockWait returns once a session waits for a row lock, and fails
// if the application's statement ended first (the row was not locked).
func waitForLockWait(t testing.TB, pool *pgxpool.Pool, appDone chan error) {
	t.Helper()
	for {
		select {
		case err := <-appDone:
			appDone <- err
			t.Fatalf("the application's update did not wait for the backfill's lock (%v)", err)
		default:
		}
		var waiting int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE users_app%'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
	}
}

func keyID(k string) int64 {
	var n int64
	for _, c := range k {
		n = n*10 + int64(c-'0')
	}
	return n
}
