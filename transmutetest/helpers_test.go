package transmutetest_test

import (
	"context"
	"errors"
	"strings"

	"github.com/transmute-go/transmute/core"
)

type userV1 struct {
	Name string `json:"name"`
}

type userV2 struct {
	First string `json:"first_name"`
	Last  string `json:"last_name"`
}

var errNoName = errors.New("no name")

// newManager registers User 1.0.0 (a name) and 2.0.0 (the name split in
// two), with the migration between them; a name with no space fails it.
func newManager() *core.Manager {
	m := core.NewManager()
	err := errors.Join(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			name, _ := d["name"].(string)
			first, last, ok := strings.Cut(name, " ")
			if !ok {
				return nil, errNoName
			}
			return core.Data{"first_name": first, "last_name": last}, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	return m
}
