package core

import (
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
)

// Manager holds models, migrations and hooks, and runs migrations. It is
// safe for concurrent use: registration and hook changes may race with
// migrations, which see either the state before or the state after. The
// zero Manager is ready to use, with the default options of [NewManager].
type Manager struct {
	mu     sync.Mutex // serialises writers; readers use the snapshots
	reg    atomic.Pointer[registry]
	hooks  atomic.Pointer[hookSet]
	cfg    config
	clock  clock  // the start of migrations and batches
	codecs codecs // converters between records and Go structs, one per type

	lastConv atomic.Pointer[conversion] // the last conversion Convert found
}

// logError is the default error handler: one fixed message, with the
// error and its type as attributes, so that log lines group.
func logError(err error) {
	slog.Error("transmute: hook panicked", "error", err, "error_type", ErrorType(err))
}

// NewManager returns an empty manager.
func NewManager(opts ...Option) *Manager {
	m := &Manager{}
	for _, o := range opts {
		if o != nil {
			o.applyManager(&m.cfg)
		}
	}
	m.reg.Store(&registry{models: map[string]*modelReg{}, byType: map[reflect.Type][]typeRef{}})
	m.hooks.Store(m.newHookSet(nil))
	return m
}
