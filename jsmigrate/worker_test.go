package jsmigrate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/jsmigrate"
)

func config() jsmigrate.Config {
	return jsmigrate.Config{Stream: "USERS", Consumer: "upgrade", Model: "User", To: "latest", DeadLetter: "dead.users"}
}

// Three workers, each with its own connection, share the consumer: every
// record arrives upgraded exactly once; one of them is stopped midway and
// loses nothing.
func TestWorkersShareTheStreamExactlyOnce(t *testing.T) {
	const n = 600
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	publishUsers(t, js, n)

	m := newManager(t)
	var wg sync.WaitGroup
	workers := make([]*jsmigrate.Worker, 3)
	cancels := make([]context.CancelFunc, 3)
	for i := range workers {
		w, err := jsmigrate.New(m, connect(t, s), config(), jsmigrate.WithWorkers(2))
		if err != nil {
			t.Fatal(err)
		}
		workers[i] = w
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Go(func() {
			if err := w.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	// Stop the first worker once it has done some of the work.
	waitFor(t, "the first worker to migrate some records", func() bool { return workers[0].Stats().Migrated >= 20 })
	cancels[0]()
	waitFor(t, "every record at the destination", func() bool { return streamMsgs(t, js, "USERS_V3") >= n })
	for _, c := range cancels {
		c()
	}
	wg.Wait()

	seen := map[string]int{}
	for _, msg := range readAll(t, js, "USERS_V3") {
		var d map[string]any
		if err := json.Unmarshal(msg.Data(), &d); err != nil {
			t.Fatal(err)
		}
		if d["schema_version"] != "3.0.0" || d["age"] != 0.0 || msg.Subject() != "users_v3.created" {
			t.Fatalf("record %v on %s", d, msg.Subject())
		}
		seen[fmt.Sprint(d["first"])]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct records at the destination, want %d", len(seen), n)
	}
	for name, c := range seen {
		if c != 1 {
			t.Fatalf("%s arrived %d times", name, c)
		}
	}
	var total jsmigrate.Stats
	for _, w := range workers {
		st := w.Stats()
		total.Migrated += st.Migrated
	}
	if total.Migrated < n {
		t.Errorf("the workers migrated %d, want at least %d", total.Migrated, n)
	}
}

// Records that cannot be decoded or migrated land in the dead-letter
// subject with their original bytes and headers that name the error; they
// are terminated, not redelivered.
func TestDeadLetters(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	bad := map[string]string{
		`{"schema_version":"1.0.0","name":"Plato"}`: "migration_function",
		`{"schema_version":"1.0.0","name":`:         "decode",
		`{"name":"no version"}`:                     "no_version",
		`{"schema_version":"9.0.0","name":"A B"}`:   "model_not_found",
	}
	for body := range bad {
		if _, err := js.Publish(context.Background(), "users.created", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	publishUsers(t, js, 1)
	w, err := jsmigrate.New(newManager(t), js, config())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "the dead letters", func() bool { return w.Stats().DeadLettered == int64(len(bad)) && w.Stats().Migrated == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	dead := readAll(t, js, "DEAD")
	if len(dead) != len(bad) {
		t.Fatalf("%d dead letters, want %d", len(dead), len(bad))
	}
	for _, msg := range dead {
		typ, ok := bad[string(msg.Data())]
		if !ok {
			t.Fatalf("a dead letter's body changed: %q", msg.Data())
		}
		h := msg.Headers()
		if typ != "" && h.Get(jsmigrate.HeaderErrorType) != typ || h.Get(jsmigrate.HeaderError) == "" ||
			h.Get(jsmigrate.HeaderSourceSubject) != "users.created" || h.Get(jsmigrate.HeaderSourceSequence) == "" {
			t.Errorf("dead letter %q: headers %v", msg.Data(), h)
		}
	}
	if st := w.Stats(); st.Redelivered != 0 || st.Received != int64(len(bad)+1) {
		t.Errorf("stats %+v: a terminated record was delivered again", st)
	}
}

// When the destination rejects the publish (a full stream that discards
// new messages), nothing is acknowledged: the records stay in the
// consumer, retried, and none is lost.
func TestNothingAckedWhenPublishFails(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	full := destStream()
	full.MaxMsgs, full.Discard = 2, jetstream.DiscardNew
	setup(t, js, full)
	publishUsers(t, js, 5)
	w, err := jsmigrate.New(newManager(t), js, config(), jsmigrate.WithRetryDelay(10_000_000))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "retries", func() bool { return w.Stats().Retried >= 3 && w.Stats().Migrated == 2 })
	cancel()
	<-done
	cons, err := js.Consumer(context.Background(), "USERS", "upgrade")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 2 || info.NumPending+uint64(info.NumAckPending)+uint64(info.NumRedelivered) == 0 {
		t.Fatalf("ack floor %d (want the 2 published), pending %d, ack pending %d", info.AckFloor.Stream, info.NumPending, info.NumAckPending)
	}
}

func TestNewChecksItsConfig(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	m := newManager(t)
	for name, cfg := range map[string]jsmigrate.Config{
		"no stream":      {Consumer: "c", Model: "User", To: "3.0.0", DeadLetter: "d"},
		"no dead letter": {Stream: "S", Consumer: "c", Model: "User", To: "3.0.0"},
		"bad version":    {Stream: "S", Consumer: "c", Model: "User", To: "3.x", DeadLetter: "d"},
		"unknown model":  {Stream: "S", Consumer: "c", Model: "Nope", To: "latest", DeadLetter: "d"},
	} {
		if _, err := jsmigrate.New(m, js, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := jsmigrate.New(newManagerNoKey(t), js, config()); err == nil {
		t.Error("a manager without a version key was accepted")
	}
	if got := jsmigrate.DefaultSubject("users.created.eu", 3); got != "users_v3.created.eu" {
		t.Errorf("DefaultSubject = %q", got)
	}
}

// Run fails when the stream does not exist; WithProgress reports the
// counts after each message.
func TestRunErrorsAndProgress(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	cfg := config()
	cfg.Stream = "NOPE"
	w, err := jsmigrate.New(newManager(t), js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(context.Background()); err == nil {
		t.Fatal("Run on a missing stream returned nil")
	}

	setup(t, js, destStream())
	publishUsers(t, js, 5)
	var mu sync.Mutex
	var seen []jsmigrate.Stats
	w, err = jsmigrate.New(newManager(t), js, config(), jsmigrate.WithProgress(func(st jsmigrate.Stats) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "five records", func() bool { return w.Stats().Migrated == 5 })
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 5 || seen[len(seen)-1].Migrated < 4 {
		t.Fatalf("progress reported %v", seen)
	}
}
