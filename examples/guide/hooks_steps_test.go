package guide_test

import (
	"context"
	"fmt"

	"github.com/transmute-go/transmute/core"
)

// stepLog prints each step of a migration. Embedding core.NopHook gives it
// the three methods of core.Hook; its two methods of core.StepObserver are
// found when the hook is added.
type stepLog struct{ core.NopHook }

func (stepLog) BeforeStep(ctx context.Context, e core.Event, s core.Step) context.Context {
	kind := "function"
	if s.Auto {
		kind = "auto"
	}
	fmt.Printf("%s step %d/%d: %s → %s (%s)\n", e.Model, s.Index+1, e.Steps(), s.From, s.To, kind)
	return ctx // the step's migration function runs under this ctx
}

func (stepLog) AfterStep(_ context.Context, _ core.Event, s core.Step, err error) {
	fmt.Printf("  step %d done, error: %v\n", s.Index+1, err)
}

func Example_stepObserver() {
	m := newManager()
	m.AddHook(stepLog{})
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	// Output:
	// User step 1/2: 1.0.0 → 2.0.0 (function)
	//   step 1 done, error: <nil>
	// User step 2/2: 2.0.0 → 3.0.0 (auto)
	//   step 2 done, error: <nil>
}
