package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

type AddressV1 struct {
	City string `json:"city"`
}

type AddressV2 struct {
	City    string `json:"city"`
	Country string `json:"country" default:"\"unknown\""`
}

type UserV1 struct {
	Name    string    `json:"name"`
	Age     int64     `json:"age,omitempty"`
	Address AddressV1 `json:"address"`
}

type UserV2 struct {
	First   string    `json:"first"`
	Last    string    `json:"last"`
	Age     int64     `json:"age,omitempty"`
	Address AddressV1 `json:"address"`
}

type UserV3 struct {
	First   string    `json:"first"`
	Last    string    `json:"last"`
	Age     int64     `json:"age,omitempty"`
	Note    string    `json:"note" default:"\"\""`
	Address AddressV2 `json:"address"`
}

var errNoSpace = errors.New("the name has no space")

// newManager registers User 1.0.0 → 2.0.0 (a function: the name split in
// two; a name with no space fails it) → 3.0.0 (auto, with a nested
// Address 1.0.0 → 2.0.0), records carrying their version in
// "schema_version".
func newManager(t testing.TB) *core.Manager {
	t.Helper()
	return managerSplitting(t, func(name string) (string, string, error) {
		first, last, ok := strings.Cut(name, " ")
		if !ok {
			return "", "", errNoSpace
		}
		return first, last, nil
	})
}

// managerSplitting is newManager with its own way of splitting a name.
func managerSplitting(t testing.TB, split func(name string) (first, last string, err error)) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			first, last, err := split(d["name"].(string))
			if err != nil {
				return nil, err
			}
			delete(d, "name")
			d["first"], d["last"] = first, last
			return d, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the command in process on m with stdin and args.
func run(t testing.TB, m *core.Manager, stdin string, args ...string) result {
	t.Helper()
	return runCtx(t, context.Background(), m, strings.NewReader(stdin), args...)
}

func runCtx(t testing.TB, ctx context.Context, m *core.Manager, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(ctx, m, args, cli.WithIO(stdin, &out, &errOut))
	return result{code, out.String(), errOut.String()}
}

func wantCode(t testing.TB, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func contains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}
