package jsmigrate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/jsmigrate"
)

// The census of a real stream: every message counted once by the version
// it carries, the subjects filtered, the registered versions no message
// holds listed, nothing acknowledged or left behind.
func TestCensus(t *testing.T) {
	s := runServer(t)
	js := connect(t, s)
	ctx := t.Context()
	m := newManager(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "USERS", Subjects: []string{"users.>"}}); err != nil {
		t.Fatal(err)
	}

	// An empty stream: nothing counted, every version unused, no wait.
	got, err := jsmigrate.Census(ctx, js, m, "User", "USERS")
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 0 || len(got.Unused) != 3 {
		t.Fatalf("empty: %+v", got)
	}

	for subject, payloads := range map[string][]string{
		"users.eu": {`{"schema_version":"1.0.0","name":"A B"}`, `{"schema_version":"1.0.0","name":"C D"}`, `{"schema_version":"2.0.0","first":"E","last":"F"}`, `{"name":"no version"}`},
		"users.us": {`{"schema_version":"1.0.0","name":"G H"}`, `not json`},
	} {
		for _, p := range payloads {
			if _, err := js.Publish(ctx, subject, []byte(p)); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err = jsmigrate.Census(ctx, js, m, "User", "USERS")
	if err != nil {
		t.Fatal(err)
	}
	want := core.ModelCensus{Model: "User", Total: 6, NoVersion: 1, Invalid: 1, Unused: []string{"3.0.0"},
		Versions: []core.VersionCount{{Version: "1.0.0", Count: 3, Registered: true}, {Version: "2.0.0", Count: 1, Registered: true}}}
	if !equalCensus(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// One subject only.
	got, err = jsmigrate.Census(ctx, js, m, "User", "USERS", "users.us")
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 2 || got.Invalid != 1 || got.Versions[0].Count != 1 {
		t.Fatalf("users.us: %+v", got)
	}

	// More messages than one pull brings: every one counted, once.
	for range 1500 {
		if _, err := js.PublishAsync("users.eu", []byte(`{"schema_version":"3.0.0","first":"A","last":"B","age":1}`)); err != nil {
			t.Fatal(err)
		}
	}
	<-js.PublishAsyncComplete()
	got, err = jsmigrate.Census(ctx, js, m, "User", "USERS")
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 1506 || got.Versions[2].Version != "3.0.0" || got.Versions[2].Count != 1500 || len(got.Unused) != 0 {
		t.Fatalf("after 1500 more: %+v", got)
	}

	// Nothing was acknowledged or left: the stream holds every message,
	// and no consumer remains but the ordered ones' (deleted at once).
	info, err := js.Stream(ctx, "USERS")
	if err != nil {
		t.Fatal(err)
	}
	if si, _ := info.Info(ctx); si.State.Msgs != 1506 {
		t.Errorf("the stream holds %d messages", si.State.Msgs)
	}

	// A stream that does not exist is an error; a ctx that ends stops it.
	if _, err := jsmigrate.Census(ctx, js, m, "User", "NOPE"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("no stream: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := jsmigrate.Census(done, js, m, "User", "USERS"); err == nil {
		t.Error("a canceled ctx gave a census")
	}
}

func equalCensus(a, b core.ModelCensus) bool {
	if a.Model != b.Model || a.Total != b.Total || a.NoVersion != b.NoVersion || a.Invalid != b.Invalid || len(a.Versions) != len(b.Versions) || len(a.Unused) != len(b.Unused) {
		return false
	}
	for i := range a.Versions {
		if a.Versions[i] != b.Versions[i] {
			return false
		}
	}
	for i := range a.Unused {
		if a.Unused[i] != b.Unused[i] {
			return false
		}
	}
	return true
}
