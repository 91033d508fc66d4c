package core

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/transmute-go/transmute/internal/dispatch"
)

// Sentinel errors, for use with [errors.Is]. Each has an ErrorType of its
// own (see [ErrorType]), which every error wrapping it reports unless a
// typed error nearer the top of the chain says otherwise.
var (
	// ErrInvalidVersion: a version string is not strict MAJOR.MINOR.PATCH.
	ErrInvalidVersion error = &sentinel{"invalid version", "invalid_version", nil}
	// ErrModelNotFound: the model, or the version of it, is not registered.
	ErrModelNotFound error = &sentinel{"model not found", "model_not_found", nil}
	// ErrNoMigrationPath: no chain of migrations leads between two versions.
	ErrNoMigrationPath error = &sentinel{"no migration path", "no_migration_path", nil}
	// ErrValidation: data does not satisfy a model version, or a Validator
	// hook rejected a migration.
	ErrValidation error = &sentinel{"validation failed", "validation", nil}
	// ErrInvalidData: the input is unusable (nil data, or a migration
	// function returned nil).
	ErrInvalidData error = &sentinel{"invalid data", "invalid_data", nil}
	// ErrAlreadyRegistered: a model version or a migration for a pair of
	// versions is registered twice.
	ErrAlreadyRegistered error = &sentinel{"already registered", "already_registered", nil}
	// ErrInvalidModel: a model description cannot be used (a Go type that
	// is not a struct, a default tag that is not JSON, ...).
	ErrInvalidModel error = &sentinel{"invalid model", "invalid_model", nil}
	// ErrNoVersion: a record does not carry its version in the manager's
	// version key (or the manager has none: see WithVersionKey).
	ErrNoVersion error = &sentinel{"no version", "no_version", nil}
)

// sentinel is the type of the package's sentinel errors, and of its
// fixed errors that match one of them (is).
type sentinel struct {
	msg, typ string
	is       error
}

func (s *sentinel) Error() string        { return s.msg }
func (s *sentinel) ErrorType() string    { return s.typ }
func (s *sentinel) Is(target error) bool { return s.is != nil && target == s.is }

// Fixed errors of the engine.
var (
	errNilRecord = &sentinel{"invalid data: nil record", "invalid_data", ErrInvalidData}
	errCopy      = &sentinel{"invalid data: nested too deeply, or containing itself", "invalid_data", ErrInvalidData}
)

// ErrorType returns a short, low-cardinality name for err, suited to a
// metric attribute or a span's error.type: the ErrorType() of the first
// error in the chain that has one, "canceled" or "deadline_exceeded" for a
// context's error, or the Go type of err otherwise; "" for a nil error.
//
// Every error of this package has a type: the sentinels' "invalid_version",
// "model_not_found", "no_migration_path", "validation", "invalid_data",
// "already_registered", "invalid_model", "no_version" and "decode" (also
// for any error that wraps them), "panic", "hook_panic", "batch" (a *[BatchError];
// an *[ItemError] takes its item's type), and, for a *[MigrationError], its
// cause's type, "canceled", "deadline_exceeded", "migration_function" (an
// error of a migration function that has no type of its own) or
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
	Input  string // the string as given (JSON text when it is not a string)
	Reason string // what is wrong with it; it never quotes the input
	Key    string // the record's version key, when the version was read from a record
}

// Error returns the message, quoting at most the first 32 bytes of the
// input.
func (e *VersionError) Error() string {
	var b strings.Builder
	b.WriteString("invalid version ")
	if e.Key != "" {
		b.WriteString("in field ")
		b.WriteString(strconv.Quote(e.Key))
		b.WriteByte(' ')
	}
	b.WriteString(quotePrefix(e.Input))
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// maxQuoted is how many bytes of an input an error message quotes.
const maxQuoted = 32

// quotePrefix quotes s, or its first maxQuoted bytes (whole runes) and
// the number of bytes left out.
func quotePrefix(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// NoVersionError is returned for a record that does not carry its
// version: the manager has no version key, the record lacks the key, or
// its value is null. It matches [ErrNoVersion].
type NoVersionError struct {
	Key  string // the manager's version key; "" when it has none
	Null bool   // the key is there, with a null value
}

// Error says which of the three it is.
func (e *NoVersionError) Error() string {
	switch {
	case e.Key == "":
		return "no version: the manager has no version key (see core.WithVersionKey)"
	case e.Null:
		return "no version: the record's " + strconv.Quote(e.Key) + " field is null"
	}
	return "no version: the record has no " + strconv.Quote(e.Key) + " field"
}

// Is reports whether target is [ErrNoVersion].
func (e *NoVersionError) Is(target error) bool { return target == ErrNoVersion }

// ErrorType returns "no_version".
func (e *NoVersionError) ErrorType() string { return "no_version" }

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
	e.head(&b)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// head writes the message up to the validator's error.
func (e *ValidationError) head(b *strings.Builder) {
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
	e.head(&b)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// head writes the message up to the cause.
func (e *MigrationError) head(b *strings.Builder) {
	b.WriteString("migration failed for ")
	b.WriteString(strconv.Quote(e.Model))
	if e.FromUnknown() {
		b.WriteString(": to ")
	} else {
		b.WriteString(": ")
		b.WriteString(e.From.String())
		b.WriteString(" → ")
	}
	b.WriteString(e.To.String())
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
}

// FromUnknown reports whether the version migrated from is not known:
// the record's version could not be read (From is then zero).
func (e *MigrationError) FromUnknown() bool {
	return e.From.IsZero() && (errors.Is(e.Err, ErrNoVersion) || errors.Is(e.Err, ErrInvalidVersion))
}

// Unwrap returns the cause.
func (e *MigrationError) Unwrap() error { return e.Err }

// ErrorType names the kind of failure: "canceled" or "deadline_exceeded"
// for a ctx that ended, "no_migration_path", "model_not_found",
// "validation", "invalid_data", "panic", else the type of the first error
// of the cause's chain that has one (see [ErrorType]),
// "migration_function" for an error of a migration function that has none,
// or "migration" when there is no cause.
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
	var t interface{ ErrorType() string }
	if errors.As(e.Err, &t) {
		return t.ErrorType()
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
	var b strings.Builder
	e.head(&b)
	if len(e.Items) > 0 {
		b.WriteString(e.Items[0].Error())
	}
	return b.String()
}

// head writes the message up to the first item's error.
func (e *BatchError) head(b *strings.Builder) {
	switch len(e.Items) {
	case 0:
		b.WriteString("batch failed")
	case 1:
		b.WriteString("batch: 1 item failed: ")
	default:
		b.WriteString("batch: " + strconv.Itoa(len(e.Items)) + " items failed; first: ")
	}
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
