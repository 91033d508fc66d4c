package schema_test

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/transmute-go/transmute/core"
)

// The model family of the tests and golden files: User 1.0.0 → 2.0.0 →
// 3.0.0 with a nested Address 1.0.0 → 2.0.0 (auto), lists, maps, time,
// bytes, pointers, defaults, an inline object and docs.

type AddressV1 struct {
	Street string `json:"street"`
	City   string `json:"city" doc:"The city, as written locally."`
}

type AddressV2 struct {
	Street   string  `json:"street"`
	City     string  `json:"city" doc:"The city, as written locally."`
	Postcode *string `json:"postcode"`
}

type UserV1 struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
}

type UserV2 struct {
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     *string   `json:"email"`
	Tags      []string  `json:"tags"`
	Home      AddressV1 `json:"home"`
}

type Prefs struct {
	Theme string `json:"theme"`
	Beta  bool   `json:"beta,omitempty"`
}

type UserV3 struct {
	ID        int64              `json:"id" doc:"Stable identifier."`
	FirstName string             `json:"first_name"`
	LastName  string             `json:"last_name"`
	Email     *string            `json:"email"`
	Tags      []string           `json:"tags,omitempty"`
	Scores    map[string]float64 `json:"scores,omitempty"`
	Home      AddressV2          `json:"home"`
	Past      []AddressV2        `json:"past,omitempty"`
	Joined    time.Time          `json:"joined"`
	Avatar    []byte             `json:"avatar,omitempty"`
	Active    bool               `json:"active" default:"true"`
	Level     int                `json:"level" default:"1"`
	Meta      map[string]any     `json:"meta,omitempty"`
	Prefs     Prefs              `json:"prefs"`
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// newManager registers the family with its migrations (and a downgrade
// from 2.0.0 to 1.0.0, for the graph).
func newManager() *core.Manager {
	m := core.NewManager()
	must(errors.Join(
		core.Register[AddressV1](m, "Address", "1.0.0"),
		core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()),
		core.Register[UserV1](m, "User", "1.0.0"),
		core.Register[UserV2](m, "User", "2.0.0"),
		core.Register[UserV3](m, "User", "3.0.0"),
		m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			first, last, _ := strings.Cut(d["name"].(string), " ")
			return core.Data{"first_name": first, "last_name": last, "email": d["email"], "tags": []any{},
				"home": map[string]any{"street": "", "city": ""}}, nil
		}),
		m.RegisterMigration("User", "2.0.0", "1.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			return core.Data{"name": d["first_name"].(string) + " " + d["last_name"].(string), "email": d["email"]}, nil
		}),
		m.RegisterMigration("User", "2.0.0", "3.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
			d["id"], d["joined"], d["prefs"] = 0, "2026-01-01T00:00:00Z", map[string]any{"theme": "light"}
			return d, nil
		}),
	))
	return m
}
