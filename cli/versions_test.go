package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

func TestVersions(t *testing.T) {
	m := newManager(t)
	input := "\uFEFF" + `{"schema_version":"1.0.0","name":"A B"}
{"schema_version":"1.0.0","name":"C D"}

{"name":"no version"}
{"schema_version":"3.0.0","first":"E","last":"F"}
{"schema_version":"7.0.0"}
not json
`
	r := run(t, m, input, "versions", "-m", "User")
	wantCode(t, r, 0)
	want := `User: 6 records
  1.0.0                 2
  3.0.0                 1
  7.0.0                 1  (not a registered version)
  no version            1
  not objects           1
no record holds 2.0.0: as far as these records tell, it can be dropped
`
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}

	r = run(t, m, input, "versions", "-m", "User", "--json")
	wantCode(t, r, 0)
	var got core.ModelCensus
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 6 || got.Versions[0].Count != 2 || len(got.Unused) != 1 || got.Unused[0] != "2.0.0" || got.NoVersion != 1 || got.Invalid != 1 {
		t.Errorf("%+v", got)
	}

	// Usage errors: -m needed with several models, an unknown model, no
	// version key.
	wantCode(t, run(t, m, input, "versions"), cli.ExitUsage)
	wantCode(t, run(t, m, input, "versions", "-m", "Nope"), cli.ExitUsage)
	plain := core.NewManager()
	if err := core.Register[UserV1](plain, "User", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	r = run(t, plain, input, "versions")
	wantCode(t, r, cli.ExitUsage)
	contains(t, "stderr", r.stderr, "no version key")
}
