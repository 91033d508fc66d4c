package guide_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
	"github.com/transmute-go/transmute/hooks"
)

func Example_writingMigrations() {
	m := core.NewManager()
	check(core.Register[UserV1](m, "User", "1.0.0"))
	check(core.Register[UserV2](m, "User", "2.0.0"))

	// A migration function owns its argument (the engine passes a private
	// copy), so it may change it in place. It handles a missing or
	// mistyped field with an error, never a panic.
	check(m.RegisterMigration("User", "1.0.0", "2.0.0",
		func(_ context.Context, d core.Data) (core.Data, error) {
			name, ok := d["name"].(string)
			if !ok {
				return nil, fmt.Errorf("name: want a string, got %T", d["name"])
			}
			first, last := name, ""
			if i := strings.LastIndexByte(name, ' '); i >= 0 {
				first, last = name[:i], name[i+1:]
			}
			delete(d, "name")
			d["first_name"], d["last_name"] = first, last
			return d, nil
		}))

	out, err := m.Migrate(context.Background(), core.Data{"name": "Grace Brewster Hopper"}, "User", "1.0.0", "2.0.0")
	fmt.Println(out, err)
	_, err = m.Migrate(context.Background(), core.Data{"name": 42}, "User", "1.0.0", "2.0.0")
	fmt.Println(err)
	// Output:
	// map[first_name:Grace Brewster last_name:Hopper] <nil>
	// migration failed for "User": 1.0.0 → 2.0.0: name: want a string, got int
}

// AddressV1 and AddressV2 are two versions of a nested model.
type AddressV1 struct {
	City string `json:"city"`
}

// AddressV2 adds a country with a default.
type AddressV2 struct {
	City    string `json:"city"`
	Country string `json:"country" default:"\"NL\""`
}

// CustomerV1 holds an address of version 1.0.0.
type CustomerV1 struct {
	Name    string      `json:"name"`
	Address AddressV1   `json:"address"`
	Past    []AddressV1 `json:"past,omitempty"`
}

// CustomerV2 holds an address of version 2.0.0.
type CustomerV2 struct {
	Name    string      `json:"name"`
	Address AddressV2   `json:"address"`
	Past    []AddressV2 `json:"past,omitempty"`
	Tier    string      `json:"tier" default:"\"standard\""`
}

func Example_autoMigration() {
	m := core.NewManager()
	check(core.Register[AddressV1](m, "Address", "1.0.0"))
	check(core.Register[AddressV2](m, "Address", "2.0.0", core.WithBackwardCompatible()))
	check(core.Register[CustomerV1](m, "Customer", "1.0.0"))
	check(core.Register[CustomerV2](m, "Customer", "2.0.0", core.WithBackwardCompatible()))

	// Print each migration as it starts: nested models migrate through the
	// same engine, so their hooks fire inside the parent's.
	m.AddHook(hooks.Funcs{Before: func(ctx context.Context, e core.Event) context.Context {
		fmt.Println("migrate", e.Model, e.From, "→", e.To)
		return ctx
	}})

	in := core.Data{
		"name":    "Ada",
		"address": core.Data{"city": "London"},
		"past":    []any{core.Data{"city": "Paris"}},
		"note":    "kept: MigrateData and auto steps keep unknown keys",
	}
	out, err := m.Migrate(context.Background(), in, "Customer", "1.0.0", "2.0.0")
	b, _ := json.Marshal(out)
	fmt.Println(string(b), err)
	// Output:
	// migrate Customer 1.0.0 → 2.0.0
	// migrate Address 1.0.0 → 2.0.0
	// migrate Address 1.0.0 → 2.0.0
	// {"address":{"city":"London","country":"NL"},"name":"Ada","note":"kept: MigrateData and auto steps keep unknown keys","past":[{"city":"Paris","country":"NL"}],"tier":"standard"} <nil>
}

