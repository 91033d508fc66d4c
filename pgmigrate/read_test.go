package pgmigrate_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
	"github.com/transmute-go/transmute/transmutetest"
)

const big = "9007199254740993" // 2^53 + 1: a float64 reads it as …992

// TestDocExactIntegers: a document scanned into a Doc from json, jsonb and
// text columns keeps an integer beyond 2^53 exact, and so does a Doc
// written back; NULL is a nil Data both ways; a document that is not an
// object is a decode error.
func TestDocExactIntegers(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	for _, typ := range []string{"json", "jsonb", "text"} {
		t.Run(typ, func(t *testing.T) {
			table := "docs_" + typ
			run(t, pool, "DROP TABLE IF EXISTS "+table)
			run(t, pool, "CREATE TABLE "+table+" (id int PRIMARY KEY, d "+typ+")")
			run(t, pool, `INSERT INTO `+table+` VALUES (1, '{"v":"1.0.0","id":`+big+`,"name":"<A> & B"}'), (2, NULL), (3, '[1,2]')`)
			var d pgmigrate.Doc
			if err := pool.QueryRow(ctx, "SELECT d FROM "+table+" WHERE id = 1").Scan(&d); err != nil {
				t.Fatal(err)
			}
			if d.Data["id"] != json.Number(big) {
				t.Fatalf("id = %#v, want json.Number(%s)", d.Data["id"], big)
			}
			d.Data["n"] = json.Number(big + "0")
			run(t, pool, "UPDATE "+table+" SET d = $1 WHERE id = 1", d)
			var back string
			if err := pool.QueryRow(ctx, "SELECT d::text FROM "+table+" WHERE id = 1").Scan(&back); err != nil {
				t.Fatal(err)
			}
			var again pgmigrate.Doc
			if err := again.Scan(back); err != nil {
				t.Fatal(err)
			}
			if again.Data["id"] != json.Number(big) || again.Data["n"] != json.Number(big+"0") || again.Data["name"] != "<A> & B" {
				t.Fatalf("written back: %s", back)
			}
			if err := pool.QueryRow(ctx, "SELECT d FROM "+table+" WHERE id = 2").Scan(&d); err != nil || d.Data != nil {
				t.Fatalf("NULL: %v, %v", d.Data, err)
			}
			run(t, pool, "UPDATE "+table+" SET d = $1 WHERE id = 2", pgmigrate.Doc{})
			var isNull bool
			if err := pool.QueryRow(ctx, "SELECT d IS NULL FROM "+table+" WHERE id = 2").Scan(&isNull); err != nil || !isNull {
				t.Fatalf("a nil Data must be written as NULL: %v %v", isNull, err)
			}
			err := pool.QueryRow(ctx, "SELECT d FROM "+table+" WHERE id = 3").Scan(&d)
			if !errors.Is(err, core.ErrDecode) {
				t.Fatalf("an array: %v, want ErrDecode", err)
			}
		})
	}
}

