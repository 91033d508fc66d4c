package pgmigrate

import (
	"errors"
	"strconv"

	"github.com/transmute-go/transmute/core"
)

// ErrColumnType is matched by the error of [Backfill] or [Census] on a
// document column that is not json or jsonb.
var ErrColumnType = errors.New("pgmigrate: the document column must be json or jsonb")

// ErrNoVersionKey is matched by the error of [Backfill] or [Census] when
// the manager has no version key ([core.WithVersionKey]) to read a row's
// version from.
var ErrNoVersionKey = errors.New("pgmigrate: the manager has no version key to read each row's version from (core.WithVersionKey)")

// RowError is the error of a row of [Get] or [List]: its position in the
// query's result (from 0) and what went wrong. Its text is the engine's
// value-free text.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string {
	return "pgmigrate: row " + strconv.Itoa(e.Row) + ": " + e.Err.Error()
}

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }

// ErrorType is the row's error's type.
func (e *RowError) ErrorType() string { return core.ErrorType(e.Err) }

// RejectedError is the error of the backfill command when rows failed:
// its exit code is 1 (a finding), as the transmute command's.
type RejectedError struct {
	Failed int
}

func (e *RejectedError) Error() string {
	return strconv.Itoa(e.Failed) + " rows failed and were left as they are"
}

// ExitCode is 1.
func (e *RejectedError) ExitCode() int { return 1 }
