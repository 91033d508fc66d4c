package cli_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/transmute-go/transmute/cli"
	"github.com/transmute-go/transmute/core"
)

type exampleV1 struct {
	Name string `json:"name"`
}

type exampleV2 struct {
	Name  string `json:"name"`
	Email string `json:"email" default:"\"unknown\""`
}

// Run the command in process, as a test of your own command would: here,
// migrate two JSON Lines records that carry their version.
func ExampleRun() {
	m := core.NewManager(core.WithVersionKey("v"))
	if err := errors.Join(
		core.Register[exampleV1](m, "User", "1.0.0"),
		core.Register[exampleV2](m, "User", "2.0.0", core.WithBackwardCompatible()),
	); err != nil {
		panic(err)
	}
	in := strings.NewReader(`{"v":"1.0.0","name":"Ada"}` + "\n" + `{"v":"2.0.0","name":"Alan","email":"alan@example.com"}` + "\n")
	var summary strings.Builder
	code := cli.Run(context.Background(), m, []string{"migrate", "-m", "User", "--to", "latest"}, cli.WithIO(in, os.Stdout, &summary))
	fmt.Println("exit", code)
	// Output:
	// {"email":"unknown","name":"Ada","v":"2.0.0"}
	// {"email":"alan@example.com","name":"Alan","v":"2.0.0"}
	// exit 0
}
