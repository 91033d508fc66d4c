package metricshook_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
)

// UserV1 and UserV2: the seed's User model, its name split in two.
type UserV1 struct {
	Name string `json:"name"`
}

type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

var errBoom = errors.New("boom")

// userManager registers User 1.0.0 → 2.0.0. The migration fails when the
// record has "boom" and panics when it has "panic"; a record with no "name" migrates into one that fails
// the validation of 2.0.0 (no first_name, no last_name). "sleep" (a
// duration string) makes the migration take at least that long.
func userManager(tb testing.TB, hooks ...core.Hook) *core.Manager {
	tb.Helper()
	m := core.NewManager()
	check(tb, core.Register[UserV1](m, "User", "1.0.0"))
	check(tb, core.Register[UserV2](m, "User", "2.0.0"))
	check(tb, m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		if s, ok := d["sleep"].(string); ok {
			d, _ := time.ParseDuration(s)
			time.Sleep(d)
		}
		if d["boom"] != nil {
			return nil, errBoom
		}
		if d["panic"] != nil {
			panic("the migration function panicked")
		}
		if name, ok := d["name"].(string); ok {
			first, last, _ := strings.Cut(name, " ")
			d["first_name"], d["last_name"] = first, last
		}
		delete(d, "name")
		return d, nil
	}))
	m.AddHook(hooks...)
	return m
}

// ItemV1, ItemV2, OrderV1 and OrderV2: an order with nested items. Order
// 2.0.0 is backward compatible, so migrating an order migrates its items
// (nested migrations, each with its own hooks).
type ItemV1 struct {
	SKU string `json:"sku"`
}

type ItemV2 struct {
	Code string `json:"code"`
}

type OrderV1 struct {
	ID    string   `json:"id"`
	Items []ItemV1 `json:"items"`
}

type OrderV2 struct {
	ID    string   `json:"id"`
	Items []ItemV2 `json:"items"`
}

// orderManager registers Order and Item; the Item migration sleeps for
// itemSleep.
func orderManager(tb testing.TB, itemSleep time.Duration, hooks ...core.Hook) *core.Manager {
	tb.Helper()
	m := core.NewManager()
	check(tb, core.Register[ItemV1](m, "Item", "1.0.0"))
	check(tb, core.Register[ItemV2](m, "Item", "2.0.0"))
	check(tb, core.Register[OrderV1](m, "Order", "1.0.0"))
	check(tb, core.Register[OrderV2](m, "Order", "2.0.0", core.WithBackwardCompatible()))
	check(tb, m.RegisterMigration("Item", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		time.Sleep(itemSleep)
		d["code"] = d["sku"]
		delete(d, "sku")
		return d, nil
	}))
	m.AddHook(hooks...)
	return m
}

func order(items ...string) core.Data {
	list := make([]any, len(items))
	for i, s := range items {
		list[i] = map[string]any{"sku": s}
	}
	return core.Data{"id": "o-1", "items": list}
}

// path is the Path of the events made by hand: the engine found one
// (what it is does not matter to the hook, only that it is not nil).
var path = []core.Version{{Major: 1}, {Major: 2}}

// event returns an Event of model from → to that started d ago.
func event(model, from, to string, d time.Duration) core.Event {
	return core.Event{
		Model: model,
		From:  core.MustParseVersion(from),
		To:    core.MustParseVersion(to),
		Path:  path,
		Start: time.Now().Add(-d),
	}
}
