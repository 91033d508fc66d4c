// Package pgmigrate keeps versioned records stored in PostgreSQL current:
// it migrates a JSON document column on read, and backfills a table in
// place, resumable and shared by any number of workers.
//
// Migrate on read: [Get] and [List] run a query whose first column is the
// document, migrate each row to the latest version of its model with
// [core.MigrateAs] (the version read from the record's version key) under
// the caller's context, and return the latest Go struct. [WithWriteBack]
// repairs an old row as it is read, without overwriting a concurrent
// writer. [Doc] scans a json, jsonb or text column into a [core.Data]
// with integers exact.
//
// Backfill: [Backfill] upgrades every row of a table whose version is not
// the target, page by page in key order, each page one transaction that
// locks its rows with FOR UPDATE SKIP LOCKED, migrates them as one engine
// batch and writes them back. A killed run loses at most its open
// transaction; running it again continues where it stopped; several
// processes running it at once share the rows, each migrated exactly
// once. Rows that fail are left as they are and reported ([Reject]).
//
// [Command] is the same as a subcommand of the transmute command
// (cli.WithCommands). docs/postgres.md says when to use which, and what the
// guarantees rest on.
package pgmigrate
