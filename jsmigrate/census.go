package jsmigrate

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/transmute-go/transmute/core"
)

// Census counts the records of model in a stream by the version they
// carry in the manager's version key ([core.Census]): which versions are
// still in the stream, and which registered versions no message holds
// ("can 1.0.0 be dropped?"). It reads every message of the stream (of
// the subjects given, or all) with an ordered consumer of its own, which
// acknowledges nothing and leaves no trace, up to the message that was
// last when it caught up; it reads only each message's version key where
// it can. ctx bounds the whole read.
func Census(ctx context.Context, js jetstream.JetStream, m *core.Manager, model, stream string, subjects ...string) (core.ModelCensus, error) {
	c := core.NewCensus(m)
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: subjects})
	if err != nil {
		return core.ModelCensus{}, fmt.Errorf("jsmigrate: census of %q: %w", stream, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return core.ModelCensus{}, fmt.Errorf("jsmigrate: census of %q: %w", stream, err)
	}
	if info.NumPending > 0 {
		if err := countAll(ctx, cons, c, model); err != nil {
			return core.ModelCensus{}, fmt.Errorf("jsmigrate: census of %q: %w", stream, err)
		}
	}
	return c.Result(model)[0], nil
}

// countAll counts the messages of cons until the one with nothing pending
// after it.
func countAll(ctx context.Context, cons jetstream.Consumer, c *core.Census, model string) error {
	it, err := cons.Messages()
	if err != nil {
		return err
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		c.AddJSON(model, msg.Data())
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		if meta.NumPending == 0 {
			return nil
		}
	}
}
