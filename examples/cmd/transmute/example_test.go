package main

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/transmute-go/transmute/cli"
)

// run runs the command as the docs show it: standard error to standard
// output (the migrate summary, which times the run, is left out).
func runDoc(stdin string, args ...string) {
	m, err := newManager()
	if err != nil {
		panic(err)
	}
	errOut := io.Writer(os.Stdout)
	if args[0] == "migrate" {
		errOut = summaryFilter{os.Stdout}
	}
	code := cli.Run(context.Background(), m, args, cli.WithIO(strings.NewReader(stdin), os.Stdout, errOut))
	if code != 0 {
		os.Stdout.WriteString("exit status " + string(rune('0'+code)) + "\n")
	}
}

// summaryFilter drops the line "read N records in T: …", whose time
// changes from run to run.
type summaryFilter struct{ w io.Writer }

func (f summaryFilter) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), "read ") {
		return len(p), nil
	}
	return f.w.Write(p)
}

func Example_models() {
	runDoc("", "models")
	// Output:
	// version key: schema_version
	//
	// Address
	//   versions:   1.0.0, 2.0.0 (latest 2.0.0)
	//   migrations: 1.0.0 → 2.0.0 (auto)
	// User
	//   versions:   1.0.0, 2.0.0, 3.0.0 (latest 3.0.0)
	//   migrations: 1.0.0 → 2.0.0 (function)
	//               2.0.0 → 3.0.0 (auto)
}

func Example_validate() {
	runDoc(usersJSONL, "validate", "-m", "User")
	// Output:
	// line 4: not a JSON object: unexpected end of JSON input
	// 1 of 4 records are invalid
	// exit status 1
}

func Example_migrate() {
	runDoc(usersJSONL, "migrate", "-m", "User", "--to", "latest", "--continue-on-error")
	// Output:
	// {"address":{"city":"London","country":"unknown","street":"12 St James's Square"},"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","newsletter":false,"schema_version":"3.0.0"}
	// {"address":{"city":"Milton Keynes","country":"unknown","street":"Bletchley Park"},"email":"alan@example.com","first_name":"Alan","last_name":"Turing","newsletter":false,"schema_version":"3.0.0"}
	// {"line":3,"error":"migration failed for \"User\": 1.0.0 → 2.0.0: panic: runtime error: index out of range [0] with length 0","error_type":"panic","record":{"address":{"city":"?","street":"?"},"email":"nobody@example.com","name":"","schema_version":"1.0.0"}}
	// {"line":4,"error":"not a JSON object: unexpected end of JSON input","error_type":"decode","record":"{\"schema_version\":\"1.0.0\",\"name\":\"Grace Hopper\",\"email\":\"grace@example.com\""}
	// 2 of 4 records failed
	// exit status 1
}

func Example_diff() {
	runDoc("", "diff", "-m", "User", "--from", "2.0.0", "--to", "3.0.0", "--fail-on-breaking")
	// Output:
	// # User: 2.0.0 → 3.0.0
	//
	// ## Added fields
	//
	// - `newsletter`: bool, optional
	//
	// ## Removed fields
	//
	// None.
	//
	// ## Modified fields
	//
	// - `address`: nested model: Address 1.0.0 → 2.0.0
	//
	// ## Migrations
	//
	// Every change is covered by a migration, an auto step or a default.
}

func Example_graph() {
	runDoc("", "graph", "-m", "User")
	// Output:
	// flowchart LR
	//   subgraph User["User"]
	//     User_v1_0_0["1.0.0"]
	//     User_v2_0_0["2.0.0"]
	//     User_v3_0_0["3.0.0"]
	//     User_v1_0_0 --> User_v2_0_0
	//     User_v2_0_0 -. auto .-> User_v3_0_0
	//   end
}

func Example_check() {
	runDoc("", "check", "--samples", "20")
	// Output:
	// warn User 1.0.0 → 2.0.0 /name field_removed: name is not in 2.0.0: the migration drops it; if that is meant, say so in a round-trip test (transmutetest.WithLossy("/name"))
	// samples: 20 per version, seed 1 (--seed 1 reproduces them)
	// FAIL User 1.0.0 sample 4 (seed 1): migrate to 3.0.0: migration failed for "User": 1.0.0 → 2.0.0: panic: runtime error: index out of range [0] with length 0
	//      record: {"address":{"city":"","street":"😛p乬ae乃j亐亁l😝"},"email":"dpbka😒d😶😽","name":"","schema_version":"1.0.0"}
	// FAIL User 1.0.0 sample 8 (seed 1): migrate to 3.0.0: migration failed for "User": 1.0.0 → 2.0.0: panic: runtime error: index out of range [0] with length 0
	//      record: {"address":{"city":"😅😧g😓wfb","street":"乁i😭😇pd"},"email":"p亗😕价😇kv亊下","name":"","schema_version":"1.0.0"}
	// FAIL User 1.0.0 sample 12 (seed 1): migrate to 3.0.0: migration failed for "User": 1.0.0 → 2.0.0: panic: runtime error: index out of range [0] with length 0
	//      record: {"address":{"city":"df😄i丒😮","street":"Ada Lovelace"},"email":"line\nbreak","name":"","schema_version":"1.0.0"}
	// FAIL User 1.0.0: 1 more failed samples
	// check: 2 models, 5 versions, 20 samples each: 4 finding(s)
	// exit status 1
}
