// Package audit writes an audit trail of migrations: one JSON line per
// finished migration, to any [io.Writer] ([New]) or appended to a file
// ([Open]). A [Trail] is a [core.Hook]; add it to a manager and close it
// when done:
//
//	trail, err := audit.Open("migrations.log")
//	if err != nil { ... }
//	defer trail.Close()
//	m.AddHook(trail)
//
// # Lines
//
// Each line is a JSON object with these fields, in this order:
//
//	timestamp      when the migration finished, RFC 3339 with nanoseconds, UTC
//	model          the model name
//	from_version   the input version, "MAJOR.MINOR.PATCH"
//	to_version     the target version
//	status         "success" or "error"
//	original_keys  success only: the input's top-level keys, sorted
//	migrated_keys  success only: the result's top-level keys, sorted
//	error_type     error only: core.ErrorType of the error ("validation", ...)
//	error_message  error only: the error's message
//	data_keys      error only: the input's top-level keys, sorted
//	duration_ms    the migration's duration, core.Event.Elapsed (from its start
//	               to the line when ValidateMigration writes it), in ms
//	trace_id       with [WithTraceIDs], when the ctx carries a span
//	span_id        with [WithTraceIDs], when the ctx carries a span
//	values         with [WithValues] only: the values under the line's keys
//
// The key lists are always present for their status (an empty list is
// []). Values are never written unless [WithValues] asks for them, and
// then through a redactor. [Read] and [Entries] parse a trail back into
// [Entry] values.
//
// Every migration that runs hooks gets exactly one line, nested
// migrations (a model inside another, migrated by an auto-migration)
// included: the inner line comes first, as it finishes first. A migration
// from a version to itself runs no hooks and has no line. An error line's
// error_message is the error's value-free text ([core.ErrorMessage]: the
// engine's own words, with the text of a migration function's error, a
// panic value or a Validator's error withheld); its whole text, which may
// quote values, is written only with WithValues([core.KeepValues]).
//
// # Nothing lost
//
// Each line is encoded outside any lock and handed to the writer whole, in
// one Write call (with [WithAsync], one Write call for a batch of whole
// lines), so concurrent migrations never interleave. By default the
// write is synchronous, under a mutex: when the migration's hooks return,
// its line is in the writer. A [Trail] made by [Open] writes to the file
// with no buffer of its own (one write(2) per line, O_APPEND), so a crash
// of the process loses nothing; [WithSyncEvery] also bounds what a crash of
// the machine can lose. To trade that for speed, pass a *bufio.Writer to
// [New]: [Trail.Close] and [Trail.Sync] flush it.
//
// A line that cannot be written never fails the migration: it goes to the
// error handler ([WithErrorHandler]; the default logs with log/slog) as a
// *[WriteError], and [Trail.Dropped] counts it. A migration that finishes
// after [Trail.Close] is dropped the same way, with [ErrClosed]. [WithFailOnWriteError]
// turns this around for successes: the line is written (and flushed) in
// ValidateMigration, before the migration reports success, and a failed
// write fails the migration.
//
// [WithAsync] moves the writes to a goroutine behind a bounded queue: the
// migration only encodes its line and queues it, holding no lock while a
// write is in flight, and a full queue drops the line (counted, reported
// with [ErrQueueFull]) rather than wait. [Trail.Close] drains the queue.
//
// # Reading a trail
//
// [Read] parses a whole trail into [Entry] values and stops at the first
// line that is not an entry (the partial last line of a crashed process);
// [Entries] iterates and goes on after such a line. Both are what tests
// and tools use to check a trail; the format is plain JSON lines, so jq
// and any log pipeline read it too.
package audit
