// Command readme is the program shown in the README: two versions of a
// model, one migration function, one hook.
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

	m := core.NewManager()
	err := errors.Join(
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name is %T, not a string", d["name"])
			}
			first, last, _ := strings.Cut(name, " ")
			return core.Data{"first_name": first, "last_name": last}, nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	m.AddHook(hooks.NewLogger(slog.New(slog.NewTextHandler(os.Stdout, nil))))

	user, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	fmt.Println(user, err)
}
