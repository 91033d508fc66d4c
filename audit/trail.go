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
// [WithFailOnWriteError] is given. A Trail is safe for concurrent use; create it with
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
	batch     []byte // Async: the lines of one Write

	closeOnce sync.Once
	closeErr  error

	written, dropped atomic.Int64
}

// buffer holds one encoded line with what a *WriteError needs. b[0] is a
// newline, written before the line only after a failed write, so that a
// partial line never swallows the next one.
type buffer struct {
	b        []byte
	keys     []string // scratch for the sorted key lists, reused with the buffer
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

// New returns a trail that writes to w (which must not be nil), one Write
// call per line ([WithAsync] writes batches of whole lines). The trail does
// not close w; [Trail.Close] flushes it when it has a Flush() error method
// (a *bufio.Writer) and, with [WithSyncEvery], syncs it when it has a Sync()
// error method (an *os.File).
func New(w io.Writer, opts ...Option) *Trail {
	t := &Trail{cfg: newConfig(opts), w: w}
	if t.cfg.onError == nil {
		t.cfg.onError = func(err error) {
			slog.Error("audit: a line was not written", "error", err, "error_type", core.ErrorType(err))
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
// mode 0600 (an existing file keeps its mode). Each line (with [WithAsync],
// each batch of whole lines) is one write(2) on a file opened with
// O_APPEND, so lines of several processes appending to the same file do
// not interleave. [Trail.Close] syncs and closes the
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
// failed, the [WithAsync] queue was full, or the migration finished after
// [Trail.Close]. A line handed to a buffering writer (a *bufio.Writer)
// counts as written when Write returns; if a later flush fails, the lines
// still in its buffer are lost with it and reported, but not counted.
func (t *Trail) Dropped() int64 { return t.dropped.Load() }

// BeforeMigrate returns ctx: the trail keeps no state per migration (the
// duration comes from [core.Event.Start]).
func (t *Trail) BeforeMigrate(ctx context.Context, _ core.Event) context.Context { return ctx }

// AfterMigrate writes the success line, unless [WithFailOnWriteError] wrote it already.
func (t *Trail) AfterMigrate(ctx context.Context, e core.Event, migrated core.Record) {
	if !t.cfg.strict {
		_ = t.record(ctx, &e, StatusSuccess, migrated, nil)
	}
}

// OnError writes the error line.
func (t *Trail) OnError(ctx context.Context, e core.Event, err error) {
	_ = t.record(ctx, &e, StatusError, core.Record{}, err)
}

// ValidateMigration writes the success line with [WithFailOnWriteError] and returns the
// *[WriteError] if it could not be written, flushed or synced; without
// that option it does nothing.
func (t *Trail) ValidateMigration(ctx context.Context, e core.Event, migrated core.Record) error {
	if !t.cfg.strict {
		return nil
	}
	if werr := t.record(ctx, &e, StatusSuccess, migrated, nil); werr != nil {
		return werr
	}
	return nil
}

// record encodes the line of e and writes or queues it. It returns the
// *WriteError of a synchronous write, if any, once reported (never under
// the lock).
func (t *Trail) record(ctx context.Context, e *core.Event, status Status, rec core.Record, err error) *WriteError {
	buf := t.pool.Get().(*buffer)
	buf.b = t.appendLine(buf.b[:1], &buf.keys, ctx, e, time.Now(), status, rec, err)
	buf.model, buf.from, buf.to, buf.status = e.Model, e.From, e.To, status
	if t.queue != nil {
		t.enqueue(buf)
		return nil // asynchronous: a migration never fails for its line
	}
	t.mu.Lock()
	var werr *WriteError
	if t.closed {
		werr = t.drop(buf, "closed", ErrClosed)
		t.mu.Unlock()
		t.report(werr)
	} else {
		one := [1]*buffer{buf}
		errs := t.write(one[:], t.cfg.strict)
		t.mu.Unlock()
		if len(errs) > 0 {
			werr = errs[0]
			t.report(werr)
		}
	}
	t.put(buf)
	return werr
}

// enqueue hands buf to the writer goroutine without waiting.
func (t *Trail) enqueue(buf *buffer) {
	t.qmu.RLock()
	var werr *WriteError
	if t.qclosed {
		werr = t.drop(buf, "closed", ErrClosed)
	} else {
		select {
		case t.queue <- buf:
			t.qmu.RUnlock()
			return
		default:
			werr = t.drop(buf, "enqueue", ErrQueueFull)
		}
	}
	t.qmu.RUnlock()
	t.put(buf)
	t.report(werr)
}

func (t *Trail) drop(buf *buffer, op string, err error) *WriteError {
	t.dropped.Add(1)
	return buf.writeError(op, err)
}

func (b *buffer) writeError(op string, err error) *WriteError {
	return &WriteError{Op: op, Model: b.model, From: b.from, To: b.to, Status: b.status, Err: err}
}

// write writes lines in one Write call; the caller has exclusive use of
// the writer. The lines are flushed when flush is set or a sync is due,
// and synced when a sync is due. It counts every line that was not
// written and returns their errors (or the sync error), for the caller
// to report once it holds no lock.
func (t *Trail) write(lines []*buffer, flush bool) []*WriteError {
	lead := 0
	if t.broken {
		lead = 1
	}
	var p []byte
	if len(lines) == 1 {
		p = lines[0].b[1-lead:]
	} else {
		t.batch = append(t.batch[:0], lines[0].b[1-lead:]...)
		for _, l := range lines[1:] {
			t.batch = append(t.batch, l.b[1:]...)
		}
		p = t.batch
	}
	n, err := t.safeWrite(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		t.broken = t.broken || (n > 0 && n < len(p))
		// The lines that made it whole are written.
		var errs []*WriteError
		end := lead
		for _, l := range lines {
			end += len(l.b) - 1
			if end <= n {
				t.written.Add(1)
				continue
			}
			errs = append(errs, t.drop(l, "write", err))
		}
		return errs
	}
	t.broken = false
	t.sinceSync += len(lines)
	syncNow := t.cfg.syncEvery >= 0 && t.sinceSync >= max(t.cfg.syncEvery, 1)
	if (flush || syncNow) && t.flusher != nil {
		if err := t.flusher.Flush(); err != nil {
			errs := make([]*WriteError, len(lines))
			for i, l := range lines {
				errs[i] = t.drop(l, "flush", err)
			}
			return errs
		}
	}
	t.written.Add(int64(len(lines)))
	if !syncNow {
		return nil
	}
	t.sinceSync = 0
	if t.syncer != nil {
		if err := t.syncer.Sync(); err != nil {
			return []*WriteError{lines[len(lines)-1].writeError("sync", err)}
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

// maxBatch is about the most an Async trail's writer goroutine writes in
// one Write call.
const maxBatch = 64 << 10

// drain is the writer goroutine of an Async trail. It writes what is
// queued in batches of whole lines, one Write call each, and flushes the
// writer when the queue runs empty.
func (t *Trail) drain() {
	defer close(t.done)
	var lines []*buffer
	for {
		select {
		case buf, ok := <-t.queue:
			if !ok {
				return
			}
			lines = t.collect(append(lines[:0], buf), -1)
			ref := buffer{model: buf.model, from: buf.from, to: buf.to, status: buf.status}
			t.writeBatch(lines)
			if len(t.queue) == 0 && t.flusher != nil {
				if err := t.flusher.Flush(); err != nil {
					t.report(ref.writeError("flush", err))
				}
			}
		case reply := <-t.syncReq:
			// Write what was queued before the request, then sync.
			for n := len(t.queue); n > 0; {
				lines = t.collect(lines[:0], n)
				if len(lines) == 0 {
					break
				}
				n -= len(lines)
				t.writeBatch(lines)
			}
			reply <- t.flushAndSync()
		}
	}
}

// collect adds queued lines to lines, without waiting, until the batch is
// full, the queue is empty or (when limit >= 0) it holds limit lines.
func (t *Trail) collect(lines []*buffer, limit int) []*buffer {
	size := 0
	for _, l := range lines {
		size += len(l.b)
	}
	for size < maxBatch && (limit < 0 || len(lines) < limit) {
		select {
		case buf, ok := <-t.queue:
			if !ok {
				return lines
			}
			lines = append(lines, buf)
			size += len(buf.b)
		default:
			return lines
		}
	}
	return lines
}

func (t *Trail) writeBatch(lines []*buffer) {
	for _, werr := range t.write(lines, false) {
		t.report(werr)
	}
	for i, l := range lines {
		t.put(l)
		lines[i] = nil
	}
}

// Sync writes what the trail holds (with [WithAsync], the lines queued before
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

// Close writes every queued line ([WithAsync]), flushes the writer, syncs it
// if the trail opened it or [WithSyncEvery] was given, and closes it if the
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
