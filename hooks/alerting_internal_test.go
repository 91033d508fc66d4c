package hooks

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// A stream of failures for ever new model names (an unknown model in
// user input, say) does not grow the per-model state without bound.
func TestAlertingPrunesIdleModels(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := NewAlerting(Threshold(2, time.Minute), func(context.Context, Alert) {}, WithAlertPerModel(),
		WithAlertClock(func() time.Time { return now }))
	defer h.Close()
	for i := range 5000 {
		now = now.Add(time.Second)
		h.OnError(context.Background(), core.Event{Model: fmt.Sprint("model-", i)}, core.ErrInvalidData)
	}
	h.mu.Lock()
	n := len(h.keys)
	h.mu.Unlock()
	// At most a minute's worth (60) of models is live; the rest waits for
	// the next prune, which comes once the map doubles.
	if n > 2*64+60 {
		t.Errorf("%d models kept after 5000 distinct ones, at most 60 within the window", n)
	}
}
