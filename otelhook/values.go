package otelhook

import (
	"encoding/json"
	"fmt"

	"github.com/transmute-go/transmute/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// recordValues puts the migrated values, as redacted, on span.
func (h *Hook) recordValues(span trace.Span, migrated core.Record) {
	if !span.IsRecording() || migrated.Len() == 0 {
		return
	}
	kv := make([]attribute.KeyValue, 0, migrated.Len())
	for k, v := range migrated.All() {
		if r, ok := h.callRedact(k, v); ok && r != nil {
			kv = append(kv, valueAttr(DataKeyPrefix+k, r))
		}
	}
	span.SetAttributes(kv...)
}

// valueAttr converts a data value to an attribute: scalars as they are,
// anything else as JSON.
func valueAttr(key string, v any) attribute.KeyValue {
	k := attribute.Key(key)
	switch x := v.(type) {
	case string:
		return k.String(x)
	case bool:
		return k.Bool(x)
	case float64:
		return k.Float64(x)
	case float32:
		return k.Float64(float64(x))
	case int:
		return k.Int(x)
	case int64:
		return k.Int64(x)
	case int32:
		return k.Int64(int64(x))
	case json.Number:
		return k.String(x.String())
	case []string:
		return k.StringSlice(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return k.String(fmt.Sprint(v))
	}
	return k.String(string(b))
}

func (h *Hook) callRedact(key string, v any) (out any, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			h.report("AfterMigrate (WithRecordValues)", r)
			out, ok = nil, false
		}
	}()
	return h.cfg.redact(key, v), true
}
