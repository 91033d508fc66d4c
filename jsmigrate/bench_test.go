package jsmigrate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/jsmigrate"
	"github.com/transmute-go/transmute/jsmigrate/internal/benchmodels"
)

func benchManager(b *testing.B) *core.Manager {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	if err := benchmodels.Register(m, "User"); err != nil {
		b.Fatal(err)
	}
	return m
}

// publishBench publishes n records with a traceparent header.
func publishBench(b *testing.B, js jetstream.JetStream, n int) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	for i := range n {
		h := nats.Header{}
		propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(h))
		body := benchmodels.Line(i)
		if _, err := js.PublishMsgAsync(&nats.Msg{Subject: "users.created", Data: []byte(body), Header: h}); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		b.Fatal("publishing timed out")
	}
}

// barePipe is the floor: consume, publish the same payload, acknowledge
// after the publish, with the same concurrency and message IDs.
func barePipe(ctx context.Context, js jetstream.JetStream, workers int) error {
	cons, err := js.CreateOrUpdateConsumer(ctx, "USERS", jetstream.ConsumerConfig{Durable: "bare", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1000})
	if err != nil {
		return err
	}
	msgs, err := cons.Messages(jetstream.PullMaxMessages(2 * workers))
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, msgs.Drain)
	defer stop()
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				msg, err := msgs.Next()
				if err != nil {
					return
				}
				meta, _ := msg.Metadata()
				h := nats.Header{}
				h.Set(jetstream.MsgIDHeader, fmt.Sprint(meta.Stream, ":", meta.Sequence.Stream))
				if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: "users_v3.created", Data: msg.Data(), Header: h}); err == nil {
					_ = msg.Ack()
				}
			}
		}()
	}
	for range workers {
		<-done
	}
	return nil
}

// BenchmarkThroughput moves 4000 records per op through the bare pipe and
// through a Worker (migration of the P1 workload, validation, trace
// propagation), with 4 messages at once each, on a fresh in-process server
// per op. Target: the worker reaches at least 70% of the bare pipe's
// records/s (docs/benchmarks.md).
func BenchmarkThroughput(b *testing.B) {
	const n, workers = 4000, 4
	m := benchManager(b)
	run := func(b *testing.B, pipe func(ctx context.Context, js jetstream.JetStream) error) {
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			s := runServer(b)
			js := connect(b, s)
			setup(b, js, destStream())
			publishBench(b, js, n)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			b.StartTimer()
			start := time.Now()
			go func() { errc <- pipe(ctx, js) }()
			waitFor(b, "every record", func() bool { return streamMsgs(b, js, "USERS_V3") >= n })
			total += time.Since(start)
			b.StopTimer()
			cancel()
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			s.Shutdown()
			b.StartTimer()
		}
		b.ReportMetric(float64(n*b.N)/total.Seconds(), "records/s")
	}
	b.Run("bare", func(b *testing.B) {
		run(b, func(ctx context.Context, js jetstream.JetStream) error { return barePipe(ctx, js, workers) })
	})
	b.Run("worker", func(b *testing.B) {
		run(b, func(ctx context.Context, js jetstream.JetStream) error {
			w, err := jsmigrate.New(m, js, config(), jsmigrate.WithWorkers(workers), jsmigrate.WithPropagator(propagation.TraceContext{}))
			if err != nil {
				return err
			}
			return w.Run(ctx)
		})
	})
}
