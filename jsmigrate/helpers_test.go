package jsmigrate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/core"
)

type userV1 struct {
	Name string `json:"name"`
}

type userV2 struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

type userV3 struct {
	First string `json:"first"`
	Last  string `json:"last"`
	Age   int64  `json:"age" default:"0"`
}

var errNoSpace = errors.New("the name has no space")

// newManager: User 1.0.0 → 2.0.0 (the name split; no space fails it) →
// 3.0.0 (auto), records carrying "schema_version".
func newManager(t testing.TB, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(append([]core.Option{core.WithVersionKey("schema_version")}, opts...)...)
	err := errors.Join(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		core.Register[userV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			first, last, ok := strings.Cut(d["name"].(string), " ")
			if !ok {
				return nil, errNoSpace
			}
			return core.Data{"first": first, "last": last}, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runServer starts a JetStream server in process, file storage in a test
// folder, on a free loopback port.
func runServer(t testing.TB) *server.Server {
	t.Helper()
	return runServerWith(t, 0)
}

// runServerWith is runServer with a maximum payload (0: the default).
func runServerWith(t testing.TB, maxPayload int32) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true, MaxPayload: maxPayload,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// connect returns a JetStream client of s, closed at the end of the test.
func connect(t testing.TB, s *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// setup creates the source stream USERS (users.>), the destination
// USERS_V3 (users_v3.>, deduplicating) and the dead letters DEAD (dead.users).
func setup(t testing.TB, js jetstream.JetStream, dest jetstream.StreamConfig) {
	t.Helper()
	ctx := context.Background()
	for _, cfg := range []jetstream.StreamConfig{
		{Name: "USERS", Subjects: []string{"users.>"}, Storage: jetstream.FileStorage},
		dest,
		{Name: "DEAD", Subjects: []string{"dead.users"}, Storage: jetstream.FileStorage},
	} {
		if _, err := js.CreateStream(ctx, cfg); err != nil {
			t.Fatalf("stream %s: %v", cfg.Name, err)
		}
	}
}

func destStream() jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: "USERS_V3", Subjects: []string{"users_v3.>"}, Storage: jetstream.FileStorage, Duplicates: time.Minute}
}

// publishUsers publishes n version-1.0.0 records "User i Last".
func publishUsers(t testing.TB, js jetstream.JetStream, n int) {
	t.Helper()
	for i := range n {
		body := fmt.Sprintf(`{"schema_version":"1.0.0","name":"User%d Last"}`, i)
		if _, err := js.Publish(context.Background(), "users.created", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
}

// readAll returns every message of a stream.
func readAll(t testing.TB, js jetstream.JetStream, stream string) []jetstream.Msg {
	t.Helper()
	ctx := context.Background()
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(int(info.State.Msgs), jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for msg := range batch.Messages() {
		out = append(out, msg)
	}
	return out
}

// waitFor polls cond for up to 20 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func streamMsgs(t testing.TB, js jetstream.JetStream, name string) uint64 {
	t.Helper()
	st, err := js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func newManagerNoKey(t testing.TB) *core.Manager {
	t.Helper()
	m := core.NewManager()
	if err := core.Register[userV1](m, "User", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	return m
}
