package pgmigrate_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/pgmigrate"
)

// exampleDB is a pool on the examples' database, with a table people of
// User records at versions 1.0.0, 2.0.0 and 3.0.0, and one that fails.
func exampleDB(ctx context.Context) (*pgxpool.Pool, *core.Manager) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		panic(err)
	}
	m, err := buildManager(nil)
	if err != nil {
		panic(err)
	}
	_, err = pool.Exec(ctx, `DROP TABLE IF EXISTS people, people_rejects;
		CREATE TABLE people (id bigint PRIMARY KEY, doc jsonb NOT NULL);
		INSERT INTO people VALUES
			(1, '{"v": "1.0.0", "id": 1, "name": "Ada Lovelace"}'),
			(2, '{"v": "2.0.0", "id": 2, "first": "Grace", "last": "Hopper"}'),
			(3, '{"v": "3.0.0", "id": 3, "first": "Alan", "last": "Turing", "email": "alan@example.com"}'),
			(4, '{"v": "1.0.0", "id": 4, "name": "boom"}')`)
	if err != nil {
		panic(err)
	}
	return pool, m
}

// Get reads a row stored at any version as the latest Go struct; with
// WithWriteBack, an old row is stored again at the latest.
func ExampleGet() {
	ctx := context.Background()
	pool, m := exampleDB(ctx)
	defer pool.Close()

	u, err := pgmigrate.Get[userV3](ctx, pool, m, "User",
		"SELECT doc, id FROM people WHERE id = $1", 1,
		pgmigrate.WithWriteBack("people", "id"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", u)
	// Output: {ID:1 First:Ada Last:Lovelace Email:unknown@example.com}
}

// Backfill upgrades a whole table in place; rows that fail stay as they
// are and go to the rejects table.
func ExampleBackfill() {
	ctx := context.Background()
	pool, m := exampleDB(ctx)
	defer pool.Close()

	people := pgmigrate.Table{Name: "people", Key: "id", Column: "doc"}
	stats, err := pgmigrate.Backfill(ctx, pool, m, people, "User", core.Latest,
		pgmigrate.WithWorkers(4), pgmigrate.WithPageSize(1000),
		pgmigrate.WithRejectsTable("people_rejects"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("migrated %d, failed %d\n", stats.Migrated, stats.Failed)

	c, err := pgmigrate.Census(ctx, pool, m, people, "User")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Versions, "unused:", c.Unused)
	// Output:
	// migrated 2, failed 1
	// [{1.0.0 1 true} {3.0.0 3 true}] unused: [2.0.0]
}

// The whole program of a transmute binary with the postgres subcommands:
// transmute postgres backfill --dsn … --table … --key … --column …
func ExampleCommand() {
	m, err := buildManager(nil)
	if err != nil {
		panic(err)
	}
	cli.Main(m, cli.WithCommands(pgmigrate.Command(m)))
}
