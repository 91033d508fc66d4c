// Package jsmigrate upgrades the records of a NATS JetStream stream to a
// model version, with any number of workers sharing the work through one
// durable consumer, and the producer's trace carried through.
//
// A [Worker] consumes a stream through a durable pull consumer (created if
// missing); for each message it decodes the JSON record (numbers exact),
// reads its version from the manager's version key, extracts the trace
// context from the message headers (so the migration's hooks run under
// the producer's span), migrates it with [core.Manager.MigrateTo],
// publishes the upgraded record with the trace context injected and a
// Nats-Msg-Id derived from the source stream and sequence (a redelivered
// message is deduplicated by the server, not published twice), and
// acknowledges the source only once the publish is acknowledged. A record
// that cannot be decoded or migrated goes, unchanged, to the dead-letter
// subject with headers naming the error, and is terminated; a transient
// failure (a publish not acknowledged) is negatively acknowledged with a
// backoff and retried.
//
// Work-queue consumers do not keep a global order: with several workers
// (or WithWorkers > 1), records of one subject may be published out of
// order. docs/streams.md says what to do when order matters.
package jsmigrate
