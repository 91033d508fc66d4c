package jsmigrate

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"

	"github.com/transmute-go/transmute/core"
)

// The headers of a dead-lettered message.
const (
	HeaderError          = "Transmute-Error"
	HeaderErrorType      = "Transmute-Error-Type"
	HeaderSourceSubject  = "Transmute-Source-Subject"
	HeaderSourceSequence = "Transmute-Source-Sequence"
)

// maxRetryDelay bounds the backoff of a message whose publish failed.
const maxRetryDelay = 30 * time.Second

// Config says what a Worker migrates and where the results go.
type Config struct {
	// Stream is the stream to read.
	Stream string
	// Consumer is the durable pull consumer the workers share. An existing
	// consumer is used as it is (its filter subject, ack wait and limits
	// stand); a missing one is created with explicit acks.
	Consumer string
	// Model is the model of the records; each carries its version in the
	// manager's version key (core.WithVersionKey).
	Model string
	// To is the target version, or "latest".
	To string
	// Subject returns where an upgraded record is published. Nil is
	// DefaultSubject.
	Subject func(in jetstream.Msg, out core.Data) string
	// DeadLetter is the subject of the records that cannot be decoded,
	// migrated, routed (a panic in Subject) or published (larger than the
	// server's max payload once migrated): they are published there
	// unchanged and terminated, with headers naming the error
	// (HeaderError: the value-free text of core.ErrorMessage, at most 512
	// bytes) and its type.
	DeadLetter string
}

// Stats are a Worker's counts.
type Stats struct {
	Received     int64 // messages handed to the worker
	Migrated     int64 // published upgraded and acknowledged
	DeadLettered int64 // published to the dead-letter subject and terminated
	Redelivered  int64 // received more than once (a worker stopped, a publish failed)
	Retried      int64 // negatively acknowledged after a failed publish
}

// Worker migrates the records of a stream. Run it in as many processes as
// the stream needs: they share the durable consumer.
type Worker struct {
	m       *core.Manager
	js      jetstream.JetStream
	cfg     Config
	opts    options
	to      string
	counts  struct{ received, migrated, dead, redelivered, retried atomic.Int64 }
	subject func(in jetstream.Msg, out core.Data) string
}

// New returns a Worker for the records of cfg.Stream. The manager must
// have a version key, and cfg must name a stream, a consumer, a model, a
// target version and a dead-letter subject.
func New(m *core.Manager, js jetstream.JetStream, cfg Config, opts ...Option) (*Worker, error) {
	o := options{workers: 1, retryDelay: 100 * time.Millisecond}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	switch {
	case m == nil || js == nil:
		return nil, errors.New("jsmigrate: New needs a manager and a JetStream")
	case m.VersionKey() == "":
		return nil, errors.New("jsmigrate: the manager has no version key (core.WithVersionKey): records must say their version")
	case cfg.Stream == "" || cfg.Consumer == "" || cfg.Model == "" || cfg.To == "" || cfg.DeadLetter == "":
		return nil, errors.New("jsmigrate: Config needs Stream, Consumer, Model, To and DeadLetter")
	}
	if _, err := m.Versions(cfg.Model); err != nil {
		return nil, fmt.Errorf("jsmigrate: %w", err)
	}
	to, err := m.ResolveVersion(cfg.Model, cfg.To)
	if err != nil {
		return nil, fmt.Errorf("jsmigrate: %w", err)
	}
	w := &Worker{m: m, js: js, cfg: cfg, opts: o, to: to.String(), subject: cfg.Subject}
	if w.subject == nil {
		w.subject = func(in jetstream.Msg, _ core.Data) string { return DefaultSubject(in.Subject(), to.Major) }
	}
	if o.propagator == nil {
		w.opts.propagator = otel.GetTextMapPropagator()
	}
	return w, nil
}

// DefaultSubject is where an upgraded record goes when Config.Subject is
// nil: the input subject with its first token suffixed by the target's
// major version (users.created, 3 → users_v3.created).
func DefaultSubject(subject string, major int) string {
	first, rest, found := strings.Cut(subject, ".")
	first += "_v" + strconv.Itoa(major)
	if !found {
		return first
	}
	return first + "." + rest
}