// TestGetList: rows of every version come back as the latest struct, the
// version read from each record, under the caller's ctx (the hooks of the
// ctx see every migration); List keeps the query's order; no row, two
// rows for Get and a bad row are typed errors.
func TestGetList(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_read", "jsonb")
	fill(t, pool, tb, 6)
	run(t, pool, `INSERT INTO users_read ("Id", "Doc") VALUES (100, '{"v":"1.0.0","id":`+big+`,"name":"Big Number"}'), (101, '{"v":"1.0.0","id":101,"name":"boom"}')`)
	rec := transmutetest.NewRecorder()
	ctx := core.ContextWithHooks(context.Background(), rec)

	u, err := pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" = $1`, 3)
	if err != nil {
		t.Fatal(err)
	}
	if u != (userV3{ID: 3, First: "First3", Last: "Last3", Email: "unknown@example.com"}) {
		t.Fatalf("Get: %+v", u)
	}
	if n := len(rec.Calls()); n == 0 {
		t.Fatal("the hooks of the caller's ctx saw no migration")
	}
	u, err = pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" = 100`)
	if err != nil || u.ID != 9007199254740993 {
		t.Fatalf("exact id: %d, %v", u.ID, err)
	}

	all, err := pgmigrate.List[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" <= 6 ORDER BY "Id" DESC`)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 || all[0].ID != 6 || all[5].ID != 1 || all[0].Email != "unknown@example.com" || all[1].Email != "e5@example.com" {
		t.Fatalf("List: %+v", all)
	}

	_, err = pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" = 0`)
	if !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("no row: %v", err)
	}
	_, err = pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read`)
	if !errors.Is(err, pgx.ErrTooManyRows) {
		t.Fatalf("many rows: %v", err)
	}
	_, err = pgmigrate.List[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" IN (1, 101) ORDER BY "Id"`)
	var re *pgmigrate.RowError
	if !errors.As(err, &re) || re.Row != 1 || !errors.Is(err, errBoom) || re.ErrorType() != "migration_function" {
		t.Fatalf("a bad row: %v", err)
	}
	_, err = pgmigrate.Get[userV1](ctx, pool, m, "User", `SELECT "Doc" FROM users_read WHERE "Id" = 1`)
	if err == nil {
		t.Fatal("a struct of an older version must be refused")
	}
}

// TestWriteBack: a row read at an old version is written at the latest;
// one at the latest is not written; a writer that changed the row between
// the read and the write is not overwritten.
func TestWriteBack(t *testing.T) {
	pool := newPool(t)
	g := newGate(int64(6))
	m := newManager(t, g.step)
	tb := newTable(t, pool, "users_wb", "jsonb")
	fill(t, pool, tb, 6)
	ctx := context.Background()
	wb := pgmigrate.WithWriteBack("users_wb", "Id")
	get := func(id int) (userV3, error) {
		return pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc", "Id" FROM users_wb WHERE "Id" = $1`, id, wb)
	}
	for _, id := range []int{1, 2, 3} { // 2.0.0, 3.0.0, 1.0.0
		if _, err := get(id); err != nil {
			t.Fatal(err)
		}
	}
	got := rows(t, pool, tb)
	for _, id := range []int64{1, 3} {
		if got[id].updates != 1 || !contains(got[id].doc, `"v": "3.0.0"`) {
			t.Fatalf("row %d was not written back: %+v", id, got[id])
		}
	}
	if got[2].updates != 0 {
		t.Fatalf("row 2 was at the latest and was written: %+v", got[2])
	}
	if _, err := pgmigrate.Get[userV3](ctx, pool, m, "User", `SELECT "Doc" FROM users_wb WHERE "Id" = 4`, wb); err == nil {
		t.Fatal("WithWriteBack with no key column must fail")
	}
	// A row with no version fails as it does without write back, and is
	// not written.
	run(t, pool, `INSERT INTO users_wb ("Id", "Doc") VALUES (50, '{"id": 50, "first": "A", "last": "B", "email": "e"}')`)
	if _, err := get(50); !errors.Is(err, core.ErrNoVersion) {
		t.Fatalf("no version, with write back: %v", err)
	}
	if r := rows(t, pool, tb)[50]; r.updates != 0 {
		t.Fatalf("a row with no version was written: %+v", r)
	}

	// Row 6 (1.0.0): the read migrates it and stops at the gate; a writer
	// changes the row and commits; the write back must then do nothing.
	done := make(chan error, 1)
	go func() { _, err := get(6); done <- err }()
	<-g.reached
	run(t, pool, `UPDATE users_wb SET "Doc" = jsonb_set("Doc", '{name}', '"Writer Won"') WHERE "Id" = 6`)
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := rows(t, pool, tb)[6]; !contains(r.doc, `"name": "Writer Won"`) || !contains(r.doc, `"v": "1.0.0"`) || r.updates != 1 {
		t.Fatalf("the concurrent writer was overwritten: %+v", r)
	}
}
