// Command readme is the program shown in the README: two versions of a
// model, one typed migration, one hook, a stored row to the latest.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

func main() {
	type UserV1 struct {
		Name string `json:"name"`
	}
	type UserV2 struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	}

	m := core.NewManager(core.WithVersionKey("schema_version"))
	err := errors.Join(
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.RegisterTyped(m, "User", "1.0.0", "2.0.0", func(_ context.Context, u UserV1) (UserV2, error) {
			first, last, _ := strings.Cut(u.Name, " ")
			return UserV2{FirstName: first, LastName: last}, nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	m.AddHook(hooks.NewLogger(slog.New(slog.NewTextHandler(os.Stdout, nil))))

	row := []byte(`{"schema_version":"1.0.0","name":"Ada Lovelace"}`)
	out, err := m.MigrateJSON(context.Background(), row, "User", "", core.Latest)
	fmt.Println(string(out), err)
}
