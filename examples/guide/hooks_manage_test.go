package guide_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
	"github.com/transmute-go/transmute/metricshook"
)

func Example_manageHooks() {
	m := newManager()
	logger := hooks.NewLogger(nil) // nil: slog.Default()
	metrics := metricshook.New()

	m.AddHook(logger, metrics)
	fmt.Println(len(m.Hooks()), "hooks")

	fmt.Println("removed:", m.RemoveHook(logger))
	fmt.Println("removed again:", m.RemoveHook(logger))
	fmt.Println(len(m.Hooks()), "hook")

	m.ClearHooks()
	fmt.Println(len(m.Hooks()), "hooks")
	// Output:
	// 2 hooks
	// removed: true
	// removed again: false
	// 1 hook
	// 0 hooks
}

func Example_requestHooks() {
	m := newManager()
	m.AddHook(say("manager"))

	// A hook for this request only: the shared manager is not touched.
	ctx := core.ContextWithHooks(context.Background(), say("request"))
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")

	// Other requests run with the manager's hooks alone.
	_, _ = m.Migrate(context.Background(), core.Data{"name": "Alan Turing"}, "User", "1.0.0", "2.0.0")
	// Output:
	// manager: before User 1.0.0 → 2.0.0
	// request: before User 1.0.0 → 2.0.0
	// request: after User
	// manager: after User
	// manager: before User 1.0.0 → 2.0.0
	// manager: after User
}

func Example_contextual() {
	m := newManager()
	m.AddHook(hooks.NewLogger(stdoutLogger(slog.LevelInfo)))
	debug := hooks.NewLogger(stdoutLogger(slog.LevelDebug), hooks.WithMessages("debug: started", "debug: completed", ""))

	mux := http.NewServeMux()
	mux.HandleFunc("POST /users/migrate", func(w http.ResponseWriter, r *http.Request) {
		// The request's attributes reach every log record of its migrations.
		ctx := hooks.ContextWithAttrs(r.Context(),
			slog.String("request_id", r.Header.Get("X-Request-Id")),
			slog.String("user_id", r.Header.Get("X-User-Id")))
		// A request that asks for it gets a hook of its own.
		if r.Header.Get("X-Debug") == "1" {
			ctx = core.ContextWithHooks(ctx, debug)
		}
		body, _ := io.ReadAll(r.Body)
		_, err := m.Migrate(ctx, core.Data{"name": string(body)}, "User", "1.0.0", "3.0.0")
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	post := func(name, requestID string, debug bool) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/users/migrate", strings.NewReader(name))
		req.Header.Set("X-Request-Id", requestID)
		req.Header.Set("X-User-Id", "u-42")
		if debug {
			req.Header.Set("X-Debug", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		check(err)
		resp.Body.Close()
	}
	post("Ada Lovelace", "r-1", false)
	post("Alan Turing", "r-2", true)
	// Output:
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=3.0.0 steps=2 request_id=r-1 user_id=u-42
	// level=DEBUG msg="debug: started" model=User from_version=1.0.0 to_version=3.0.0 steps=2 request_id=r-2 user_id=u-42
	// level=INFO msg="debug: completed" model=User from_version=1.0.0 to_version=3.0.0 steps=2 request_id=r-2 user_id=u-42
	// level=INFO msg="migration completed" model=User from_version=1.0.0 to_version=3.0.0 steps=2 request_id=r-2 user_id=u-42
}
