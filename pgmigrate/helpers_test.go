package pgmigrate_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
	"github.com/transmute-go/transmute/pgmigrate/internal/pgserver"
)

// dsn is the database of the PostgreSQL server TestMain starts.
var dsn string

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode))
	}
	s, err := pgserver.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dsn = s.DSN("postgres")
	code := setup()
	if code == 0 {
		code = m.Run()
	}
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// setup creates the trigger function that counts the updates of a row's
// document (tables made by newTable use it).
func setup() int {
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pool.Close()
	_, err = pool.Exec(context.Background(), `CREATE FUNCTION count_updates() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW."Doc"::text IS DISTINCT FROM OLD."Doc"::text THEN
				NEW.updates := OLD.updates + 1;
			END IF;
			RETURN NEW;
		END $$`)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type userV1 struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type userV2 struct {
	ID    int64  `json:"id"`
	First string `json:"first"`
	Last  string `json:"last"`
}

type userV3 struct {
	ID    int64  `json:"id"`
	First string `json:"first"`
	Last  string `json:"last"`
	Email string `json:"email"`
}

var errBoom = errors.New("boom: the step refused the record")

// buildManager: User 1.0.0 → 2.0.0 (a map step splitting the name; a
// name "boom" fails it, and step, if not nil, is called first with the
// record's id) → 3.0.0 (a typed step adding an email). Records carry "v".
func buildManager(step func(id any)) (*core.Manager, error) {
	m := core.NewManager(core.WithVersionKey("v"))
	err := errors.Join(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		core.Register[userV3](m, "User", "3.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			if step != nil {
				step(d["id"])
			}
			name, _ := d["name"].(string)
			if name == "boom" {
				return nil, errBoom
			}
			first, last, _ := strings.Cut(name, " ")
			return core.Data{"id": d["id"], "first": first, "last": last}, nil
		}),
		core.RegisterTyped(m, "User", "2.0.0", "3.0.0", func(_ context.Context, u userV2) (userV3, error) {
			return userV3{ID: u.ID, First: u.First, Last: u.Last, Email: "unknown@example.com"}, nil
		}),
	)
	return m, err
}

func newManager(t testing.TB, step func(id any)) *core.Manager {
	t.Helper()
	m, err := buildManager(step)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func run(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// newTable creates a table named name (quoted as it is: quotes and case
// kept) with a bigint key "Id", a document column "Doc" of colType and a
// column updates that counts the changes of the document (a trigger).
func newTable(t testing.TB, pool *pgxpool.Pool, name, colType string) pgmigrate.Table {
	t.Helper()
	tb := pgmigrate.Table{Name: name, Key: "Id", Column: "Doc"}
	q := quoteIdent(name)
	run(t, pool, "DROP TABLE IF EXISTS "+q)
	run(t, pool, "CREATE TABLE "+q+` ("Id" bigint PRIMARY KEY, "Doc" `+colType+`, updates int NOT NULL DEFAULT 0, tenant int NOT NULL DEFAULT 0)`)
	run(t, pool, "CREATE TRIGGER count_updates BEFORE UPDATE ON "+q+" FOR EACH ROW EXECUTE FUNCTION count_updates()")
	return tb
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// doc is the document of row i: versions 1.0.0, 2.0.0 and 3.0.0 in turn.
func doc(i int64) string {
	switch i % 3 {
	case 0:
		return fmt.Sprintf(`{"v":"1.0.0","id":%d,"name":"First%d Last%d"}`, i, i, i)
	case 1:
		return fmt.Sprintf(`{"v":"2.0.0","id":%d,"first":"F%d","last":"L%d"}`, i, i, i)
	}
	return fmt.Sprintf(`{"v":"3.0.0","id":%d,"first":"F%d","last":"L%d","email":"e%d@example.com"}`, i, i, i, i)
}

// fill inserts rows 1..n with doc(i), in one statement.
func fill(t testing.TB, pool *pgxpool.Pool, tb pgmigrate.Table, n int64) {
	t.Helper()
	ids := make([]int64, n)
	docs := make([]string, n)
	for i := range n {
		ids[i], docs[i] = i+1, doc(i+1)
	}
	run(t, pool, "INSERT INTO "+quoteIdent(tb.Name)+` ("Id", "Doc") SELECT * FROM unnest($1::bigint[], $2::text[]::jsonb[])`, ids, docs)
}

// row is a row as stored: the document's text and its update count.
type row struct {
	doc     string
	updates int
}

// rows reads every row of the table by id.
func rows(t testing.TB, pool *pgxpool.Pool, tb pgmigrate.Table) map[int64]row {
	t.Helper()
	rs, err := pool.Query(context.Background(), `SELECT "Id", coalesce("Doc"::text, 'NULL'), updates FROM `+quoteIdent(tb.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[int64]row{}
	for rs.Next() {
		var id int64
		var r row
		if err := rs.Scan(&id, &r.doc, &r.updates); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// gate holds the migration step at one record until released: it says
// when a step reached it, and the step waits for release.
type gate struct {
	at      any
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(at any) *gate {
	return &gate{at: at, reached: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) step(id any) {
	if fmt.Sprint(id) != fmt.Sprint(g.at) {
		return
	}
	g.once.Do(func() { close(g.reached) })
	<-g.release
}

// lines reads a child's output lines into a channel.
func lines(s *bufio.Scanner) <-chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		for s.Scan() {
			ch <- s.Text()
		}
	}()
	return ch
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func jsonNumber(s string) any { return json.Number(s) }
