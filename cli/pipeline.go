package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/transmute-go/transmute/core"
)

// chunkSize is how many lines a worker takes at once: large enough that
// handing chunks between goroutines costs little per record, small
// enough that memory stays a few chunks per worker.
const chunkSize = 512

// migration is one run of migrate: chunks of lines go to the workers,
// which decode, migrate (one engine batch per chunk) and encode them; the
// results are written in input order.
type migration struct {
	a        *app
	f        migrateFlags
	w        io.Writer
	rejects  io.Writer
	progress func(ok bool)
	ok       int
	failed   int
	// typed: every path to the target is typed, so the records go to the
	// engine as JSON and come back as JSON, decoded into and encoded from
	// the Go structs (core.Manager.MigrateBatchJSON), with no record built.
	typed bool
}

// reject is a failed record as --rejects writes it. Record is the input
// record, or its text (a JSON string) when it is not a JSON object.
type reject struct {
	Line      int    `json:"line"`
	Error     string `json:"error"`
	ErrorType string `json:"error_type"`
	Record    any    `json:"record"`
}

// chunk is a run of consecutive lines and, once a worker is done with it,
// their output and their failures in order.
type chunk struct {
	lines []line
	out   bytes.Buffer
	fails []reject // in line order
	oks   int
	err   error         // a failure of the run itself (the ctx ended, an encoding error)
	done  chan struct{} // closed when the worker is done
}

