//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/propagation"
)

// natsServer is a nats-server process (bin/nats-server, built from
// tools/go.mod) with JetStream, file storage kept across restarts.
type natsServer struct {
	t     *testing.T
	bin   string
	port  string
	store string
	cmd   *exec.Cmd
}

func startNATS(t *testing.T) *natsServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	s := &natsServer{t: t, bin: env(t, "NATS_SERVER_BIN"), port: port, store: t.TempDir()}
	s.start()
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *natsServer) url() string { return "nats://127.0.0.1:" + s.port }

func (s *natsServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "-js", "-sd", s.store, "-a", "127.0.0.1", "-p", s.port)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("tcp", "127.0.0.1:"+s.port); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("nats-server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *natsServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Three worker processes share the stream; one is killed with SIGKILL
// mid-run and the server restarts once; every record still arrives
// upgraded exactly once, and one record's trace in Jaeger goes from its
// producer's span to the migration and its steps.
func TestJetStreamWorkersInJaeger(t *testing.T) {
	const n = 3000
	srv := startNATS(t)
	nc, err := nats.Connect(srv.url(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "USERS", Subjects: []string{"users.>"}, Storage: jetstream.FileStorage},
		{Name: "USERS_V3", Subjects: []string{"users_v3.>"}, Storage: jetstream.FileStorage, Duplicates: 5 * time.Minute},
		{Name: "DEAD", Subjects: []string{"dead.users"}, Storage: jetstream.FileStorage},
	} {
		if _, err := js.CreateStream(ctx, cfg); err != nil {
			t.Fatal(err)
		}
	}

	// The producer: each record published under a span of its own.
	producer := serviceName("jsproducer")
	tp := newProvider(t, producer, newExporter(t, env(t, "JAEGER_OTLP_GRPC")))
	tracer := tp.Tracer("producer")
	var firstTrace, firstSpan string
	for i := range n {
		pctx, span := tracer.Start(ctx, "publish user")
		if i == 0 {
			firstTrace, firstSpan = span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
		}
		h := nats.Header{}
		propagation.TraceContext{}.Inject(pctx, propagation.HeaderCarrier(h))
		body := fmt.Sprintf(`{"schema_version":"1.0.0","name":"User%d Hopper","email":"u%d@example.com","address":{"street":"s","city":"c"}}`, i, i)
		if _, err := js.PublishMsgAsync(&nats.Msg{Subject: "users.created", Data: []byte(body), Header: h}); err != nil {
			t.Fatal(err)
		}
		span.End()
	}
	<-js.PublishAsyncComplete()
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	// Three workers.
	bin := buildProgram(t, "cmd/jsworker")
	workerService := serviceName("jsworker")
	var workers []*exec.Cmd
	for range 3 {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "NATS_URL="+srv.url(),
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://"+env(t, "JAEGER_OTLP_GRPC"), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=",
			"OTEL_SERVICE_NAME="+workerService, "OTEL_BSP_MAX_QUEUE_SIZE=65536")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, cmd)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	}
	dest := func() uint64 {
		st, err := js.Stream(ctx, "USERS_V3")
		if err != nil {
			return 0
		}
		info, err := st.Info(ctx)
		if err != nil {
			return 0
		}
		return info.State.Msgs
	}
	wait := func(what string, atLeast uint64) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for dest() < atLeast {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (%d records at the destination)", what, dest())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("the workers to start", n/6)
	if err := workers[0].Process.Kill(); err != nil { // SIGKILL: its messages in flight are redelivered
		t.Fatal(err)
	}
	_, _ = workers[0].Process.Wait()
	killedAt := dest()
	wait("more records", n/2)
	srv.stop() // the server restarts once
	srv.start()
	if killedAt >= n {
		t.Fatalf("the worker was killed after the run (%d records already there): the test proves nothing", killedAt)
	}
	wait("every record", n)
	time.Sleep(500 * time.Millisecond) // a duplicate would land now
	for _, w := range workers[1:] {
		_ = w.Process.Signal(syscall.SIGTERM)
		_ = w.Wait()
	}

	// Exactly once: n messages, n distinct records.
	if got := dest(); got != n {
		t.Fatalf("%d records at the destination, want %d", got, n)
	}
	st, _ := js.Stream(ctx, "USERS_V3")
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(n, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for msg := range batch.Messages() {
		var d map[string]any
		if err := json.Unmarshal(msg.Data(), &d); err != nil || d["schema_version"] != "3.0.0" {
			t.Fatalf("record %s: %v", msg.Data(), err)
		}
		seen[fmt.Sprint(d["first_name"])] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct records, want %d", len(seen), n)
	}

	// The first record's trace: the producer's span, the migration under
	// it (from the worker's service), its steps.
	traces := waitTraces(t, workerService, nil, 30*time.Second, func(tr []jaegerTrace) bool {
		got, ok := traceByID(tr, firstTrace)
		return ok && spanCount([]jaegerTrace{got}, "migrate User") >= 1 && spanCount([]jaegerTrace{got}, "publish user") == 1
	})
	tr, _ := traceByID(traces, firstTrace)
	for _, mig := range all(tr, "migrate User") {
		if mig.parent() != firstSpan {
			t.Errorf("migrate User %s has the parent %s, want the producer's span %s", mig.SpanID, mig.parent(), firstSpan)
		}
		if steps := children(tr, mig.SpanID); len(steps) != 2 {
			t.Errorf("migrate User %s has %d steps, want 2", mig.SpanID, len(steps))
		}
	}
}
