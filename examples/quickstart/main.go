// Command quickstart is the transmute demo (`make demo`): it migrates a
// few thousand generated User records from 1.0.0 to 3.0.0 as one batch,
// with every hook at work, and shows what each of them saw.
//
//   - otelhook traces every migration: a span per migration, a child per
//     step, the nested Address migration under its parent's step, all
//     under the batch's span. The trace of one migration is printed as a
//     tree (by an in-process exporter: nothing to install), or, when
//     OTEL_EXPORTER_OTLP_ENDPOINT is set, sent over OTLP gRPC to Jaeger
//     or Tempo instead (the usual OTEL_* variables apply; an http://
//     endpoint is plaintext).
//   - metricshook counts and times the migrations: its table is printed
//     at the end.
//   - audit writes one JSON line per migration (nested ones included) to a
//     file whose path is printed, with the trace and span IDs of each.
//   - hooks.NewLogger logs each migration with log/slog to a file (so the
//     terminal shows the progress bar, not thousands of lines).
//
// The step User 1.0.0 → 2.0.0 is a typed migration (core.RegisterTyped:
// a Go function from UserV1 to UserV2). A few records are broken on
// purpose: an empty name makes the function panic; a name that is not a
// string, a missing email or a city that is a number does not fit UserV1,
// so the step fails before the function runs. The batch goes on
// (WithContinueOnError) and the failures show up in the table, the trace,
// the audit trail and the log.
//
// Usage:
//
//	go run ./quickstart [-n 5000] [-workers 2] [-seed 1] [-audit FILE] [-log FILE]
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./quickstart
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/transmute-go/transmute/audit"
	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/examples/internal/consoletree"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
	"github.com/transmute-go/transmute/otelhook"
	"github.com/transmute-go/transmute/schema"
)

// config is what run needs; main fills it from the flags and the
// environment.
type config struct {
	Records  int    // how many User 1.0.0 records to generate and migrate
	Workers  int    // core.WithWorkers
	Seed     uint64 // the generator's seed: the same seed, the same records
	BadEvery int    // one record in BadEvery is broken on purpose; 0 for none

	AuditPath string // the audit trail, replaced at each run
	LogPath   string // the slog log of the migrations, replaced at each run
	SchemaDir string // the JSON Schema of every model version, rewritten at each run

	// OTLP sends the traces over OTLP gRPC, configured by the standard
	// OTEL_EXPORTER_OTLP_* variables, instead of printing one as a tree.
	OTLP bool
	// ServiceName is the service.name of the traces (OTEL_SERVICE_NAME
	// overrides it).
	ServiceName string
	// Interactive says that the output is a terminal: a live progress bar
	// and colours. Otherwise the output is plain text, fit for a log.
	Interactive bool
}

func defaultConfig() config {
	dir := filepath.Join(os.TempDir(), "transmute-quickstart")
	return config{
		Records:     5000,
		Workers:     2,
		Seed:        1,
		BadEvery:    500,
		AuditPath:   filepath.Join(dir, "audit.jsonl"),
		LogPath:     filepath.Join(dir, "migrations.log"),
		SchemaDir:   filepath.Join(dir, "schemas"),
		ServiceName: "transmute-quickstart",
	}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Records, "n", cfg.Records, "number of records to migrate")
	flag.IntVar(&cfg.Workers, "workers", cfg.Workers, "number of records migrated at once")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the record generator")
	flag.IntVar(&cfg.BadEvery, "bad-every", cfg.BadEvery, "break one record in this many on purpose (0: none)")
	flag.StringVar(&cfg.AuditPath, "audit", cfg.AuditPath, "audit trail file (JSON lines), replaced at each run")
	flag.StringVar(&cfg.LogPath, "log", cfg.LogPath, "log file of the migrations, replaced at each run")
	flag.StringVar(&cfg.SchemaDir, "schemas", cfg.SchemaDir, "folder of the models' JSON Schema files, rewritten at each run")
	flag.Parse()
	cfg.OTLP = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	cfg.Interactive = isTerminal(os.Stdout) && os.Getenv("TERM") != "dumb" && os.Getenv("NO_COLOR") == ""

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// flushTimeout bounds the time spent sending the last spans at the end:
// an unreachable collector costs at most this, never a failed run.
const flushTimeout = 5 * time.Second

