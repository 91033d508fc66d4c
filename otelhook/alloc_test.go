package otelhook_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/otelhook"
)

// allocs returns the allocations of one Migrate of benchInput.
func allocs(t *testing.T, m *core.Manager, ctx context.Context) float64 {
	t.Helper()
	return testing.AllocsPerRun(200, func() {
		if _, err := m.Migrate(ctx, benchInput, "User", "1.0.0", "3.0.0"); err != nil {
			t.Fatal(err)
		}
	})
}

// In the unsampled case (a ParentBased(NeverSample) provider, a request
// whose trace is not sampled) with a no-op meter, the hook itself
// allocates nothing: a migration with it allocates exactly what one
// without hooks does.
func TestNoAllocationsWhenUnsampled(t *testing.T) {
	base := allocs(t, newManager(t, nil), context.Background())

	m := newManager(t, nil)
	m.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(t)), otelhook.WithMeterProvider(metricnoop.NewMeterProvider())))
	if got := allocs(t, m, unsampledParent()); got != base {
		t.Errorf("unsampled parent, noop meter: %v allocations, want %v (as with no hooks)", got, base)
	}

	// For the record (not a guarantee): the other unsampled cases.
	sdk := newManager(t, nil)
	sdk.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(t)), otelhook.WithMeterProvider(sdkMeter(t))))
	root := newManager(t, nil)
	root.AddHook(otelhook.New(otelhook.WithTracerProvider(neverSampled(t)), otelhook.WithMeterProvider(metricnoop.NewMeterProvider())))
	t.Logf("allocations per Migrate: no hooks %v; unsampled parent: noop meter +%v, SDK meter +%v; unsampled root, noop meter +%v",
		base, allocs(t, m, unsampledParent())-base, allocs(t, sdk, unsampledParent())-base, allocs(t, root, context.Background())-base)
}
