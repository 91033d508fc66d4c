package core

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// withheld stands for the text of an error that the engine did not write
// (a migration function's error, a Validator's, a panic value, a ctx's
// cause): it may quote a record's values.
const withheld = "(error text withheld)"

// ErrorMessage returns what a hook may record of err (a span status, an
// audit line, a log record). With redact [KeepValues] it is err.Error(),
// which may quote record values. With any other redact, nil included, it
// is err's value-free form: the messages of this package's errors, which
// name models, versions, fields and what was wrong but never a value or a
// map key, with the text of every other error (a migration function's, a
// Validator's, a panic value, a ctx's cause) replaced by "(error text
// withheld)". An error's text cannot be redacted key by key, so only
// KeepValues itself opts in.
func ErrorMessage(err error, redact func(key string, v any) any) string {
	if err == nil {
		return ""
	}
	if keepsValues(redact) {
		return err.Error()
	}
	var b strings.Builder
	writeSafe(&b, err)
	return b.String()
}

// keepsValues reports whether redact is KeepValues itself.
func keepsValues(redact func(key string, v any) any) bool {
	return redact != nil && reflect.ValueOf(redact).Pointer() == reflect.ValueOf(KeepValues).Pointer()
}

// writeSafe writes the value-free form of err.
func writeSafe(b *strings.Builder, err error) {
	switch e := err.(type) {
	case *sentinel, *NotFoundError, *NoVersionError, *DecodeError:
		b.WriteString(e.Error())
	case *MigrationError:
		e.head(b)
		writeCause(b, e.Err)
	case *ValidationError:
		e.head(b)
		writeCause(b, e.Err)
	case *VersionError:
		b.WriteString("invalid version")
		if e.Key != "" {
			b.WriteString(" in field ")
			b.WriteString(strconv.Quote(e.Key))
		}
		b.WriteString(": ")
		b.WriteString(e.Reason)
	case *pathError:
		b.WriteString(e.path)
		writeCause(b, e.err)
	case *ItemError:
		b.WriteString("item ")
		b.WriteString(strconv.Itoa(e.Index))
		writeCause(b, e.Err)
	case *BatchError:
		e.head(b)
		if len(e.Items) > 0 {
			writeSafe(b, e.Items[0])
		}
	case *PanicError:
		b.WriteString("panic ")
		b.WriteString(withheld)
	case *HookPanicError:
		b.WriteString("hook " + typeName(e.Hook) + " panicked in " + e.Method + " " + withheld)
	case *causeError:
		b.WriteString(e.err.Error())
		b.WriteString(": cause ")
		b.WriteString(withheld)
	default:
		if err == context.Canceled || err == context.DeadlineExceeded {
			b.WriteString(err.Error())
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok && isJoin(err) {
			for i, inner := range j.Unwrap() {
				if i > 0 {
					b.WriteByte('\n')
				}
				writeSafe(b, inner)
			}
			return
		}
		b.WriteString(withheld)
	}
}

// writeCause writes ": " and the value-free form of a cause, if any.
func writeCause(b *strings.Builder, err error) {
	if err != nil {
		b.WriteString(": ")
		writeSafe(b, err)
	}
}

// isJoin reports whether err was made by errors.Join, whose text is only
// that of its errors.
func isJoin(err error) bool {
	return reflect.TypeOf(err) == joinType
}

var joinType = reflect.TypeOf(errors.Join(errors.New("")))

// pathError is an error of the engine inside a field of a record ("field
// "address"", "[3]"): the path names fields and list indexes, never map
// keys.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }
