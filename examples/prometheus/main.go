// Command prometheus exposes transmute's migration metrics to Prometheus:
// an otelhook hook records them with the OpenTelemetry metrics SDK, whose
// Prometheus exporter serves them on /metrics from a registry of its own
// (not the global one).
//
//	go run ./prometheus                        # migrate, scrape itself, print the migration_* lines, exit
//	go run ./prometheus -serve -addr :9464     # then keep serving /metrics until Ctrl-C
//
// The OpenTelemetry names become Prometheus names with the unit as a
// suffix: migration.duration (s) is the histogram
// migration_duration_seconds, migration.step.duration is
// migration_step_duration_seconds and the up-down counter migration.active
// is the gauge migration_active. The attributes become labels
// (migration_model, migration_version_from, migration_version_to,
// migration_direction, and error_type on failures).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9464", "address to serve /metrics on")
	serve := flag.Bool("serve", false, "keep serving /metrics until interrupted (SIGINT, SIGTERM) after the demo")
	n := flag.Int("n", 200, "number of records to migrate")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, *addr, *n, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "prometheus:", err)
		os.Exit(1)
	}
}

// run serves /metrics on addr, migrates n records, scrapes itself and
// prints the migration_* series, then (with serve) serves until ctx is
// done.
func run(ctx context.Context, out io.Writer, addr string, n int, serve bool) (err error) {
	a, err := start(addr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, a.close()) }()
	fmt.Fprintf(out, "serving metrics on %s\n", a.metricsURL())

	ok, failed := a.migrateDemo(ctx, n)
	fmt.Fprintf(out, "migrated %d records (%d succeeded, %d failed)\n\n", ok+failed, ok, failed)

	text, err := scrape(ctx, a.metricsURL())
	if err != nil {
		return err
	}
	lines, buckets := migrationLines(text)
	fmt.Fprintf(out, "GET %s: the migration_* series (%d _bucket lines not shown)\n", a.metricsURL(), buckets)
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	if serve {
		fmt.Fprintln(out, "\nserving until interrupted")
		<-ctx.Done()
	}
	return nil
}

// app is the demo: a manager with an otelhook hook whose metrics go to
// a Prometheus registry served over HTTP.
type app struct {
	m      *core.Manager
	mp     *sdkmetric.MeterProvider
	srv    *http.Server
	addr   string
	served chan error
}

// start builds the app and serves /metrics on addr.
func start(addr string) (*app, error) {
	// A registry of our own: nothing global, and nothing else in it.
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))

	m := core.NewManager()
	if err := registerModels(m); err != nil {
		return nil, err
	}
	// Metrics only: the traces go nowhere in this example.
	m.AddHook(otelhook.New(otelhook.WithMeterProvider(mp), otelhook.WithTracerProvider(tracenoop.NewTracerProvider())))

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = mp.Shutdown(context.Background())
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	a := &app{m: m, mp: mp, addr: ln.Addr().String(), served: make(chan error, 1),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { a.served <- a.srv.Serve(ln) }()
	return a, nil
}

func (a *app) metricsURL() string { return "http://" + a.addr + "/metrics" }

// close shuts the server down gracefully, then the meter provider.
func (a *app) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	if serr := <-a.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, a.mp.Shutdown(ctx))
}

// migrateDemo migrates n User records 1.0.0 → 3.0.0 as a batch (every
// tenth one fails: its name is not a string) and n/4 records 2.0.0 →
// 3.0.0 one by one, and returns how many succeeded and failed.
func (a *app) migrateDemo(ctx context.Context, n int) (ok, failed int) {
	items := make([]core.Data, n)
	for i := range items {
		if i%10 == 9 {
			items[i] = core.Data{"name": i}
		} else {
			items[i] = core.Data{"name": fmt.Sprintf("User %d", i)}
		}
	}
	_, err := a.m.MigrateBatch(ctx, items, "User", "1.0.0", "3.0.0", core.WithWorkers(4), core.WithContinueOnError())
	var be *core.BatchError
	if errors.As(err, &be) {
		failed += len(be.Items)
	}
	ok += n - failed
	for i := range n / 4 {
		if _, err := a.m.Migrate(ctx, core.Data{"first_name": "User", "last_name": fmt.Sprint(i)}, "User", "2.0.0", "3.0.0"); err != nil {
			failed++
		} else {
			ok++
		}
	}
	return ok, failed
}

// scrape fetches the metrics in the Prometheus text format.
func scrape(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return string(b), nil
}

// migrationLines returns the lines of the migration_* series (with their
// HELP and TYPE lines), leaving out the histogram buckets, which it counts.
func migrationLines(text string) (lines []string, buckets int) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := sc.Text()
		name := strings.TrimPrefix(strings.TrimPrefix(l, "# HELP "), "# TYPE ")
		if !strings.HasPrefix(name, "migration_") {
			continue
		}
		if strings.HasPrefix(l, "migration_") && strings.Contains(l, "_bucket{") {
			buckets++
			continue
		}
		lines = append(lines, l)
	}
	return lines, buckets
}
