package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/transmute-go/transmute/core"
)

// migration is one run of migrate: the records in flight, in input order,
// and the counts.
type migration struct {
	a        *app
	f        migrateFlags
	w        *recordWriter
	rejects  *recordWriter
	progress func(ok bool)
	queue    fifo
	ok       int
	failed   int
}

// reject is a failed record as --rejects writes it. Record is the input
// record, or its text (a JSON string) when it is not a JSON object.
type reject struct {
	Line      int    `json:"line"`
	Error     string `json:"error"`
	ErrorType string `json:"error_type"`
	Record    any    `json:"record"`
}

// errStop ends a run that stopped at a failed record.
var errStop = errors.New("stopped at a failed record")

// run migrates the records of in through the engine's ordered stream and
// writes each result, or each failure, in input order. The lines that are
// not JSON objects never reach the engine: they wait in the queue, in
// order, and fail when their turn comes.
func (r *migration) run(ctx context.Context, in io.Reader) error {
	lr := newLineReader(in)
	var readErr error
	items := func(yield func(core.Data) bool) {
		for {
			l, err := lr.next()
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			r.queue.push(l)
			if l.err == nil && !yield(l.data) {
				return
			}
		}
	}
	opts := []core.BatchOption{core.WithWorkers(r.f.workers), core.WithContinueOnError()}
	if r.f.from == "" {
		opts = append(opts, core.WithVersionFromRecord())
	}
	for out, err := range r.a.m.MigrateStream(ctx, items, r.f.model, r.f.from, r.f.to, opts...) {
		if err := r.undecoded(); err != nil {
			return stopped(err)
		}
		l := r.queue.pop()
		var item *core.ItemError
		switch {
		case err == nil:
			if err := r.w.write(out); err != nil {
				return err
			}
			r.done(true)
		case errors.As(err, &item):
			if err := r.fail(l, item.Err); err != nil {
				return stopped(err)
			}
		default:
			return err // the run was interrupted
		}
	}
	if err := r.undecoded(); err != nil {
		return stopped(err)
	}
	if readErr != nil {
		return errors.Join(errors.New("cannot read the input"), readErr)
	}
	return nil
}

// stopped turns the stop at a failed record into a normal end: the
// finding is reported from the counts.
func stopped(err error) error {
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// undecoded fails the lines at the head of the queue that are not JSON
// objects.
func (r *migration) undecoded() error {
	for r.queue.len() > 0 && r.queue.peek().err != nil {
		l := r.queue.pop()
		if err := r.fail(l, l.err); err != nil {
			return err
		}
	}
	return nil
}

// fail reports a failed record; without --continue-on-error it stops the
// run (errStop).
func (r *migration) fail(l line, err error) error {
	r.done(false)
	rej := reject{Line: l.n, Error: err.Error(), ErrorType: core.ErrorType(err), Record: l.data}
	if l.data == nil {
		rej.ErrorType, rej.Error, rej.Record = "decode", "not a JSON object: "+err.Error(), string(l.raw)
	}
	if !r.f.continueOn {
		r.a.printFailure(rej)
		return errStop
	}
	return r.rejects.write(rej)
}

func (r *migration) done(ok bool) {
	if ok {
		r.ok++
	} else {
		r.failed++
	}
	if r.progress != nil {
		r.progress(ok)
	}
}

// printFailure says which record stopped the run.
func (a *app) printFailure(rej reject) {
	_, _ = io.WriteString(a.errOut(), "line "+strconv.Itoa(rej.Line)+": "+rej.Error+" (error_type "+rej.ErrorType+"; --continue-on-error migrates the other records)\n")
}

// fifo is the queue of the lines in flight, oldest first.
type fifo struct {
	items []line
	head  int
}

func (q *fifo) push(l line) {
	if q.head > 64 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	q.items = append(q.items, l)
}

func (q *fifo) len() int    { return len(q.items) - q.head }
func (q *fifo) peek() *line { return &q.items[q.head] }

func (q *fifo) pop() line {
	l := q.items[q.head]
	q.items[q.head] = line{}
	q.head++
	return l
}

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
}
