// Command jsworker runs one jsmigrate worker on the examples' models: it
// upgrades the User records of the stream USERS (consumer "upgrade") to
// the latest version, publishing them to users_v3.* and the bad ones to
// dead.users. Run as many as the stream needs. NATS_URL names the server;
// with OTEL_EXPORTER_OTLP_ENDPOINT set, the migrations are traced over OTLP
// under their producers' spans. SIGINT or SIGTERM stops it after the
// messages in flight; it prints its counts as JSON on exit.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/usermodels"
	"github.com/transmute-go/transmute/jsmigrate"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "jsworker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	nc, err := nats.Connect(os.Getenv("NATS_URL"), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider()
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
		exp, err := otlptracegrpc.New(ctx)
		if err != nil {
			return err
		}
		tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(sctx)
	}()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	m, err := usermodels.NewManager(tp.Tracer("jsworker"), core.WithVersionKey("schema_version"))
	if err != nil {
		return err
	}
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(tp)))
	w, err := jsmigrate.New(m, js, jsmigrate.Config{
		Stream: "USERS", Consumer: "upgrade", Model: "User", To: core.Latest, DeadLetter: "dead.users",
	}, jsmigrate.WithWorkers(2))
	if err != nil {
		return err
	}
	// The server may restart: run again until told to stop.
	for ctx.Err() == nil {
		if err := w.Run(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "jsworker:", err, "(retrying)")
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	b, _ := json.Marshal(w.Stats())
	fmt.Println(string(b))
	return nil
}