// run migrates the records of in and writes the results in input order.
// It returns as soon as ctx ends (an interrupt) or a failure stops it,
// without waiting for the input: the reader, which may be blocked on a
// pipe, ends at its next read.
func (r *migration) run(ctx context.Context, in io.Reader) error {
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (defers run last first): the workers stop with ctx, their chunk done
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, 2*r.f.workers) // in input order, to the writer
	work := make(chan *chunk)                  // to the workers
	readErr := make(chan error, 1)
	go func() { // the reader
		defer close(chunks)
		defer close(work)
		readErr <- r.read(ctx, in, chunks, work)
	}()
	for range r.f.workers {
		wg.Go(func() { r.work(ctx, work) })
	}
	for {
		var c *chunk
		select {
		case c = <-chunks:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c == nil {
			break // the input has ended
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if stop, err := r.write(c); err != nil || stop {
			return err
		}
	}
	if err := <-readErr; err != nil {
		return errors.Join(errors.New("cannot read the input"), err)
	}
	return ctx.Err()
}

// work processes the chunks handed to one worker until there are no more
// or ctx ends.
func (r *migration) work(ctx context.Context, work <-chan *chunk) {
	for {
		select {
		case c, ok := <-work:
			if !ok {
				return
			}
			r.process(ctx, c)
			close(c.done)
		case <-ctx.Done():
			return
		}
	}
}

// read cuts the input into chunks, handing each to the writer (in order)
// and to a worker.
func (r *migration) read(ctx context.Context, in io.Reader, chunks, work chan<- *chunk) error {
	lr := newRawLineReader(in)
	for {
		c := &chunk{done: make(chan struct{})}
		for len(c.lines) < chunkSize {
			l, err := lr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			c.lines = append(c.lines, l)
		}
		if len(c.lines) == 0 {
			return nil
		}
		select {
		case chunks <- c:
		case <-ctx.Done():
			return nil
		}
		select {
		case work <- c:
		case <-ctx.Done():
			close(c.done)
			return nil
		}
		if len(c.lines) < chunkSize {
			return nil
		}
	}
}

// process decodes, migrates and encodes one chunk.
func (r *migration) process(ctx context.Context, c *chunk) {
	if ctx.Err() != nil {
		c.err = ctx.Err()
		return
	}
	if r.typed {
		r.processJSON(ctx, c)
		return
	}
	records := make([]core.Data, 0, len(c.lines))
	index := make([]int, 0, len(c.lines)) // record → line of the chunk
	for i := range c.lines {
		l := &c.lines[i]
		l.data, l.err = decodeRecord(l.raw)
		if l.err == nil {
			records = append(records, l.data)
			index = append(index, i)
		}
	}
	results, err := r.a.m.MigrateBatch(ctx, records, r.f.model, r.f.from, r.f.to, r.batchOptions()...)
	be, ok := batchFailures(ctx, c, err)
	if !ok {
		return
	}
	migrated := make([]core.Data, len(c.lines)) // by line of the chunk
	for j, i := range index {
		migrated[i] = results[j]
	}
	if be != nil {
		for _, it := range be.Items {
			c.lines[index[it.Index]].err = it.Err
		}
	}
	r.emit(c, func(i int) error { return encodeRecord(&c.out, migrated[i]) })
}

// processJSON migrates one chunk as JSON: the engine decodes each line
// into the first step's Go struct and encodes the result from the last
// one's. A failed line is decoded here only to report it as the map path
// would: a line that is not a record says what it holds, and the rejects
// hold the record.
func (r *migration) processJSON(ctx context.Context, c *chunk) {
	raws := make([][]byte, len(c.lines))
	for i := range c.lines {
		raws[i] = c.lines[i].raw
	}
	opts := append(r.batchOptions(), core.WithJSONCodec(codec))
	results, err := r.a.m.MigrateBatchJSON(ctx, raws, r.f.model, r.f.from, r.f.to, opts...)
	be, ok := batchFailures(ctx, c, err)
	if !ok {
		return
	}
	if be != nil {
		for _, it := range be.Items {
			l := &c.lines[it.Index]
			l.data, l.err = decodeRecord(l.raw)
			if l.err == nil {
				l.err = it.Err
			}
		}
	}
	r.emit(c, func(i int) error {
		c.out.Write(results[i])
		return c.out.WriteByte('\n')
	})
}

// batchFailures returns the failed items of a chunk's batch, or ok false
// when the run itself failed (the ctx ended, so the records' failures are
// not theirs), with c.err set.
func batchFailures(ctx context.Context, c *chunk, err error) (be *core.BatchError, ok bool) {
	if ctx.Err() != nil {
		c.err = ctx.Err()
		return nil, false
	}
	if err != nil && !errors.As(err, &be) {
		c.err = err
		return nil, false
	}
	return be, true
}

// emit writes a chunk's lines in order: each migrated one with write,
// each failed one to the chunk's failures; without --continue-on-error,
// nothing after the first failure is written.
func (r *migration) emit(c *chunk, write func(i int) error) {
	for i := range c.lines {
		l := &c.lines[i]
		if l.err == nil {
			if err := write(i); err != nil {
				c.err = err
				return
			}
			c.oks++
			continue
		}
		c.fails = append(c.fails, rejectOf(*l))
		if !r.f.continueOn {
			return
		}
	}
}

func (r *migration) batchOptions() []core.BatchOption {
	opts := []core.BatchOption{core.WithContinueOnError()}
	if r.f.from == "" {
		opts = append(opts, core.WithVersionFromRecord())
	}
	return opts
}

// rejectOf is the reject line of a failed line: one that is not a JSON
// object (no data), or whose record failed to migrate.
func rejectOf(l line) reject {
	if l.data == nil {
		return reject{Line: l.n, Error: l.err.Error(), ErrorType: "decode", Record: string(l.raw)}
	}
	return reject{Line: l.n, Error: l.err.Error(), ErrorType: core.ErrorType(l.err), Record: l.data}
}

// write writes a processed chunk: its records, and its failures to the
// rejects; without --continue-on-error it reports the first failure and
// says to stop.
func (r *migration) write(c *chunk) (stop bool, err error) {
	if c.err != nil {
		return true, c.err
	}
	if _, err := r.w.Write(c.out.Bytes()); err != nil {
		return true, err
	}
	for range c.oks {
		r.done(true)
	}
	for _, rej := range c.fails {
		r.done(false)
		if !r.f.continueOn {
			r.a.printFailure(rej)
			return true, nil
		}
		if err := encodeRecord(r.rejects, rej); err != nil {
			return true, err
		}
	}
	return false, nil
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
