package migratehttp

import (
	"context"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// The demo models that the example serves: a User whose name is split in
// 2.0.0 and who gains an email in 3.0.0, with an optional nested Address
// whose zip becomes a postal code (and which gains a country) in 2.0.0.
// User 2.0.0 → 3.0.0 has no function: it is an auto-migration, which
// migrates the nested Address 1.0.0 → 2.0.0 through the engine, so the
// Address migration runs (and is traced) inside that step.

// UserV1 is User 1.0.0.
type UserV1 struct {
	Name    string     `json:"name"`
	Address *AddressV1 `json:"address,omitempty"`
}

// UserV2 is User 2.0.0: the name split in two.
type UserV2 struct {
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	Address   *AddressV1 `json:"address,omitempty"`
}

// UserV3 is User 3.0.0: an email with a default, and the new Address.
type UserV3 struct {
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	Email     string     `json:"email" default:"\"\""`
	Address   *AddressV2 `json:"address,omitempty"`
}

// AddressV1 is Address 1.0.0.
type AddressV1 struct {
	Street string `json:"street"`
	City   string `json:"city"`
	Zip    string `json:"zip"`
}

// AddressV2 is Address 2.0.0: zip renamed postal_code, and a required
// country ("unknown" for the records migrated from 1.0.0).
type AddressV2 struct {
	Street     string `json:"street"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// RegisterModels registers User 1.0.0, 2.0.0 and 3.0.0 and Address 1.0.0
// and 2.0.0 in m, with their migrations. The User 1.0.0 → 2.0.0 function
// fails (500) when name is not a string.
func RegisterModels(m *core.Manager) error {
	regs := []error{
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0"),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()),
		m.RegisterMigration("Address", "1.0.0", "2.0.0", addressV1toV2),
		m.RegisterMigration("User", "1.0.0", "2.0.0", userV1toV2),
	}
	for _, err := range regs {
		if err != nil {
			return err
		}
	}
	return nil
}

func userV1toV2(_ context.Context, d core.Data) (core.Data, error) {
	name, ok := d["name"].(string)
	if !ok {
		return nil, fmt.Errorf("name is %T, not a string", d["name"])
	}
	first, last, _ := strings.Cut(name, " ")
	delete(d, "name")
	d["first_name"], d["last_name"] = first, last
	return d, nil
}

func addressV1toV2(_ context.Context, d core.Data) (core.Data, error) {
	if zip, ok := d["zip"]; ok {
		d["postal_code"] = zip
		delete(d, "zip")
	}
	if _, ok := d["country"]; !ok {
		d["country"] = "unknown"
	}
	return d, nil
}
