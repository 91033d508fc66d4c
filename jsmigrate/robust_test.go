package jsmigrate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/jsmigrate"
)

// runWorker runs w until cancel or the test's cleanup; wait returns
// Run's result.
func runWorker(t *testing.T, w *jsmigrate.Worker) (cancel context.CancelFunc, wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	ended := make(chan struct{})
	go func() { err = w.Run(ctx); close(ended) }()
	wait = func() error { <-ended; return err }
	t.Cleanup(func() { cancel(); <-ended })
	return cancel, wait
}

// A consumer the user made is used as it is: its filter, ack wait and
// limits stand, and a worker on shard 1 never sees shard 2.
func TestExistingConsumerIsUsedAsIs(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	ctx := context.Background()
	want := jetstream.ConsumerConfig{
		Durable: "upgrade", AckPolicy: jetstream.AckExplicitPolicy,
		MaxAckPending: 1, FilterSubject: "users.created.shard1", AckWait: 2 * time.Minute,
	}
	if _, err := js.CreateConsumer(ctx, "USERS", want); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		shard := 1 + i%2
		body := fmt.Sprintf(`{"schema_version":"1.0.0","name":"User%d Shard%d"}`, i, shard)
		if _, err := js.Publish(ctx, fmt.Sprintf("users.created.shard%d", shard), []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := jsmigrate.New(newManager(t), js, config())
	if err != nil {
		t.Fatal(err)
	}
	cancel, wait := runWorker(t, w)
	waitFor(t, "shard 1's records", func() bool { return w.Stats().Migrated == 3 })
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	for _, msg := range readAll(t, js, "USERS_V3") {
		if !strings.Contains(string(msg.Data()), "Shard1") {
			t.Errorf("a record of another shard was migrated: %s", msg.Data())
		}
	}
	cons, err := js.Consumer(ctx, "USERS", "upgrade")
	if err != nil {
		t.Fatal(err)
	}
	got := cons.CachedInfo().Config
	if got.MaxAckPending != 1 || got.FilterSubject != want.FilterSubject || got.AckWait != want.AckWait {
		t.Fatalf("the consumer was changed: %+v", got)
	}
}

// A consumer deleted mid-run is an error of Run, not a clean end.
func TestRunFailsWhenTheConsumerIsDeleted(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	publishUsers(t, js, 3)
	w, err := jsmigrate.New(newManager(t), js, config())
	if err != nil {
		t.Fatal(err)
	}
	_, wait := runWorker(t, w)
	waitFor(t, "the records", func() bool { return w.Stats().Migrated == 3 })
	if err := js.DeleteConsumer(context.Background(), "USERS", "upgrade"); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err == nil {
		t.Fatal("Run returned nil after its consumer was deleted")
	}
}

// Failures another try cannot mend are dead-lettered at once: a migrated
// record larger than the server's max payload, and a huge invalid version
// (its header is bounded, and value-free).
func TestPermanentFailuresAreDeadLettered(t *testing.T) {
	big := `{"schema_version":"1.0.0","name":"A ` + strings.Repeat("b", 3000) + `"}`
	s := runServerWith(t, int32(len(big)+10)) // the migrated record, with its headers, is larger
	js := connect(t, s)
	setup(t, js, destStream())
	ctx := context.Background()
	hugeVersion := `{"schema_version":"` + strings.Repeat("9", 2500) + `x","name":"A B"}`
	for _, body := range []string{big, hugeVersion} {
		if _, err := js.Publish(ctx, "users.created", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := jsmigrate.New(newManager(t), js, config(), jsmigrate.WithRetryDelay(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, w)
	waitFor(t, "two dead letters", func() bool { return w.Stats().DeadLettered == 2 })
	if st := w.Stats(); st.Retried != 0 {
		t.Errorf("permanent failures were retried: %+v", st)
	}
	dead := readAll(t, js, "DEAD")
	bodies := map[string]bool{}
	for _, msg := range dead {
		bodies[string(msg.Data())] = true
	}
	if len(dead) != 2 || !bodies[big] || !bodies[hugeVersion] {
		t.Fatalf("%d dead letters, the originals kept: %v", len(dead), len(bodies))
	}
	types := map[string]bool{}
	for _, msg := range dead {
		h := msg.Headers()
		types[h.Get(jsmigrate.HeaderErrorType)] = true
		if e := h.Get(jsmigrate.HeaderError); len(e) > 520 || strings.Contains(e, "99999999999") {
			t.Errorf("header %s: %d bytes: %.80s", jsmigrate.HeaderError, len(e), e)
		}
	}
	if !types["invalid_version"] { // the large one may have no headers left
		t.Errorf("dead letter types %v", types)
	}
}

// A panic in Config.Subject dead-letters that message; a panic in the
// WithProgress function is recovered. Neither stops the worker.
func TestPanicsInUserFunctions(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	setup(t, js, destStream())
	publishUsers(t, js, 4)
	cfg := config()
	cfg.Subject = func(_ jetstream.Msg, out core.Data) string {
		if out["first"] == "User2" {
			panic("poison")
		}
		return "users_v3.created"
	}
	w, err := jsmigrate.New(newManager(t), js, cfg, jsmigrate.WithProgress(func(jsmigrate.Stats) { panic("progress") }))
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, w)
	waitFor(t, "the records", func() bool { st := w.Stats(); return st.Migrated == 3 && st.DeadLettered == 1 })
	dead := readAll(t, js, "DEAD")
	if len(dead) != 1 || dead[0].Headers().Get(jsmigrate.HeaderErrorType) != "subject_panic" {
		t.Fatalf("dead letters %v", dead)
	}
}
