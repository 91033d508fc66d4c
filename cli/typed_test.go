package cli_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

// typedManager is newManager with the step 1.0.0 → 2.0.0 written on the
// Go structs: migrate to 2.0.0 then takes the JSON path.
func typedManager(t testing.TB) *core.Manager {
	t.Helper()
	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", func(_ context.Context, u UserV1) (UserV2, error) {
			first, last, ok := strings.Cut(u.Name, " ")
			if !ok {
				return UserV2{}, errNoSpace
			}
			return UserV2{First: first, Last: last, Age: u.Age, Address: u.Address}, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if typed, err := m.TypedPath("User", "", "2.0.0"); err != nil || !typed {
		t.Fatalf("TypedPath = %v, %v", typed, err)
	}
	return m
}

// The JSON path of a typed migration gives what the record path of the
// same step written on maps gives (the same records, keys aside; the same
// rejects, messages and exit codes), but for a nested record with a field
// its Go type does not declare: the typed step refuses it rather than
// lose the field, where the map step carries it.
func TestMigrateTypedAgreesWithMaps(t *testing.T) {
	input := withFailures + `{"schema_version":"1.0.0","name":"Big Int","age":9007199254740993,"address":{"city":"<b>"}}
[1,2]
{"schema_version":"2.0.0","first":"Al","last":"Ready","address":{"city":"x"},"extra":true}
{"schema_version":"1.0.0","name":"Nested Extra","address":{"city":"x","zip":"1"}}
{"schema_version":"1.0.0","name":"Top Extra","address":{"city":"x"},"legacy":[1,{"a":null}]}
`
	dir := t.TempDir()
	for _, workers := range []string{"1", "2"} {
		var outs [2][]map[string]any
		var rejs [2][]map[string]any
		for i, m := range []*core.Manager{newManager(t), typedManager(t)} {
			rejects := filepath.Join(dir, "rejects.jsonl")
			r := run(t, m, input, "migrate", "-m", "User", "--to", "2.0.0", "--continue-on-error", "--rejects", rejects, "--workers", workers)
			wantCode(t, r, cli.ExitFinding)
			contains(t, "stderr", r.stderr, "read 9 records in ", []string{"6 succeeded, 3 failed", "5 succeeded, 4 failed"}[i])
			outs[i] = lines(t, r.stdout)
			raw, err := os.ReadFile(rejects)
			if err != nil {
				t.Fatal(err)
			}
			rejs[i] = lines(t, string(raw))
		}
		if nested := outs[0][4]; nested["first"] != "Nested" {
			t.Fatalf("maps: %v", nested)
		}
		maps := append(outs[0][:4:4], outs[0][5:]...)
		if !reflect.DeepEqual(maps, outs[1]) {
			t.Errorf("workers %s: records differ:\nmaps  %v\ntyped %v", workers, maps, outs[1])
		}
		if len(rejs[0]) != 3 || len(rejs[1]) != 4 {
			t.Fatalf("rejects %v, %v", rejs[0], rejs[1])
		}
		if nested := rejs[1][3]; nested["line"] != 8.0 || nested["error_type"] != "validation" || !strings.Contains(nested["error"].(string), `"address"`) {
			t.Errorf("the nested record's reject: %v", nested)
		}
		for i := range rejs[0] {
			a, b := rejs[0][i], rejs[1][i]
			if a["line"] != b["line"] || a["error_type"] != b["error_type"] || !reflect.DeepEqual(a["record"], b["record"]) {
				t.Errorf("workers %s: reject %d differs:\nmaps  %v\ntyped %v", workers, i, a, b)
			}
		}
	}
	// The first failure stops the run as on the record path.
	r := run(t, typedManager(t), withFailures, "migrate", "-m", "User", "--to", "2.0.0")
	wantCode(t, r, cli.ExitFinding)
	if got := lines(t, r.stdout); len(got) != 1 || got[0]["first"] != "Ada" {
		t.Fatalf("wrote %v", got)
	}
	contains(t, "stderr", r.stderr, "line 2: ", "(error_type migration_function;")
}
