package core

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/transmute-go/transmute/internal/dispatch"
)

// Sentinel errors, for use with [errors.Is].
var (
	// ErrInvalidVersion: a version string is not strict MAJOR.MINOR.PATCH.
	ErrInvalidVersion = errors.New("invalid version")
	// ErrModelNotFound: the model, or the version of it, is not registered.
	ErrModelNotFound = errors.New("model not found")
	// ErrNoMigrationPath: no chain of migrations leads between two versions.
	ErrNoMigrationPath = errors.New("no migration path")
	// ErrValidation: data does not satisfy a model version, or a Validator
	// hook rejected a migration.
	ErrValidation = errors.New("validation failed")
	// ErrInvalidData: the input is unusable (nil data, or a migration
	// function returned nil).
	ErrInvalidData = errors.New("invalid data")
	// ErrAlreadyRegistered: a model version or a migration for a pair of
	// versions is registered twice.
	ErrAlreadyRegistered = errors.New("already registered")
	// ErrInvalidModel: a model description cannot be used (a Go type that
	// is not a struct, a default tag that is not JSON, ...).
	ErrInvalidModel = errors.New("invalid model")
	// ErrNoVersion: a record does not carry its version in the manager's
	// version key (or the manager has none: see WithVersionKey).
	ErrNoVersion = errors.New("no version")
)

// ErrorType returns a short, low-cardinality name for err, suited to a
// metric attribute or a span's error.type: the ErrorType() of the first
// error in the chain that has one, "canceled" or "deadline_exceeded" for a
// context's error, or the Go type of err otherwise; "" for a nil error.
//
// The errors of this package name themselves "invalid_version",
// "model_not_found", "validation", "panic", "hook_panic", "batch" (a
// *[BatchError]; an *[ItemError] takes its item's type), and, for a
// *[MigrationError], one of "no_migration_path", "model_not_found",
// "validation", "panic", "invalid_data", "canceled", "deadline_exceeded",
// "migration_function" (an error a migration function returned) or
// "migration" (no cause).
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var t interface{ ErrorType() string }
	if errors.As(err, &t) {
		return t.ErrorType()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	}
	return reflect.TypeOf(err).String()
}

// VersionError is returned for a version string that does not parse.
type VersionError struct {
	Input  string // the string as given
	Reason string // what is wrong with it
}

// Error returns the message, quoting the input.
func (e *VersionError) Error() string {
	return fmt.Sprintf("invalid version %q: %s", e.Input, e.Reason)
}

// Is reports whether target is [ErrInvalidVersion].
func (e *VersionError) Is(target error) bool { return target == ErrInvalidVersion }

// ErrorType returns "invalid_version".
func (e *VersionError) ErrorType() string { return "invalid_version" }

// NotFoundError is returned for a model, or a version of a model, that is
// not registered. It matches [ErrModelNotFound].
type NotFoundError struct {
	Model   string
	Version Version // the zero Version when the model itself is unknown
}

// ModelError is the former name of [NotFoundError].
//
// Deprecated: use [NotFoundError]; its Version field is now a [Version].
type ModelError = NotFoundError

// Error returns the message, naming the model (and version).
func (e *NotFoundError) Error() string {
	if e.Version.IsZero() {
		return fmt.Sprintf("model %q not found", e.Model)
	}
	return fmt.Sprintf("model %q version %s not found", e.Model, e.Version)
}

// Is reports whether target is [ErrModelNotFound].
func (e *NotFoundError) Is(target error) bool { return target == ErrModelNotFound }

// ErrorType returns "model_not_found".
func (e *NotFoundError) ErrorType() string { return "model_not_found" }

// ValidationError says which field of which model version is wrong. It
// matches [ErrValidation]; when a Validator hook rejected the migration,
// Err is the validator's error and Field is empty.
type ValidationError struct {
	Model   string
	Version Version
	Field   string // dotted path, such as "address.city" or "tags[2]"
	Reason  string
	Err     error // the validator's error, if any
}

// Error returns the message, naming the model version and the field.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("validation failed for ")
	b.WriteString(strconv.Quote(e.Model))
	b.WriteByte(' ')
	b.WriteString(e.Version.String())
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(strconv.Quote(e.Field))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is reports whether target is [ErrValidation].
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// Unwrap returns the validator's error, if any.
func (e *ValidationError) Unwrap() error { return e.Err }

// ErrorType returns "validation".
func (e *ValidationError) ErrorType() string { return "validation" }

// PanicError is a recovered panic of a migration function.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack at the panic
}