// run is the whole demo, writing what it shows to w. Broken records are
// expected (their failures are shown); run fails only when the demo
// itself cannot run (a file it cannot create, say).
func run(ctx context.Context, w io.Writer, cfg config) (err error) {
	if cfg.Records < 0 || cfg.Workers < 1 || cfg.BadEvery < 0 {
		return fmt.Errorf("invalid config: %d records, %d workers, one bad record every %d", cfg.Records, cfg.Workers, cfg.BadEvery)
	}
	out := &printer{w: w, color: cfg.Interactive}

	// 1. The log and the audit trail, fresh for each run.
	logFile, err := create(cfg.LogPath)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, logFile.Close()) }()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := truncate(cfg.AuditPath); err != nil {
		return err
	}
	trail, err := audit.Open(cfg.AuditPath,
		audit.WithErrorHandler(func(err error) { logger.Error("audit", "error", err) }),
		audit.WithTraceIDs(spanIDs))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, trail.Close()) }()

	// 2. The OpenTelemetry SDK: spans go to the console tree (kept in
	// memory, synchronously, so that none is dropped) or over OTLP.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(cfg.ServiceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithTelemetrySDK())
	if err != nil {
		return err
	}
	var tree *consoletree.Exporter
	var spans sdktrace.TracerProviderOption
	if cfg.OTLP {
		exp, err := otlptracegrpc.New(ctx) // endpoint, TLS, headers... from OTEL_EXPORTER_OTLP_*
		if err != nil {
			return err
		}
		// One batch makes one trace of thousands of spans: a queue large
		// enough for them (OTEL_BSP_MAX_QUEUE_SIZE still decides when set).
		var opts []sdktrace.BatchSpanProcessorOption
		if os.Getenv("OTEL_BSP_MAX_QUEUE_SIZE") == "" {
			opts = append(opts, sdktrace.WithMaxQueueSize(1<<16))
		}
		spans = sdktrace.WithBatcher(exp, opts...)
	} else {
		tree = consoletree.New()
		spans = sdktrace.WithSyncer(tree)
	}
	tp := sdktrace.NewTracerProvider(spans, sdktrace.WithResource(res))
	// flush sends the spans still queued and stops the provider. It is
	// bounded: a collector that is down must not hang the demo (the SDK
	// logs the export errors to stderr).
	flush := func() error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
		defer cancel()
		return tp.Shutdown(ctx)
	}
	defer func() { _ = flush() }() // on an early return; a no-op after step 5
	tracer := tp.Tracer("github.com/transmute-go/transmute/examples/quickstart")

	// 3. The models, the migration function and the hooks.
	m, err := newManager(tracer, func(err error) { logger.Error("transmute", "error", err) })
	if err != nil {
		return err
	}
	metrics := metricshook.New()
	addHooks(m, tp, metrics, trail, logger)

	// 4. Migrate the records as one batch, under a span of our own: the
	// batch's span, and every migration's, are its children.
	records := generate(cfg.Records, cfg.Seed, cfg.BadEvery)
	out.title(fmt.Sprintf("transmute quickstart: %d User records, 1.0.0 → 3.0.0, %d workers", len(records), cfg.Workers))
	progress := out.progress(len(records))
	ctx, root := tracer.Start(ctx, "quickstart", trace.WithAttributes(attribute.Int("records", len(records))))
	start := time.Now()
	_, batchErr := m.MigrateBatch(ctx, records, "User", "1.0.0", "3.0.0",
		core.WithWorkers(cfg.Workers),
		core.WithContinueOnError(),
		core.WithProgress(progress))
	elapsed := time.Since(start)
	root.End()
	var failed *core.BatchError
	if batchErr != nil && !errors.As(batchErr, &failed) {
		return batchErr // not a record's failure: the demo itself failed
	}
	out.summary(len(records), failed, elapsed)

	// 5. Flush the spans and the audit trail.
	flushErr := flush()
	if err := trail.Sync(); err != nil {
		return err
	}

	// 6. What the hooks saw.
	out.section("metrics (metricshook)")
	if err := metrics.WriteTable(w); err != nil {
		return err
	}
	traceID := root.SpanContext().TraceID()
	if tree != nil {
		out.section("trace " + traceID.String() + " (otelhook)")
		shown, err := out.trace(tree.Spans(), traceID)
		if err != nil {
			return err
		}
		if err := out.auditLine(cfg.AuditPath, shown); err != nil {
			return err
		}
		fmt.Fprintln(w, out.paint("\x1b[2m", "\nIn Jaeger or Tempo instead: OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 make demo"))
	} else {
		out.section("trace")
		endpoint := cmp.Or(os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
		service, _ := res.Set().Value(semconv.ServiceNameKey)
		if flushErr != nil {
			fmt.Fprintf(w, "trace %s, service %s: not every span could be sent over OTLP gRPC to %s (%v)\n", traceID, service.String(), endpoint, flushErr)
		} else {
			fmt.Fprintf(w, "sent over OTLP gRPC to %s: trace %s, service %s\n", endpoint, traceID, service.String())
		}
	}

	// 7. The models' schemas, for the services that do not read Go, and
	// what changed between the first and the last User.
	schemas, err := schema.Dump(m, cfg.SchemaDir, schema.FormatJSON)
	if err != nil {
		return err
	}
	diff, err := schema.Compare(m, "User", "1.0.0", "3.0.0")
	if err != nil {
		return err
	}
	out.section("User 1.0.0 → 3.0.0 (schema.Compare)")
	fmt.Fprint(w, diff.Markdown())

	out.section("files")
	fmt.Fprintf(w, "audit trail: %s (%d lines, one per migration; nested ones included)\n", cfg.AuditPath, trail.Written())
	fmt.Fprintf(w, "log:         %s\n", cfg.LogPath)
	fmt.Fprintf(w, "schemas:     %s (%d JSON Schema files; schema.Dump writes Avro, proto, TypeScript and Zod too)\n", cfg.SchemaDir, len(schemas))
	return nil
}

