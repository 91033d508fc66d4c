package audit

import (
	"errors"
	"strconv"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// Sentinel errors, for use with [errors.Is] on a *[WriteError].
var (
	// ErrClosed: the migration finished after [Trail.Close].
	ErrClosed = errors.New("audit trail closed")
	// ErrQueueFull: the queue of an [WithAsync] trail was full.
	ErrQueueFull = errors.New("audit queue full")
)

// WriteError says that the line of a migration was not written, flushed
// or synced, and why. It is what the error handler receives and, with
// [WithFailOnWriteError], what a failed migration's error wraps.
type WriteError struct {
	// Op is "write", "flush" or "sync" for a failure of the writer (the
	// line is lost, except for "sync"), "enqueue" for a full [WithAsync]
	// queue and "closed" for a line that came after [Trail.Close].
	Op       string
	Model    string
	From, To core.Version
	Status   Status
	Err      error // the writer's error, ErrQueueFull or ErrClosed
}

// Error says which line was not written and why.
func (e *WriteError) Error() string {
	var b strings.Builder
	b.WriteString("audit: ")
	b.WriteString(e.Op)
	b.WriteString(" line of ")
	b.WriteString(strconv.Quote(e.Model))
	b.WriteByte(' ')
	b.WriteString(e.From.String())
	b.WriteString(" → ")
	b.WriteString(e.To.String())
	b.WriteString(" (")
	b.WriteString(string(e.Status))
	b.WriteString(")")
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *WriteError) Unwrap() error { return e.Err }

// ErrorType returns "audit_" followed by Op, such as "audit_write".
func (e *WriteError) ErrorType() string { return "audit_" + e.Op }

// LineError is returned by [Read] and [Entries] for a line that is not a
// valid audit entry.
type LineError struct {
	Line int // from 1
	Err  error
}

// Error names the line and the problem.
func (e *LineError) Error() string {
	return "audit: line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }
