package jsmigrate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/jsmigrate"
)

// Upgrade the User records of a stream: a worker reads USERS and publishes
// each record at 2.0.0 to users_v2.* (an embedded server stands in for
// yours here).
func Example() {
	dir, _ := os.MkdirTemp("", "jsmigrate-example")
	defer os.RemoveAll(dir)
	srv, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	go srv.Start()
	srv.ReadyForConnections(10 * time.Second)
	defer srv.Shutdown()
	nc, _ := nats.Connect(srv.ClientURL())
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	_, _ = js.CreateStream(ctx, jetstream.StreamConfig{Name: "USERS", Subjects: []string{"users.>"}})
	_, _ = js.CreateStream(ctx, jetstream.StreamConfig{Name: "USERS_V2", Subjects: []string{"users_v2.>"}})
	_, _ = js.Publish(ctx, "users.created", []byte(`{"schema_version":"1.0.0","name":"Ada Lovelace"}`))

	// The models: records carry their version in "schema_version".
	type userV1 struct {
		Name string `json:"name"`
	}
	type userV2 struct {
		First string `json:"first"`
		Last  string `json:"last"`
	}
	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name is %T, not a string", d["name"])
			}
			first, last, _ := strings.Cut(name, " ")
			return core.Data{"first": first, "last": last}, nil
		}),
	)
	if err != nil {
		panic(err)
	}

	w, err := jsmigrate.New(m, js, jsmigrate.Config{
		Stream: "USERS", Consumer: "upgrade", Model: "User", To: core.Latest, DeadLetter: "dead.users",
	})
	if err != nil {
		panic(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- w.Run(runCtx) }()
	for w.Stats().Migrated == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done

	st, _ := js.Stream(ctx, "USERS_V2")
	msg, _ := st.GetMsg(ctx, 1)
	fmt.Println(msg.Subject, string(msg.Data))
	// Output:
	// users_v2.created {"first":"Ada","last":"Lovelace","schema_version":"2.0.0"}
}
