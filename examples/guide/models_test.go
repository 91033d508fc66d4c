package guide_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// UserV1 is the first version of the User model.
type UserV1 struct {
	Name string `json:"name"`
}

// UserV2 splits the name in two.
type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// UserV3 adds a field with a default: a compatible change.
type UserV3 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Country   string `json:"country" default:"\"unknown\""`
}

// splitName is the migration of User from 1.0.0 to 2.0.0.
func splitName(_ context.Context, d core.Data) (core.Data, error) {
	name, ok := d["name"].(string)
	if !ok {
		return nil, fmt.Errorf("name is %T, not a string", d["name"])
	}
	first, last, _ := strings.Cut(name, " ")
	delete(d, "name")
	d["first_name"], d["last_name"] = first, last
	return d, nil
}

// newManager registers User 1.0.0 → 2.0.0 → 3.0.0.
func newManager() *core.Manager {
	m := core.NewManager()
	check(core.Register[UserV1](m, "User", "1.0.0"))
	check(core.Register[UserV2](m, "User", "2.0.0"))
	check(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	check(m.RegisterMigration("User", "1.0.0", "2.0.0", splitName))
	return m
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
