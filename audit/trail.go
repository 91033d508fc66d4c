package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transmute-go/transmute/core"
)

// Status is the outcome of a migration in the trail.
type Status string

// The statuses of a line.
const (
	StatusSuccess Status = "success"
	StatusError   Status = "error"
)

// Trail is a [core.Hook] that writes one JSON line per finished
// migration. It is also a [core.Validator], which does nothing unless
// [Strict] is given. A Trail is safe for concurrent use; create it with
// [New] or [Open] and call [Trail.Close] when done.
type Trail struct {
	cfg     config
	w       io.Writer
	flusher interface{ Flush() error }
	syncer  interface{ Sync() error }
	file    *os.File // opened by Open, closed by Close
	pool    sync.Pool

	// Synchronous writes: mu serialises them, Sync and Close.
	mu sync.Mutex

	// Async: qmu guards closed against the sends on queue, which are
	// never blocking; the writer goroutine owns w.
	qmu     sync.RWMutex
	qclosed bool // under qmu
	queue   chan *buffer
	syncReq chan chan error
	done    chan struct{}

	// Under mu, or owned by the writer goroutine.
	closed    bool
	broken    bool // a failed write may have left part of a line
	sinceSync int

	closeOnce sync.Once
	closeErr  error

	written, dropped atomic.Int64
}

// buffer holds one encoded line with what a *WriteError needs. b[0] is a
// newline, written before the line only after a failed write, so that a
// partial line never swallows the next one.
type buffer struct {
	b        []byte
	model    string
	from, to core.Version
	status   Status
}

// maxPooled is the largest buffer kept for reuse (a line with large values
// is not kept).
const maxPooled = 64 << 10

var (
	_ core.Hook      = (*Trail)(nil)
	_ core.Validator = (*Trail)(nil)
)

// New returns a trail that writes to w, one Write call per line. The
// trail does not close w; [Trail.Close] flushes it when it has a Flush()
// error method (a *bufio.Writer) and, with [SyncEvery], syncs it when it
// has a Sync() error method (an *os.File).
func New(w io.Writer, opts ...Option) *Trail {
	t := &Trail{cfg: newConfig(opts), w: w}
	if t.cfg.onError == nil {
		t.cfg.onError = func(err error) {
			slog.Error(err.Error(), "error_type", core.ErrorType(err))
		}
	}
	t.flusher, _ = w.(interface{ Flush() error })
	t.syncer, _ = w.(interface{ Sync() error })
	t.pool.New = func() any { return &buffer{b: append(make([]byte, 0, 512), '\n')} }
	if t.cfg.async {
		t.queue = make(chan *buffer, t.cfg.queueSize)
		t.syncReq = make(chan chan error)
		t.done = make(chan struct{})
		go t.drain()
	}
	return t
}

// Open returns a trail that appends to the file at path, creating it with
// mode 0600 (an existing file keeps its mode). Each line is one write(2)
// on a file opened with O_APPEND, so lines of several processes appending
// to the same file do not interleave. [Trail.Close] syncs and closes the
// file.
func Open(path string, opts ...Option) (*Trail, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	t := New(f, opts...)
	t.file = f
	return t, nil
}

// Written returns the number of lines written so far.
func (t *Trail) Written() int64 { return t.written.Load() }

// Dropped returns the number of lines that were not written: the writer
// failed, the [Async] queue was full, or the migration finished after
// [Trail.Close]. A line handed to a buffering writer (a *bufio.Writer)
// counts as written when Write returns; if a later flush fails, the lines
// still in its buffer are lost with it and reported, but not counted.
func (t *Trail) Dropped() int64 { return t.dropped.Load() }

// BeforeMigrate returns ctx: the trail keeps no state per migration (the
// duration comes from [core.Event.Start]).
func (t *Trail) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return ctx }

// AfterMigrate writes the success line, unless [Strict] wrote it already.
func (t *Trail) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if !t.cfg.strict {
		_ = t.record(ctx, &e, StatusSuccess, migrated, nil)
	}
}

// OnError writes the error line.
func (t *Trail) OnError(ctx context.Context, e core.Event, err error) {
	_ = t.record(ctx, &e, StatusError, core.Record{}, err)
}

// ValidateMigration writes the success line with [Strict] and returns the
// *[WriteError] if it could not be written, flushed or synced; without
// Strict it does nothing.
func (t *Trail) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	if !t.cfg.strict {
		return nil
	}
	if err := t.record(ctx, &e, StatusSuccess, migrated, nil); err != nil {
		return err
	}
	return nil
}

// record encodes the line of e and writes or queues it. It returns the
// *WriteError of a synchronous write, if any.
func (t *Trail) record(ctx context.Context, e *core.Event, status Status, rec core.Record, err error) *WriteError {
	buf := t.pool.Get().(*buffer)
	buf.b = t.appendLine(buf.b[:1], ctx, e, time.Now(), status, rec, err)
	buf.model, buf.from, buf.to, buf.status = e.Model, e.From, e.To, status
	if t.queue != nil {
		return t.enqueue(buf)
	}
	t.mu.Lock()
	var werr *WriteError
	if t.closed {
		werr = t.drop(buf, "closed", ErrClosed)
	} else {
		werr = t.write(buf, t.cfg.strict)
	}
	t.mu.Unlock()
	t.put(buf)
	if werr != nil {
		t.report(werr)
	}
	return werr
}

