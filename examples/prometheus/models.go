package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// userV1 is User 1.0.0.
type userV1 struct {
	Name string `json:"name"`
}

// userV2 is User 2.0.0: the name split in two.
type userV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// userV3 is User 3.0.0: an email with a default, so 2.0.0 → 3.0.0 is an
// auto-migration.
type userV3 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email" default:"\"\""`
}

func registerModels(m *core.Manager) error {
	return firstError(
		core.Register[userV1](m, "User", "1.0.0"),
		core.Register[userV2](m, "User", "2.0.0"),
		core.Register[userV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name is %T, not a string", d["name"])
			}
			first, last, _ := strings.Cut(name, " ")
			delete(d, "name")
			d["first_name"], d["last_name"] = first, last
			return d, nil
		}),
	)
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