// addHooks adds the demo's hooks to m. Order matters for one thing: the
// audit trail and the logger come after otelhook, so that the ctx they
// get carries the migration's span.
func addHooks(m *core.Manager, tp trace.TracerProvider, metrics *metricshook.Hook, trail *audit.Trail, logger *slog.Logger) {
	m.AddHook(
		// Its metrics go to the global MeterProvider: a no-op here (the
		// table below is metricshook's); see examples/prometheus.
		otelhook.New(otelhook.WithTracerProvider(tp)),
		metrics,
		trail,
		hooks.NewLogger(logger), // completions at Info, failures at Error
	)
}

// spanIDs gives each audit line the trace and span IDs of its migration:
// a line of the trail leads to the migration's span, and back.
func spanIDs(ctx context.Context) (traceID, spanID string, ok bool) {
	sc := trace.SpanContextFromContext(ctx)
	return sc.TraceID().String(), sc.SpanID().String(), sc.IsValid()
}

// create creates (or truncates) the file at path, and its directory.
func create(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// truncate creates (or empties) the file at path, and its directory, and
// closes it.
func truncate(path string) error {
	f, err := create(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// lineWidth is the width the output fits in (the tree wraps its long
// lines to it).
const lineWidth = 120

// printer writes the demo's output, plain or coloured.
type printer struct {
	w     io.Writer
	color bool
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + "\x1b[0m"
}

func (p *printer) title(s string) { fmt.Fprintln(p.w, p.paint("\x1b[1m", s)) }

func (p *printer) section(s string) {
	fmt.Fprintf(p.w, "\n%s\n", p.paint("\x1b[1m", "── "+s+" "+strings.Repeat("─", max(0, lineWidth-4-len([]rune(s))))))
}

// progress returns the core.WithProgress function: a live bar on a
// terminal, nothing otherwise (the summary line follows either way).
func (p *printer) progress(total int) func(core.Progress) {
	if !p.color || total == 0 {
		return nil
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("migrating"),
		progressbar.OptionSetWidth(40),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "█", SaucerPadding: "░", BarStart: "▕", BarEnd: "▏"}))
	return func(pr core.Progress) {
		_ = bar.Set(pr.Done) // calls are serialised by the engine
	}
}

// summary prints how the batch went and the first failures.
func (p *printer) summary(total int, failed *core.BatchError, elapsed time.Duration) {
	var items []*core.ItemError
	if failed != nil {
		items = failed.Items
	}
	n := len(items)
	fmt.Fprintf(p.w, "migrated %d records in %s: %d succeeded, %s\n",
		total, consoletree.Duration(elapsed), total-n, p.paint("\x1b[31m", fmt.Sprintf("%d failed", n)))
	const show = 4
	for i, it := range items {
		if i == show {
			fmt.Fprintf(p.w, "  … and %d more (see the audit trail)\n", n-show)
			break
		}
		fmt.Fprintf(p.w, "  record %-5d %-19s %s\n", it.Index, core.ErrorType(it), cause(it))
	}
}

// cause describes why an item failed, in short: which step (or the
// whole migration, for a validation) and the innermost cause.
func cause(err error) string {
	var me *core.MigrationError
	if !errors.As(err, &me) || me.Err == nil {
		return err.Error()
	}
	var pe *core.PanicError
	if errors.As(me.Err, &pe) {
		return fmt.Sprintf("%s %s → %s: panic: %v", me.Model, me.From, me.To, pe.Value)
	}
	return fmt.Sprintf("%s %s → %s: %v", me.Model, me.From, me.To, me.Err)
}

// trace prints the trace as a tree: the run's span, the batch's span and,
// of the thousands of migrations under it, the first that succeeded and
// the first that failed. It returns the failed migration's node.
func (p *printer) trace(spans []sdktrace.ReadOnlySpan, id trace.TraceID) (*consoletree.Node, error) {
	var mine []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanContext().TraceID() == id {
			mine = append(mine, s)
		}
	}
	t := consoletree.Build(mine)
	batch := t.Find(consoletree.Named("migrate.batch User"))
	if batch == nil || len(t.Roots) == 0 {
		return nil, errors.New("the trace has no batch span")
	}
	var ok, bad *consoletree.Node
	for _, c := range batch.Children {
		switch {
		case ok == nil && c.Span.Status().Code != codes.Error && c.Has(consoletree.Named("migrate Address")):
			ok = c
		case bad == nil && c.Span.Status().Code == codes.Error:
			bad = c
		}
	}
	err := consoletree.Write(p.w, t.Roots[0],
		consoletree.ShowChildren(func(c *consoletree.Node) bool { return c.Parent != batch || c == ok || c == bad }),
		consoletree.Attributes(
			string(otelhook.VersionFromKey), string(otelhook.VersionToKey),
			string(otelhook.StepsKey), string(otelhook.StepAutoKey),
			string(otelhook.BatchSizeKey), string(otelhook.BatchSucceededKey), string(otelhook.BatchFailedKey),
			"error.type", "records"),
		consoletree.TrimKeyPrefix("migration."),
		consoletree.Width(lineWidth),
		consoletree.Color(p.color))
	return bad, err
}

// auditLine prints the audit trail's line of the migration of n, found by
// its span ID.
func (p *printer) auditLine(path string, n *consoletree.Node) error {
	if n == nil {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	key := []byte(`"span_id":"` + n.Span.SpanContext().SpanID().String() + `"`)
	for line := range bytes.Lines(data) {
		if !bytes.Contains(line, key) {
			continue
		}
		text, err := onePerLine(line)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.w, "\nthe failed migration's line in the audit trail (one field a line here):\n%s\n", p.paint("\x1b[2m", text))
		return nil
	}
	return nil
}

// onePerLine formats a JSON object with one field a line, in order.
func onePerLine(object []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(object))
	if _, err := dec.Token(); err != nil { // {
		return "", err
	}
	var b strings.Builder
	b.WriteString("{")
	for i := 0; dec.More(); i++ {
		key, err := dec.Token()
		if err != nil {
			return "", err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		fmt.Fprintf(&b, "\n  %s: %s", k, v)
	}
	b.WriteString("\n}")
	return b.String(), nil
}
