package hooks_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/transmute-go/transmute/core"
)

// errNotString is what the test migrations fail with.
var errNotString = errors.New("name is not a string")

// splitName is the User and Account migration 1.0.0 → 2.0.0; it fails
// when name is not a string.
func splitName(_ context.Context, d core.Data) (core.Data, error) {
	name, ok := d["name"].(string)
	if !ok {
		return nil, errNotString
	}
	first, last, _ := strings.Cut(name, " ")
	delete(d, "name")
	d["first_name"], d["last_name"] = first, last
	return d, nil
}

// ItemV1 and ItemV2 are a nested model; OrderV1 and OrderV2 hold a list
// of them, so that migrating an Order migrates each Item inside it.
type ItemV1 struct {
	Name string `json:"name"`
}

type ItemV2 struct {
	Name string `json:"name"`
	Qty  int    `json:"qty" default:"1"`
}

type OrderV1 struct {
	ID    int      `json:"id"`
	Items []ItemV1 `json:"items"`
}

type OrderV2 struct {
	ID    int      `json:"id"`
	Items []ItemV2 `json:"items"`
}

// newTestManager has User and Account (1.0.0 → 2.0.0 through splitName)
// and Order with nested Items (1.0.0 → 2.0.0, auto-migrated).
func newTestManager(t testing.TB, opts ...core.Option) *core.Manager {
	t.Helper()
	m := core.NewManager(opts...)
	for _, err := range []error{
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", splitName),
		core.Register[UserV1](m, "Account", "1.0.0"),
		core.Register[UserV2](m, "Account", "2.0.0"),
		m.RegisterMigration("Account", "1.0.0", "2.0.0", splitName),
		core.Register[ItemV1](m, "Item", "1.0.0"),
		core.Register[ItemV2](m, "Item", "2.0.0", core.WithBackwardCompatible()),
		core.Register[OrderV1](m, "Order", "1.0.0"),
		core.Register[OrderV2](m, "Order", "2.0.0", core.WithBackwardCompatible()),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// failOnError fails the test when the manager reports an error, such as
// a hook that panicked.
func failOnError(t testing.TB) core.Option {
	return core.WithErrorHandler(func(err error) { t.Errorf("manager error handler: %v", err) })
}

func migrateUser(t testing.TB, m *core.Manager, ctx context.Context, name any) error {
	t.Helper()
	_, err := m.Migrate(ctx, core.Data{"name": name}, "User", "1.0.0", "2.0.0")
	return err
}

// record is one slog record as the capture handler saw it.
type record struct {
	ctx   context.Context
	level slog.Level
	msg   string
	keys  []string // attribute keys in order
	attrs map[string]slog.Value
}

func (r record) str(key string) string {
	v, ok := r.attrs[key]
	if !ok {
		return "<missing>"
	}
	return v.String()
}

// capture is a slog.Handler that keeps every record it is handed.
type capture struct {
	min   slog.Level
	mu    *sync.Mutex
	recs  *[]record
	attrs []slog.Attr
}

func newCapture(min slog.Level) *capture {
	return &capture{min: min, mu: new(sync.Mutex), recs: new([]record)}
}

func (c *capture) Enabled(_ context.Context, l slog.Level) bool { return l >= c.min }

func (c *capture) Handle(ctx context.Context, r slog.Record) error {
	rec := record{ctx: ctx, level: r.Level, msg: r.Message, attrs: map[string]slog.Value{}}
	add := func(a slog.Attr) bool {
		rec.keys = append(rec.keys, a.Key)
		rec.attrs[a.Key] = a.Value.Resolve()
		return true
	}
	for _, a := range c.attrs {
		add(a)
	}
	r.Attrs(add)
	c.mu.Lock()
	*c.recs = append(*c.recs, rec)
	c.mu.Unlock()
	return nil
}

func (c *capture) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *c
	n.attrs = slices.Concat(c.attrs, attrs)
	return &n
}

func (c *capture) WithGroup(string) slog.Handler { return c }

func (c *capture) records() []record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(*c.recs)
}