// Stats returns the worker's counts so far.
func (w *Worker) Stats() Stats {
	return Stats{
		Received:     w.counts.received.Load(),
		Migrated:     w.counts.migrated.Load(),
		DeadLettered: w.counts.dead.Load(),
		Redelivered:  w.counts.redelivered.Load(),
		Retried:      w.counts.retried.Load(),
	}
}

// Run consumes until ctx ends, then finishes the messages in flight and
// returns nil; the messages the consumer had fetched but not handed out are
// redelivered to the other workers once their ack wait ends. A consumer
// that exists is used as it is (its filter, ack wait and limits are the
// user's); a missing one is created with explicit acks. Run fails when the
// consumer cannot be had or read: a consumer deleted mid-run, the
// connection closed, or any error other than a passing one (a missed
// heartbeat, a timeout) while ctx has not ended, after the messages in
// flight are finished.
func (w *Worker) Run(ctx context.Context) error {
	cons, err := w.consumer(ctx)
	if err != nil {
		return fmt.Errorf("jsmigrate: consumer %q of stream %q: %w", w.cfg.Consumer, w.cfg.Stream, err)
	}
	msgs, err := cons.Messages(jetstream.PullMaxMessages(2 * w.opts.workers))
	if err != nil {
		return fmt.Errorf("jsmigrate: consume %q: %w", w.cfg.Stream, err)
	}
	// When ctx ends, no more messages are fetched; the ones already
	// fetched are handled (they are in flight for the server: leaving them
	// would delay them by the consumer's ack wait).
	stop := context.AfterFunc(ctx, msgs.Drain)
	defer stop()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range w.opts.workers {
		wg.Go(func() {
			if err := w.consume(ctx, msgs); err != nil {
				once.Do(func() { first = err; msgs.Drain() })
			}
		})
	}
	wg.Wait()
	msgs.Stop()
	if first != nil {
		return fmt.Errorf("jsmigrate: consume %q: %w", w.cfg.Stream, first)
	}
	return nil
}

// consumer is the durable consumer: the existing one, as it is, or a new
// one with explicit acks.
func (w *Worker) consumer(ctx context.Context) (jetstream.Consumer, error) {
	cons, err := w.js.Consumer(ctx, w.cfg.Stream, w.cfg.Consumer)
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return cons, err
	}
	cons, err = w.js.CreateConsumer(ctx, w.cfg.Stream, jetstream.ConsumerConfig{
		Durable:       w.cfg.Consumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		MaxAckPending: 1000,
	})
	if errors.Is(err, jetstream.ErrConsumerExists) { // another worker made it first
		return w.js.Consumer(ctx, w.cfg.Stream, w.cfg.Consumer)
	}
	return cons, err
}

// consume handles messages until the iterator is drained (nil, once ctx
// has ended) or fails (its error).
func (w *Worker) consume(ctx context.Context, msgs jetstream.MessagesContext) error {
	for {
		msg, err := msgs.Next()
		switch {
		case err == nil:
			w.handle(msg)
		case errors.Is(err, jetstream.ErrMsgIteratorClosed) && ctx.Err() != nil:
			return nil // drained after ctx ended
		case passing(err):
			continue
		default:
			return err
		}
	}
}

// passing reports whether an error of the iterator is one it recovers
// from by itself.
func passing(err error) bool {
	return errors.Is(err, jetstream.ErrNoHeartbeat) || errors.Is(err, nats.ErrTimeout)
}

// handle migrates one message and publishes the result, or dead-letters
// it, or asks for it again.
func (w *Worker) handle(msg jetstream.Msg) {
	defer w.progress()
	w.counts.received.Add(1)
	meta, err := msg.Metadata()
	if err != nil {
		w.retry(msg, 1)
		return
	}
	if meta.NumDelivered > 1 {
		w.counts.redelivered.Add(1)
	}
	ctx := w.opts.propagator.Extract(context.Background(), headerCarrier(msg.Headers()))
	payload, err := w.m.MigrateJSON(ctx, msg.Data(), w.cfg.Model, "", w.to)
	if err != nil {
		w.deadLetter(ctx, msg, meta, core.ErrorMessage(err, nil), core.ErrorType(err))
		return
	}
	subject, err := w.subjectOf(msg, payload)
	if err != nil {
		w.deadLetter(ctx, msg, meta, err.Error(), "subject_panic")
		return
	}
	h := nats.Header{}
	w.opts.propagator.Inject(ctx, headerCarrier(h))
	h.Set(jetstream.MsgIDHeader, msgID(meta))
	if _, err := w.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: payload, Header: h}); err != nil {
		if permanent(err) {
			w.deadLetter(ctx, msg, meta, truncated(err.Error()), "publish")
			return
		}
		w.retry(msg, meta.NumDelivered)
		return
	}
	if err := msg.Ack(); err == nil {
		w.counts.migrated.Add(1)
	}
}

