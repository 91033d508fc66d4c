package cli

import (
	"errors"
	"fmt"
)

// The exit codes of the command.
const (
	ExitOK      = 0 // success
	ExitFinding = 1 // an invalid record, a failed migration, a breaking change, a failed check
	ExitUsage   = 2 // a usage or I/O error
)

// findingError is a finding: the command ran and found something wrong.
// Its message has been written already.
type findingError struct{ msg string }

func (e *findingError) Error() string { return e.msg }

func finding(format string, args ...any) error {
	return &findingError{msg: fmt.Sprintf(format, args...)}
}

// usageError is a usage error: a bad flag or argument, with what to do.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usage(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// ExitCode returns the exit code of an error the command returned: 0 for
// nil, 1 for a finding, the code of an error that has an ExitCode() int
// method (a subcommand's, [WithCommands]), 2 for anything else (a usage
// or I/O error).
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var f *findingError
	if errors.As(err, &f) {
		return ExitFinding
	}
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return ExitUsage
}