// Error returns "panic: " and the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrorType returns "panic".
func (e *PanicError) ErrorType() string { return "panic" }

// MigrationError is the error of a failed migration: which model, which
// step (or the whole migration, for path and validation failures) and why.
// Err is the cause, so errors.Is(err, ErrNoMigrationPath),
// errors.Is(err, ErrValidation), errors.As(err, **PanicError) and
// errors.Is(err, context.Canceled) all see through it.
type MigrationError struct {
	Model    string
	From, To Version
	Reason   string
	Err      error
}

// Error returns a message like
// `migration failed for "User": 1.0.0 → 2.0.0: <reason>`.
func (e *MigrationError) Error() string {
	var b strings.Builder
	b.WriteString("migration failed for ")
	b.WriteString(strconv.Quote(e.Model))
	b.WriteString(": ")
	b.WriteString(e.From.String())
	b.WriteString(" → ")
	b.WriteString(e.To.String())
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *MigrationError) Unwrap() error { return e.Err }

// ErrorType names the kind of failure: "no_migration_path",
// "model_not_found", "validation", "panic", "invalid_data", "canceled",
// "deadline_exceeded", "migration_function" for an error returned by a
// migration function, or "migration" when there is no cause.
func (e *MigrationError) ErrorType() string {
	switch {
	case e.Err == nil:
		return "migration"
	case errors.Is(e.Err, context.Canceled):
		return "canceled"
	case errors.Is(e.Err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(e.Err, ErrNoMigrationPath):
		return "no_migration_path"
	case errors.Is(e.Err, ErrModelNotFound):
		return "model_not_found"
	case errors.Is(e.Err, ErrValidation):
		return "validation"
	case errors.Is(e.Err, ErrInvalidData):
		return "invalid_data"
	}
	var p *PanicError
	if errors.As(e.Err, &p) {
		return "panic"
	}
	return "migration_function"
}

// ctxError returns the error of a ctx that has ended: ctx.Err(), joined
// with the cause when the ctx was cancelled with one, so that the result
// matches both context.Canceled (or DeadlineExceeded) and the cause.
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return &causeError{err: err, cause: cause}
	}
	return err
}

// causeError is a ctx's error with the cause it was cancelled with.
type causeError struct{ err, cause error }

func (e *causeError) Error() string   { return e.err.Error() + ": " + e.cause.Error() }
func (e *causeError) Unwrap() []error { return []error{e.err, e.cause} }

// ItemError is the error of one item of a batch or a stream.
type ItemError struct {
	Index int // position in the input, from 0
	Err   error
}

// Error returns the item's error, prefixed with its index.
func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }

// Unwrap returns the item's error.
func (e *ItemError) Unwrap() error { return e.Err }

// ErrorType returns the ErrorType of the item's error.
func (e *ItemError) ErrorType() string { return ErrorType(e.Err) }

// BatchError lists the failed items of a batch run with [WithContinueOnError],
// in input order.
type BatchError struct {
	Items []*ItemError
}

// Error says how many items failed, and how the first one did.
func (e *BatchError) Error() string {
	switch len(e.Items) {
	case 0:
		return "batch failed"
	case 1:
		return "batch: 1 item failed: " + e.Items[0].Error()
	}
	return fmt.Sprintf("batch: %d items failed; first: %v", len(e.Items), e.Items[0])
}

// Unwrap returns every item's error, for errors.Is and errors.As.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Items))
	for i, it := range e.Items {
		errs[i] = it
	}
	return errs
}

// Indexes returns the input positions of the failed items, ascending.
func (e *BatchError) Indexes() []int {
	idx := make([]int, len(e.Items))
	for i, it := range e.Items {
		idx[i] = it.Index
	}
	return idx
}

// ErrorType returns "batch".
func (e *BatchError) ErrorType() string { return "batch" }

// HookPanicError is what the manager's error handler receives when a hook
// panics. The migration itself goes on.
type HookPanicError struct {
	Hook   Hook   // the hook that panicked
	Method string // "BeforeMigrate", "AfterStep", ...
	Value  any
	Stack  []byte
}

// Error names the hook, the method and the panic value.
func (e *HookPanicError) Error() string {
	return fmt.Sprintf("hook %s panicked in %s: %v", typeName(e.Hook), e.Method, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *HookPanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrorType returns "hook_panic".
func (e *HookPanicError) ErrorType() string { return "hook_panic" }

func typeName(v any) string { return dispatch.TypeName(v) }
