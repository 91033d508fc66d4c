package guide_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"

	collectormetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/grpc"
)

// fakeAgent is an OTLP gRPC receiver in process: it stands in for the
// Datadog Agent (or an OpenTelemetry Collector) in the examples, and
// remembers what it received.
type fakeAgent struct {
	// URL is the endpoint to give the exporters: http://127.0.0.1:port.
	URL string
	srv *grpc.Server

	mu       sync.Mutex
	services map[string]bool
	spans    map[string]int    // span name → count
	metrics  map[string]string // metric name → "kind temporality"
	points   map[string]uint64 // histogram name → measurements
}

// startFakeAgent listens on a free port of the loopback interface.
func startFakeAgent() *fakeAgent {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	a := &fakeAgent{
		URL:      "http://" + lis.Addr().String(),
		srv:      grpc.NewServer(),
		services: map[string]bool{},
		spans:    map[string]int{},
		metrics:  map[string]string{},
		points:   map[string]uint64{},
	}
	collectortrace.RegisterTraceServiceServer(a.srv, traceService{a: a})
	collectormetrics.RegisterMetricsServiceServer(a.srv, metricsService{a: a})
	go func() { _ = a.srv.Serve(lis) }()
	return a
}

// Stop stops the receiver.
func (a *fakeAgent) Stop() { a.srv.Stop() }

// traceService is the agent's OTLP trace service.
type traceService struct {
	collectortrace.UnimplementedTraceServiceServer
	a *fakeAgent
}

func (t traceService) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				a.services[kv.GetValue().GetStringValue()] = true
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				a.spans[s.GetName()]++
			}
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// metricsService is the agent's OTLP metrics service.
type metricsService struct {
	collectormetrics.UnimplementedMetricsServiceServer
	a *fakeAgent
}

func (ms metricsService) Export(_ context.Context, req *collectormetrics.ExportMetricsServiceRequest) (*collectormetrics.ExportMetricsServiceResponse, error) {
	a := ms.a
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				switch d := m.GetData().(type) {
				case *metricspb.Metric_Histogram:
					a.metrics[m.GetName()] = "histogram " + temporality(d.Histogram.GetAggregationTemporality())
					for _, p := range d.Histogram.GetDataPoints() {
						a.points[m.GetName()] += p.GetCount()
					}
				case *metricspb.Metric_Sum:
					a.metrics[m.GetName()] = "sum " + temporality(d.Sum.GetAggregationTemporality())
				}
			}
		}
	}
	return &collectormetrics.ExportMetricsServiceResponse{}, nil
}

func temporality(t metricspb.AggregationTemporality) string {
	switch t {
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA:
		return "delta"
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE:
		return "cumulative"
	}
	return "unspecified"
}

// Received describes what the receiver got, one line each: the services,
// the spans by name, the metrics by name.
func (a *fakeAgent) Received() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lines []string
	for s := range a.services {
		lines = append(lines, "service "+s)
	}
	sort.Strings(lines)
	var spans []string
	for name, n := range a.spans {
		spans = append(spans, fmt.Sprintf("span %q ×%d", name, n))
	}
	var metrics []string
	for name, kind := range a.metrics {
		line := fmt.Sprintf("metric %s: %s", name, kind)
		if n, ok := a.points[name]; ok {
			line += fmt.Sprintf(", %d measurements", n)
		}
		metrics = append(metrics, line)
	}
	slices.Sort(spans)
	slices.Sort(metrics)
	return strings.Join(slices.Concat(lines, spans, metrics), "\n")
}
