// Package usersdb is the service of the postgres example: a users table
// whose jsonb documents are User records of every version, and an HTTP
// handler that serves them at the latest version, repairing old rows as
// it reads them. The integration tests serve it too.
package usersdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/pgmigrate"
)

// Table is the users table: a bigint key and a jsonb document.
var Table = pgmigrate.Table{Name: "users", Key: "id", Column: "doc"}

// Create creates the users table, dropping any before.
func Create(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `DROP TABLE IF EXISTS users, users_rejects;
		CREATE TABLE users (id bigint PRIMARY KEY, doc jsonb NOT NULL)`)
	return err
}

// Seed inserts users 1..n: two in three at User 1.0.0, the rest at 2.0.0,
// and user n+1 at 1.0.0 with an empty name, which the migration refuses.
func Seed(ctx context.Context, pool *pgxpool.Pool, n int) error {
	ids, docs := make([]int64, 0, n+1), make([]string, 0, n+1)
	for i := 1; i <= n; i++ {
		d := fmt.Sprintf(`{"schema_version":"1.0.0","name":"Ada Lovelace %d","email":"ada%d@example.com","address":{"street":"%d Main St","city":"London"}}`, i, i, i)
		if i%3 == 0 {
			d = fmt.Sprintf(`{"schema_version":"2.0.0","first_name":"Grace","last_name":"Hopper %d","email":"grace%d@example.com","address":{"street":"%d Navy Rd","city":"Arlington"}}`, i, i, i)
		}
		ids, docs = append(ids, int64(i)), append(docs, d)
	}
	ids = append(ids, int64(n+1))
	docs = append(docs, `{"schema_version":"1.0.0","name":"","email":"nobody@example.com","address":{"street":"","city":""}}`)
	_, err := pool.Exec(ctx, "INSERT INTO users SELECT * FROM unnest($1::bigint[], $2::text[]::jsonb[])", ids, docs)
	return err
}

// NewHandler serves GET /users/{id}: the user at User 3.0.0, read with
// pgmigrate.Get under the request's context (the migration's spans are
// children of the request's) and written back at 3.0.0 if it was older.
func NewHandler(pool *pgxpool.Pool, m *core.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "the id must be an integer", http.StatusBadRequest)
			return
		}
		u, err := pgmigrate.Get[usermodels.UserV3](r.Context(), pool, m, "User",
			"SELECT doc, id FROM users WHERE id = $1", id, pgmigrate.WithWriteBack(Table.Name, Table.Key))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			http.Error(w, "no such user", http.StatusNotFound)
		case err != nil:
			// The error's text is value-free (core.ErrorMessage): it may be
			// shown; the record's values are not in it.
			http.Error(w, core.ErrorMessage(err, nil), http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(u)
		}
	})
	return mux
}
