package pgmigrate_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
)

// childEnv makes the test binary a backfill process (see child).
const childEnv = "PGMIGRATE_TEST_CHILD"

// child runs one backfill of the table PGMIGRATE_TEST_TABLE of the
// database PGMIGRATE_TEST_DSN, pages of PGMIGRATE_TEST_PAGE rows, and
// prints "page N" after each page and "stats MIGRATED FAILED" at the
// end. With PGMIGRATE_TEST_STUCK_AT=ID, the step prints "stuck" at record
// ID and never returns (the test kills the process); with
// PGMIGRATE_TEST_GATE=1, it prints "ready" at its first record and waits
// for a line on standard input.
func child(string) int {
	ctx := context.Background()
	stuckAt, gated := os.Getenv("PGMIGRATE_TEST_STUCK_AT"), os.Getenv("PGMIGRATE_TEST_GATE") == "1"
	var once sync.Once
	m, err := buildManager(func(id any) {
		if gated {
			once.Do(func() {
				fmt.Println("ready")
				_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
			})
		}
		if fmt.Sprint(id) == stuckAt {
			fmt.Println("stuck")
			<-make(chan struct{})
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pool, err := pgxpool.New(ctx, os.Getenv("PGMIGRATE_TEST_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer pool.Close()
	var page int
	fmt.Sscan(os.Getenv("PGMIGRATE_TEST_PAGE"), &page)
	tb := pgmigrate.Table{Name: os.Getenv("PGMIGRATE_TEST_TABLE"), Key: "Id", Column: "Doc"}
	stats, err := pgmigrate.Backfill(ctx, pool, m, tb, "User", core.Latest, pgmigrate.WithPageSize(page),
		pgmigrate.WithProgress(func(p pgmigrate.Progress) { fmt.Printf("page %d\n", p.Pages) }))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("stats %d %d\n", stats.Migrated, stats.Failed)
	return 0
}

// proc is a backfill child process.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   <-chan string
}

func startChild(t testing.TB, table string, page int, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=backfill", "PGMIGRATE_TEST_DSN="+dsn+"&application_name=pgmigrate_child",
		"PGMIGRATE_TEST_TABLE="+table, fmt.Sprintf("PGMIGRATE_TEST_PAGE=%d", page))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &proc{cmd: cmd, stdin: stdin, out: lines(bufio.NewScanner(stdout))}
}

// until reads the child's lines up to one that starts with prefix.
func (p *proc) until(t testing.TB, prefix string) string {
	t.Helper()
	for l := range p.out {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("the child ended before printing %q", prefix)
	return ""
}

// TestBackfillKilled: a backfill killed (SIGKILL) in the middle of a page
// loses that page only (PostgreSQL rolls it back); running it again
// finishes, and every row is migrated exactly once.
func TestBackfillKilled(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_killed", "jsonb")
	fill(t, pool, tb, 3000)
	before := rows(t, pool, tb)
	want := expected(t, m, before)

	p := startChild(t, tb.Name, 100, "PGMIGRATE_TEST_STUCK_AT=1503")
	p.until(t, "stuck")
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	// The killed session's locks go when PostgreSQL has rolled it back:
	// taking the lock of the row it was migrating waits for exactly that.
	run(t, pool, `SELECT 1 FROM users_killed WHERE "Id" = 1503 FOR UPDATE`)

	mid := rows(t, pool, tb)
	done := 0
	for id, r := range mid {
		if r.updates > 0 {
			done++
			if id >= 1503 {
				t.Fatalf("row %d, in or after the killed page, was written", id)
			}
		}
	}
	if done == 0 || done%100 != 0 {
		t.Fatalf("%d rows written before the kill: want whole pages of 100", done)
	}
	stats, err := pgmigrate.Backfill(context.Background(), pool, m, tb, "User", core.Latest, pgmigrate.WithPageSize(100))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Migrated+done != pending(before) {
		t.Fatalf("the rerun migrated %d, %d before: want %d in all", stats.Migrated, done, pending(before))
	}
	checkMigrated(t, pool, tb, before, want)
}

// TestBackfillThreeProcesses: three processes run the same backfill at
// once (each holds a page before any goes on); every row is migrated
// exactly once, and each process did a share.
func TestBackfillThreeProcesses(t *testing.T) {
	pool := newPool(t)
	m := newManager(t, nil)
	tb := newTable(t, pool, "users_three", "jsonb")
	fill(t, pool, tb, 3000)
	before := rows(t, pool, tb)
	want := expected(t, m, before)

	var ps []*proc
	for range 3 {
		p := startChild(t, tb.Name, 50, "PGMIGRATE_TEST_GATE=1")
		p.until(t, "ready")
		ps = append(ps, p)
	}
	for _, p := range ps {
		if _, err := io.WriteString(p.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for i, p := range ps {
		var migrated, failed int
		fmt.Sscanf(p.until(t, "stats "), "stats %d %d", &migrated, &failed)
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
		if migrated == 0 || failed != 0 {
			t.Fatalf("process %d migrated %d, failed %d", i, migrated, failed)
		}
		total += migrated
	}
	if total != pending(before) {
		t.Fatalf("the processes migrated %d rows in all, want %d", total, pending(before))
	}
	checkMigrated(t, pool, tb, before, want)
}