// enqueue hands buf to the writer goroutine without waiting.
func (t *Trail) enqueue(buf *buffer) *WriteError {
	t.qmu.RLock()
	var werr *WriteError
	switch {
	case t.qclosed:
		werr = t.drop(buf, "closed", ErrClosed)
	default:
		select {
		case t.queue <- buf:
			t.qmu.RUnlock()
			return nil
		default:
			werr = t.drop(buf, "enqueue", ErrQueueFull)
		}
	}
	t.qmu.RUnlock()
	t.put(buf)
	t.report(werr)
	return nil // asynchronous: the migration never fails for its line
}

func (t *Trail) drop(buf *buffer, op string, err error) *WriteError {
	t.dropped.Add(1)
	return buf.writeError(op, err)
}

func (b *buffer) writeError(op string, err error) *WriteError {
	return &WriteError{Op: op, Model: b.model, From: b.from, To: b.to, Status: b.status, Err: err}
}

// write writes one line; the caller has exclusive use of the writer. A
// line is flushed when flush is set or a sync is due, and synced when a
// sync is due.
func (t *Trail) write(buf *buffer, flush bool) *WriteError {
	p := buf.b[1:]
	if t.broken {
		p = buf.b
	}
	n, err := t.safeWrite(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		t.broken = t.broken || (n > 0 && n < len(p))
		return t.drop(buf, "write", err)
	}
	t.broken = false
	syncNow := t.cfg.syncEvery >= 0 && t.sinceSync+1 >= max(t.cfg.syncEvery, 1)
	if (flush || syncNow) && t.flusher != nil {
		if err := t.flusher.Flush(); err != nil {
			return t.drop(buf, "flush", err)
		}
	}
	t.written.Add(1)
	if !syncNow {
		t.sinceSync++
		return nil
	}
	t.sinceSync = 0
	if t.syncer != nil {
		if err := t.syncer.Sync(); err != nil {
			return buf.writeError("sync", err)
		}
	}
	return nil
}

// safeWrite calls the writer, turning a panic into an error.
func (t *Trail) safeWrite(p []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("writer panicked: %v", r)
			t.broken = true
		}
	}()
	return t.w.Write(p)
}

func (t *Trail) put(buf *buffer) {
	if cap(buf.b) <= maxPooled {
		buf.model = ""
		t.pool.Put(buf)
	}
}

// report calls the error handler, recovering a panic in it.
func (t *Trail) report(err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("audit: error handler panicked", "panic", r, "error", err)
		}
	}()
	t.cfg.onError(err)
}

// drain is the writer goroutine of an Async trail.
func (t *Trail) drain() {
	defer close(t.done)
	for {
		select {
		case buf, ok := <-t.queue:
			if !ok {
				return
			}
			t.writeQueued(buf)
			if len(t.queue) == 0 && t.flusher != nil {
				if err := t.flusher.Flush(); err != nil {
					t.report(&WriteError{Op: "flush", Err: err})
				}
			}
		case reply := <-t.syncReq:
			for n := len(t.queue); n > 0; n-- {
				buf, ok := <-t.queue
				if !ok {
					break
				}
				t.writeQueued(buf)
			}
			reply <- t.flushAndSync()
		}
	}
}

func (t *Trail) writeQueued(buf *buffer) {
	werr := t.write(buf, false)
	t.put(buf)
	if werr != nil {
		t.report(werr)
	}
}

// Sync writes what the trail holds (with [Async], the lines queued before
// the call), flushes the writer when it has a Flush() error method and
// commits it to stable storage when it has a Sync() error method. It
// returns [ErrClosed] after Close.
func (t *Trail) Sync() error {
	if t.queue != nil {
		reply := make(chan error, 1)
		select {
		case t.syncReq <- reply:
			return <-reply
		case <-t.done:
			return ErrClosed
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	return t.flushAndSync()
}

func (t *Trail) flushAndSync() error {
	var errs []error
	if t.flusher != nil {
		if err := t.flusher.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("audit: flush: %w", err))
		}
	}
	if t.syncer != nil {
		if err := t.syncer.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("audit: sync: %w", err))
		}
	}
	t.sinceSync = 0
	return errors.Join(errs...)
}

// Close writes every queued line ([Async]), flushes the writer, syncs it
// if the trail opened it or [SyncEvery] was given, and closes it if the
// trail opened it ([Open]). A migration that finishes after Close gets no
// line: it is counted by [Trail.Dropped] and reported with [ErrClosed].
// Close returns the same result every time it is called.
func (t *Trail) Close() error {
	t.closeOnce.Do(func() { t.closeErr = t.close() })
	return t.closeErr
}

func (t *Trail) close() error {
	if t.queue != nil {
		t.qmu.Lock()
		t.qclosed = true
		close(t.queue)
		t.qmu.Unlock()
		<-t.done
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	var errs []error
	if t.flusher != nil {
		if err := t.flusher.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("audit: flush: %w", err))
		}
	}
	if t.syncer != nil && (t.file != nil || t.cfg.syncEvery >= 0) {
		if err := t.syncer.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("audit: sync: %w", err))
		}
	}
	if t.file != nil {
		if err := t.file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("audit: %w", err))
		}
	}
	return errors.Join(errs...)
}
