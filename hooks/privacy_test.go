package hooks_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/transmutetest"
)

// No value reaches a log line by default: failure records carry the
// errors' value-free text.
func TestLoggerLogsNoValues(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	transmutetest.FailWithSecret(t, hooks.NewLogger(l))
	out := buf.String()
	if strings.Contains(out, "ada.lovelace") {
		t.Fatalf("the log quotes the secret:\n%s", out)
	}
	if n := strings.Count(out, `"msg":"migration failed"`); n < 9 || !strings.Contains(out, "not an RFC 3339 date-time") {
		t.Fatalf("%d failure records, or they do not say what failed:\n%s", n, out)
	}

	buf.Reset()
	transmutetest.FailWithSecret(t, hooks.NewLogger(l, hooks.WithValues(core.KeepValues)))
	if !strings.Contains(buf.String(), transmutetest.Secret) {
		t.Fatalf("with KeepValues the failure records hold no error text:\n%s", buf.String())
	}
}

// An alert's line is value-free; its Err is the whole error.
func TestAlertStringHasNoValues(t *testing.T) {
	var mu sync.Mutex
	var alerts []hooks.Alert
	a := hooks.NewAlerting(hooks.Threshold(1, time.Hour), func(_ context.Context, al hooks.Alert) {
		mu.Lock()
		alerts = append(alerts, al)
		mu.Unlock()
	})
	transmutetest.FailWithSecret(t, a)
	_ = a.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(alerts) == 0 {
		t.Fatal("no alert")
	}
	for _, al := range alerts {
		if strings.Contains(al.String(), "ada.lovelace") {
			t.Errorf("an alert's line quotes the secret: %s", al)
		}
	}
}