// subjectOf is Config.Subject's subject for the message, given the
// migrated record (decoded only for a Config.Subject of the user's); a
// panic in it is an error.
func (w *Worker) subjectOf(msg jetstream.Msg, payload []byte) (subject string, err error) {
	if w.cfg.Subject == nil {
		return w.subject(msg, nil), nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("Config.Subject panicked")
		}
	}()
	out, derr := core.DecodeJSON(payload)
	if derr != nil {
		return "", derr
	}
	return w.subject(msg, out), nil
}

// permanent reports whether a publish failed for a reason another try
// cannot mend: the migrated record is larger than the server takes.
func permanent(err error) bool {
	return errors.Is(err, nats.ErrMaxPayload) ||
		strings.Contains(err.Error(), "maximum payload exceeded")
}

// maxHeader bounds the text of a header the worker writes.
const maxHeader = 512

// truncated is s, cut to maxHeader bytes (on a rune boundary) with "…".
func truncated(s string) string {
	if len(s) <= maxHeader {
		return s
	}
	n := maxHeader
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// deadLetter publishes the original message to the dead-letter subject
// with headers naming the error, then terminates it. When the server
// refuses it as too large, it is published with fewer headers, and at last
// with none (the original fitted, so it does); if a publish fails for any
// other reason the message is asked for again.
func (w *Worker) deadLetter(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, cause, typ string) {
	h := nats.Header{}
	w.opts.propagator.Inject(ctx, headerCarrier(h))
	h.Set(HeaderError, truncated(cause))
	h.Set(HeaderErrorType, truncated(typ))
	h.Set(HeaderSourceSubject, msg.Subject())
	h.Set(HeaderSourceSequence, strconv.FormatUint(meta.Sequence.Stream, 10))
	h.Set(jetstream.MsgIDHeader, msgID(meta)+":dead-letter")
	minimal := nats.Header{}
	for _, k := range []string{HeaderErrorType, HeaderSourceSequence, jetstream.MsgIDHeader} {
		minimal.Set(k, h.Get(k))
	}
	var err error
	for _, hdr := range []nats.Header{h, minimal, nil} {
		_, err = w.js.PublishMsg(ctx, &nats.Msg{Subject: w.cfg.DeadLetter, Data: msg.Data(), Header: hdr})
		if err == nil || !permanent(err) {
			break
		}
	}
	if err != nil {
		w.retry(msg, meta.NumDelivered)
		return
	}
	if err := msg.Term(); err == nil {
		w.counts.dead.Add(1)
	}
}

// retry asks for the message again after a delay that doubles with each
// delivery.
func (w *Worker) retry(msg jetstream.Msg, delivered uint64) {
	d := w.opts.retryDelay << min(delivered, 16)
	_ = msg.NakWithDelay(min(d, maxRetryDelay))
	w.counts.retried.Add(1)
}

// progress calls the WithProgress function; a panic in it is recovered
// (and the message's outcome stands).
func (w *Worker) progress() {
	if w.opts.progress == nil {
		return
	}
	defer func() { _ = recover() }()
	w.opts.progress(w.Stats())
}

// msgID identifies a source message: the same for every delivery of it.
func msgID(meta *jetstream.MsgMetadata) string {
	return meta.Stream + ":" + strconv.FormatUint(meta.Sequence.Stream, 10)
}

// headerCarrier carries a trace context in NATS headers, whose keys are
// case-sensitive: it writes the keys as the propagator gives them
// ("traceparent"), and reads them in that form or in the canonical one
// ("Traceparent") that http.Header-based carriers write.
type headerCarrier nats.Header

func (c headerCarrier) Get(key string) string {
	if v := nats.Header(c).Get(key); v != "" {
		return v
	}
	return nats.Header(c).Get(textproto.CanonicalMIMEHeaderKey(key))
}

func (c headerCarrier) Set(key, value string) { nats.Header(c).Set(key, value) }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
