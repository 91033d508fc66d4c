package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// UserV1 is version 1.0.0 of the User model.
type UserV1 struct {
	Name string `json:"name"`
}

// UserV2 splits the name.
type UserV2 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// UserV3 adds an optional email with a default: a compatible change.
type UserV3 struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email" default:"\"unknown@example.com\""`
}

func newUserManager() *core.Manager {
	m := core.NewManager()
	must(core.Register[UserV1](m, "User", "1.0.0"))
	must(core.Register[UserV2](m, "User", "2.0.0"))
	must(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	must(m.RegisterMigration("User", "1.0.0", "2.0.0", func(_ context.Context, d core.Data) (core.Data, error) {
		name, ok := d["name"].(string)
		if !ok {
			return nil, fmt.Errorf("name is %T, not a string", d["name"])
		}
		first, last, _ := strings.Cut(name, " ")
		delete(d, "name")
		d["first_name"], d["last_name"] = first, last
		return d, nil
	}))
	return m
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func ExampleRegister() {
	m := core.NewManager()
	must(core.Register[UserV1](m, "User", "1.0.0"))
	must(core.Register[UserV3](m, "User", "3.0.0", core.WithBackwardCompatible()))
	fmt.Println(m.Models())
	fmt.Println(m.Versions("User"))
	err := core.Register[UserV1](m, "User", "1.0.0")
	fmt.Println(err)
	// Output:
	// [User]
	// [1.0.0 3.0.0] <nil>
	// register "User" 1.0.0: already registered
}

func ExampleManager_Migrate() {
	m := newUserManager()
	out, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	fmt.Println(out, err)
	path, _ := m.Path("User", "1.0.0", "3.0.0")
	fmt.Println(path)
	// Output:
	// map[email:unknown@example.com first_name:Ada last_name:Lovelace] <nil>
	// [1.0.0 2.0.0 3.0.0]
}

func ExampleMigrateAs() {
	m := newUserManager()
	u, err := core.MigrateAs[UserV3](context.Background(), m, core.Data{"name": "Alan Turing"}, "User", "1.0.0", "3.0.0")
	fmt.Printf("%+v %v\n", u, err)
	// Output:
	// {FirstName:Alan LastName:Turing Email:unknown@example.com} <nil>
}

func ExampleManager_MigrateBatch() {
	m := newUserManager()
	items := []core.Data{{"name": "Ada Lovelace"}, {"name": "Grace Hopper"}, {"name": "Alan Turing"}}
	out, err := m.MigrateBatch(context.Background(), items, "User", "1.0.0", "2.0.0", core.WithWorkers(2))
	for _, d := range out {
		fmt.Println(d["first_name"], d["last_name"])
	}
	fmt.Println(err)
	// Output:
	// Ada Lovelace
	// Grace Hopper
	// Alan Turing
	// <nil>
}

// printHook prints what it observes.
type printHook struct{ core.NopHook }

func (printHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	fmt.Printf("before %s %s → %s via %v\n", e.Model, e.From, e.To, e.Path)
	return ctx
}

func (printHook) AfterMigrate(_ context.Context, e core.Event, migrated core.Record) {
	fmt.Printf("after %s: %v\n", e.Model, migrated.Keys())
}

func (printHook) OnError(_ context.Context, e core.Event, err error) {
	fmt.Printf("error %s: %s\n", e.Model, core.ErrorType(err))
}

func ExampleManager_AddHook() {
	m := newUserManager()
	m.AddHook(printHook{})
	ctx := context.Background()
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "3.0.0")
	_, _ = m.Migrate(ctx, core.Data{"name": 42}, "User", "1.0.0", "2.0.0")
	// Output:
	// before User 1.0.0 → 3.0.0 via [1.0.0 2.0.0 3.0.0]
	// after User: [email first_name last_name]
	// before User 1.0.0 → 2.0.0 via [1.0.0 2.0.0]
	// error User: migration_function
}

func ExampleParseVersion() {
	v, err := core.ParseVersion("1.2.3")
	fmt.Println(v, err)
	_, err = core.ParseVersion("v1.2")
	fmt.Println(err, errors.Is(err, core.ErrInvalidVersion))
	// Output:
	// 1.2.3 <nil>
	// invalid version "v1.2": unexpected character 'v' true
}

func ExampleManager_Path() {
	m := core.NewManager()
	noop := func(_ context.Context, d core.Data) (core.Data, error) { return d, nil }
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0", "4.0.0"} {
		must(m.RegisterSchema("Doc", v, core.Schema{}))
	}
	// A jump from 1 to 3, then 3 to 4: they compose.
	must(m.RegisterMigration("Doc", "1.0.0", "3.0.0", noop))
	must(m.RegisterMigration("Doc", "3.0.0", "4.0.0", noop))
	fmt.Println(m.Path("Doc", "1.0.0", "4.0.0"))
	fmt.Println(m.HasPath("Doc", "1.0.0", "2.0.0"))
	// Output:
	// [1.0.0 3.0.0 4.0.0] <nil>
	// false
}

func ExampleManager_RegisterSchema() {
	m := core.NewManager()
	must(m.RegisterSchema("Event", "1.0.0", core.Schema{Fields: []core.Field{
		{Name: "id", Required: true, Kind: core.KindString},
	}}))
	must(m.RegisterSchema("Event", "1.1.0", core.Schema{Fields: []core.Field{
		{Name: "id", Required: true, Kind: core.KindString},
		{Name: "source", Kind: core.KindString, Default: []byte(`"web"`)},
	}}, core.WithBackwardCompatible()))
	out, err := m.Migrate(context.Background(), core.Data{"id": "e1"}, "Event", "1.0.0", "1.1.0")
	fmt.Println(out, err)
	_, err = m.Migrate(context.Background(), core.Data{"id": 7}, "Event", "1.0.0", "1.1.0")
	fmt.Println(err)
	// Output:
	// map[id:e1 source:web] <nil>
	// migration failed for "Event": 1.0.0 → 1.1.0: validation failed for "Event" 1.1.0: field "id": want string, got number
}

func ExampleManager_MigrateStream() {
	m := newUserManager()
	records := func(yield func(core.Data) bool) {
		for _, name := range []string{"Ada Lovelace", "Grace Hopper"} {
			if !yield(core.Data{"name": name}) {
				return
			}
		}
	}
	for d, err := range m.MigrateStream(context.Background(), records, "User", "1.0.0", "3.0.0", core.WithWorkers(2)) {
		fmt.Println(d["last_name"], d["email"], err)
	}
	// Output:
	// Lovelace unknown@example.com <nil>
	// Hopper unknown@example.com <nil>
}

func ExampleContextWithHooks() {
	m := newUserManager()
	m.AddHook(printHook{})
	// A hook for this request only: it runs inside the manager's.
	ctx := core.ContextWithHooks(context.Background(), requestHook{})
	_, _ = m.Migrate(ctx, core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	// Output:
	// before User 1.0.0 → 2.0.0 via [1.0.0 2.0.0]
	// request: User starts
	// request: User done
	// after User: [first_name last_name]
}

type requestHook struct{ core.NopHook }

func (requestHook) BeforeMigrate(ctx context.Context, e core.Event) context.Context {
	fmt.Println("request:", e.Model, "starts")
	return ctx
}

func (requestHook) AfterMigrate(_ context.Context, e core.Event, _ core.Record) {
	fmt.Println("request:", e.Model, "done")
}
