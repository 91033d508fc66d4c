// Command jetstream upgrades a stream of records on NATS JetStream: it
// starts an embedded JetStream server (file storage in a temporary folder)
// unless NATS_URL names one, publishes 10,000 User 1.0.0 records, each
// under its producer's span, runs two jsmigrate workers that share one
// durable consumer, and prints the counts and the trace of one record,
// from its producer to the migration to the publish. With
// OTEL_EXPORTER_OTLP_ENDPOINT set, the spans go over OTLP instead.
//
//	make demo-stream
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/schollz/progressbar/v3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/jsmigrate"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	n := flag.Int("n", 10000, "records to publish and upgrade")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *n); err != nil {
		fmt.Fprintln(os.Stderr, "jetstream:", err)
		os.Exit(1)
	}
}

// run is the whole demo.
func run(ctx context.Context, w io.Writer, n int) error {
	js, stop, err := connect()
	if err != nil {
		return err
	}
	defer stop()
	if err := createStreams(ctx, js); err != nil {
		return err
	}
	tree, tp, err := tracing(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()
	otel.SetTextMapPropagator(propagation.TraceContext{})

	first, err := publish(ctx, js, tp.Tracer("producer"), n)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "published %d User 1.0.0 records on users.created\n", n)

	m, err := usermodels.NewManager(tp.Tracer("usermodels"), core.WithVersionKey("schema_version"))
	if err != nil {
		return err
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	stats, err := migrate(ctx, js, m, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmigrated %d, dead-lettered %d (the models' empty-name bug: none here), redelivered %d\n",
		stats.Migrated, stats.DeadLettered, stats.Redelivered)
	if err := tp.ForceFlush(ctx); err != nil {
		return err
	}
	if tree == nil {
		fmt.Fprintf(w, "trace %s sent over OTLP\n", first)
		return nil
	}
	return printTrace(w, tree, first)
}

// connect returns a JetStream client of NATS_URL, or of a server started
// in process.
func connect() (jetstream.JetStream, func(), error) {
	url := os.Getenv("NATS_URL")
	var s *server.Server
	var dir string
	if url == "" {
		var err error
		if dir, err = os.MkdirTemp("", "transmute-jetstream"); err != nil {
			return nil, nil, err
		}
		s, err = server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
		if err != nil {
			return nil, nil, err
		}
		go s.Start()
		if !s.ReadyForConnections(10 * time.Second) {
			return nil, nil, errors.New("the embedded NATS server did not start")
		}
		url = s.ClientURL()
	}
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	stop := func() {
		nc.Close()
		if s != nil {
			s.Shutdown()
			os.RemoveAll(dir)
		}
	}
	return js, stop, err
}

// createStreams creates the source, destination and dead-letter streams
// (anew when they exist).
func createStreams(ctx context.Context, js jetstream.JetStream) error {
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "USERS", Subjects: []string{"users.>"}},
		{Name: "USERS_V3", Subjects: []string{"users_v3.>"}, Duplicates: time.Minute},
		{Name: "DEAD", Subjects: []string{"dead.users"}},
	} {
		_ = js.DeleteStream(ctx, cfg.Name)
		if _, err := js.CreateStream(ctx, cfg); err != nil {
			return fmt.Errorf("stream %s: %w", cfg.Name, err)
		}
	}
	return nil
}

// tracing returns a TracerProvider that keeps spans for the console tree,
// or sends them over OTLP when the environment asks for it.
func tracing(ctx context.Context) (*consoletree.Exporter, *sdktrace.TracerProvider, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
		exp, err := otlptracegrpc.New(ctx)
		if err != nil {
			return nil, nil, err
		}
		return nil, sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithMaxQueueSize(1<<17))), nil
	}
	tree := consoletree.New()
	return tree, sdktrace.NewTracerProvider(sdktrace.WithSyncer(tree)), nil
}

// publish sends n User 1.0.0 records, each under a producer span whose
// context travels in the message headers, and returns the first trace.
func publish(ctx context.Context, js jetstream.JetStream, tracer trace.Tracer, n int) (trace.TraceID, error) {
	var first trace.TraceID
	for i := range n {
		pctx, span := tracer.Start(ctx, "publish user")
		if i == 0 {
			first = span.SpanContext().TraceID()
		}
		h := nats.Header{}
		otel.GetTextMapPropagator().Inject(pctx, propagation.HeaderCarrier(h))
		body := fmt.Sprintf(`{"schema_version":"1.0.0","name":"User %d Hopper","email":"u%d@example.com","address":{"street":"1 Main St","city":"Paris"}}`, i, i)
		_, err := js.PublishMsgAsync(&nats.Msg{Subject: "users.created", Data: []byte(body), Header: h})
		span.End()
		if err != nil {
			return first, err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
		return first, nil
	case <-time.After(time.Minute):
		return first, errors.New("publishing timed out")
	}
}

// migrate runs two workers until every record is at the destination.
func migrate(ctx context.Context, js jetstream.JetStream, m *core.Manager, n int) (jsmigrate.Stats, error) {
	bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("migrating"),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := jsmigrate.Config{Stream: "USERS", Consumer: "upgrade", Model: "User", To: core.Latest, DeadLetter: "dead.users"}
	var mu sync.Mutex
	done := 0
	progress := jsmigrate.WithProgress(func(jsmigrate.Stats) {
		mu.Lock()
		done++
		_ = bar.Set(done)
		mu.Unlock()
	})
	workers := make([]*jsmigrate.Worker, 2)
	errs := make(chan error, len(workers))
	for i := range workers {
		w, err := jsmigrate.New(m, js, cfg, jsmigrate.WithWorkers(4), progress)
		if err != nil {
			return jsmigrate.Stats{}, err
		}
		workers[i] = w
		go func() { errs <- w.Run(ctx) }()
	}
	dest, err := js.Stream(ctx, "USERS_V3")
	if err != nil {
		return jsmigrate.Stats{}, err
	}
	for {
		info, err := dest.Info(ctx)
		if err != nil {
			return jsmigrate.Stats{}, err
		}
		if int(info.State.Msgs) >= n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	var total jsmigrate.Stats
	for _, w := range workers {
		if err := <-errs; err != nil {
			return total, err
		}
		s := w.Stats()
		total.Migrated += s.Migrated
		total.DeadLettered += s.DeadLettered
		total.Redelivered += s.Redelivered
	}
	_ = bar.Finish()
	return total, nil
}

// printTrace prints the tree of one record's trace: the producer's span,
// the migration under it, the steps and the nested Address.
func printTrace(w io.Writer, tree *consoletree.Exporter, id trace.TraceID) error {
	var spans []sdktrace.ReadOnlySpan
	for _, s := range tree.Spans() {
		if s.SpanContext().TraceID() == id {
			spans = append(spans, s)
		}
	}
	t := consoletree.Build(spans)
	if len(t.Roots) == 0 {
		return errors.New("the first record's trace has no span")
	}
	fmt.Fprintf(w, "\ntrace %s: producer → migration → publish\n", id)
	return consoletree.Write(w, t.Roots[0])
}
