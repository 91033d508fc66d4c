package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/transmute-go/transmute/core"
)

// families scrapes the app over HTTP and parses the text format as
// Prometheus does.
func families(t *testing.T, a *app) map[string]*dto.MetricFamily {
	t.Helper()
	text, err := scrape(context.Background(), a.metricsURL())
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, text)
	}
	return fams
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// series returns the metric of fam whose labels include want and, when
// errorType is "", have no error_type.
func series(t *testing.T, fam *dto.MetricFamily, want map[string]string) *dto.Metric {
	t.Helper()
	var found *dto.Metric
	for _, m := range fam.GetMetric() {
		l := labels(m)
		match := len(l["error_type"]) == len(want["error_type"])
		for k, v := range want {
			if l[k] != v {
				match = false
			}
		}
		if match {
			if found != nil {
				t.Fatalf("%s: two series match %v", fam.GetName(), want)
			}
			found = m
		}
	}
	if found == nil {
		t.Fatalf("%s: no series with %v among %v", fam.GetName(), want, fam.GetMetric())
	}
	return found
}

func TestMetricsScrapedOverHTTP(t *testing.T) {
	a, err := start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := a.close(); err != nil {
			t.Error(err)
		}
	}()

	// A model whose migration waits, to see migration_active at 1.
	if err := a.m.RegisterMigration("Slow", "1.0.0", "2.0.0", func(ctx context.Context, d core.Data) (core.Data, error) {
		<-ctx.Value(releaseKey{}).(chan struct{})
		return d, nil
	}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	slowDone := make(chan error, 1)
	go func() {
		_, err := a.m.MigrateData(context.WithValue(context.Background(), releaseKey{}, release), core.Data{}, "Slow", "1.0.0", "2.0.0")
		slowDone <- err
	}()

	ok, failed := a.migrateDemo(context.Background(), 40)
	if ok != 46 || failed != 4 { // 40 - 4 in the batch, plus 10 one by one
		t.Fatalf("migrateDemo: %d ok, %d failed; want 46, 4", ok, failed)
	}

	// The slow migration is in progress: wait until the gauge says so.
	deadline := time.Now().Add(10 * time.Second)
	for {
		fams := families(t, a)
		if fam := fams["migration_active"]; fam != nil && hasValue(fam, "Slow", 1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("migration_active never showed the Slow migration: %v", fams["migration_active"])
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}

	fams := families(t, a)
	dur := fams["migration_duration_seconds"]
	if dur == nil || dur.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("migration_duration_seconds is not a histogram: %v", dur)
	}
	for _, tt := range []struct {
		labels map[string]string
		count  uint64
	}{
		{map[string]string{"migration_model": "User", "migration_version_from": "1.0.0", "migration_version_to": "3.0.0", "migration_direction": "up"}, 36},
		{map[string]string{"migration_model": "User", "migration_version_from": "1.0.0", "migration_version_to": "3.0.0", "migration_direction": "up", "error_type": "migration_function"}, 4},
		{map[string]string{"migration_model": "User", "migration_version_from": "2.0.0", "migration_version_to": "3.0.0", "migration_direction": "up"}, 10},
		{map[string]string{"migration_model": "Slow", "migration_version_from": "1.0.0", "migration_version_to": "2.0.0"}, 1},
	} {
		h := series(t, dur, tt.labels).GetHistogram()
		if h.GetSampleCount() != tt.count {
			t.Errorf("%v: count %d, want %d", tt.labels, h.GetSampleCount(), tt.count)
		}
		if h.GetSampleSum() <= 0 {
			t.Errorf("%v: sum %v", tt.labels, h.GetSampleSum())
		}
		// Buckets are cumulative, in seconds, from a microsecond up.
		b := h.GetBucket()
		if len(b) < 10 || b[0].GetUpperBound() > 0.00001 {
			t.Errorf("%v: buckets %v do not start at the µs scale", tt.labels, b)
		}
		for i := 1; i < len(b); i++ {
			if b[i].GetCumulativeCount() < b[i-1].GetCumulativeCount() {
				t.Errorf("%v: buckets not cumulative: %v", tt.labels, b)
			}
		}
		if last := b[len(b)-1].GetCumulativeCount(); last > tt.count {
			t.Errorf("%v: last bucket %d > count %d", tt.labels, last, tt.count)
		}
	}

	steps := fams["migration_step_duration_seconds"]
	if steps == nil || steps.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("migration_step_duration_seconds is not a histogram: %v", steps)
	}
	// The auto step 2.0.0 → 3.0.0 ran for 36 batch items and 10 single
	// migrations.
	auto := series(t, steps, map[string]string{"migration_model": "User", "migration_version_from": "2.0.0", "migration_version_to": "3.0.0", "migration_step_auto": "true"})
	if got := auto.GetHistogram().GetSampleCount(); got != 46 {
		t.Errorf("auto step count %d, want 46", got)
	}

	active := fams["migration_active"]
	if active == nil || active.GetType() != dto.MetricType_GAUGE {
		t.Fatalf("migration_active is not a gauge: %v", active)
	}
	if !hasValue(active, "Slow", 0) || !hasValue(active, "User", 0) {
		t.Errorf("migration_active after the migrations: %v", active.GetMetric())
	}
}

type releaseKey struct{}

// hasValue reports whether the gauge has value v for model.
func hasValue(fam *dto.MetricFamily, model string, v float64) bool {
	for _, m := range fam.GetMetric() {
		if labels(m)["migration_model"] == model && m.GetGauge().GetValue() == v {
			return true
		}
	}
	return false
}

// The program itself: it ends by itself and prints the series.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "127.0.0.1:0", 20, false); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"migrated 25 records (23 succeeded, 2 failed)",
		"# TYPE migration_duration_seconds histogram",
		"# TYPE migration_active gauge",
		`migration_duration_seconds_count{migration_direction="up",migration_model="User",migration_version_from="1.0.0",migration_version_to="3.0.0",`,
		`migration_duration_seconds_count{error_type="migration_function",migration_direction="up",migration_model="User",`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q\n%s", want, s)
		}
	}
	if strings.Contains(s, "_bucket{") {
		t.Error("bucket lines printed")
	}
}