func Example_paths() {
	m := core.NewManager()
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0", "4.0.0"} {
		check(m.RegisterSchema("Doc", v, core.Schema{}))
	}
	step := func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }
	check(m.RegisterMigration("Doc", "1.0.0", "2.0.0", step))
	check(m.RegisterMigration("Doc", "1.0.0", "3.0.0", step)) // a jump
	check(m.RegisterMigration("Doc", "3.0.0", "4.0.0", step))
	check(m.RegisterMigration("Doc", "4.0.0", "3.0.0", step)) // a downgrade
	check(m.RegisterMigration("Doc", "3.0.0", "1.0.0", step))

	for _, p := range [][2]string{{"1.0.0", "4.0.0"}, {"4.0.0", "1.0.0"}, {"2.0.0", "4.0.0"}} {
		path, err := m.Path("Doc", p[0], p[1])
		fmt.Println(p[0], "→", p[1], path, err)
	}
	// Output:
	// 1.0.0 → 4.0.0 [1.0.0 3.0.0 4.0.0] <nil>
	// 4.0.0 → 1.0.0 [4.0.0 3.0.0 1.0.0] <nil>
	// 2.0.0 → 4.0.0 [] migration failed for "Doc": 2.0.0 → 4.0.0: no migration path
}

func Example_errors() {
	m := newManager()
	ctx := context.Background()

	_, err := m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "9.0.0")
	fmt.Println(errors.Is(err, core.ErrModelNotFound), core.ErrorType(err))

	_, err = m.Migrate(ctx, core.Data{"name": "Ada"}, "User", "v1", "2.0.0")
	fmt.Println(errors.Is(err, core.ErrInvalidVersion), err)

	// The target version requires last_name; a 2.0.0 record without it
	// fails validation, which names the field.
	_, err = m.Migrate(ctx, core.Data{"first_name": "Ada"}, "User", "2.0.0", "3.0.0")
	var ve *core.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, core.ErrorType(err))

	var me *core.MigrationError
	if errors.As(err, &me) {
		fmt.Println(me.Model, me.From, me.To)
	}
	// Output:
	// true model_not_found
	// true invalid version "v1": unexpected character 'v'
	// true last_name validation
	// User 2.0.0 3.0.0
}

func Example_schema() {
	m := core.NewManager()
	check(m.RegisterSchema("Event", "1.0.0", core.Schema{Fields: []core.Field{
		{Name: "id", Kind: core.KindString, Required: true},
	}}))
	check(m.RegisterSchema("Event", "1.1.0", core.Schema{Fields: []core.Field{
		{Name: "id", Kind: core.KindString, Required: true},
		{Name: "source", Kind: core.KindString, Default: json.RawMessage(`"legacy"`)},
	}}, core.WithBackwardCompatible()))

	out, err := m.Migrate(context.Background(), core.Data{"id": "e1"}, "Event", "1.0.0", "1.1.0")
	fmt.Println(out, err)
	// Output:
	// map[id:e1 source:legacy] <nil>
}

func Example_typedMigrations() {
	m := core.NewManager(core.WithVersionKey("schema_version"))
	check(core.Register[UserV1](m, "User", "1.0.0"))
	check(core.Register[UserV2](m, "User", "2.0.0"))
	check(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))

	// A typed step: Go structs in, Go structs out. The engine converts a
	// record to the struct and back only where a path needs it.
	check(core.RegisterTyped(m, "User", "1.0.0", "2.0.0",
		func(_ context.Context, u UserV1) (UserV2, error) {
			first, last := u.Name, ""
			if i := strings.LastIndexByte(u.Name, ' '); i >= 0 {
				first, last = u.Name[:i], u.Name[i+1:]
			}
			return UserV2{FirstName: first, LastName: last}, nil
		}))

	// Struct to struct.
	v2, err := core.Convert[UserV1, UserV2](context.Background(), m, "User", UserV1{Name: "Grace Hopper"})
	fmt.Printf("%+v %v\n", v2, err)

	// A stored row to the newest struct, in one call: the version comes
	// from the row, the typed step and then the auto step run.
	row := core.Data{"schema_version": "1.0.0", "name": "Ada Lovelace"}
	v3, err := core.MigrateAs[UserV3](context.Background(), m, row, "User", "", core.Latest)
	fmt.Printf("%+v %v\n", v3, err)

	// Bytes to bytes. A field the step's input type does not declare is
	// carried into its output, not lost.
	out, err := m.MigrateJSON(context.Background(), []byte(`{"schema_version":"1.0.0","name":"Alan Turing","nick":"prof"}`), "User", "", "2.0.0")
	fmt.Println(string(out), err)
	// Output:
	// {FirstName:Grace LastName:Hopper} <nil>
	// {FirstName:Ada LastName:Lovelace Country:unknown} <nil>
	// {"first_name":"Alan","last_name":"Turing","nick":"prof","schema_version":"2.0.0"} <nil>
}
