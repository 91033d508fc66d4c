package main

import "strings"

// program is what a new user writes with one module: its source, the
// arguments and standard input it runs with, and what it must print.
type program struct {
	source, stdin, want string
	args                []string
}

// models is the part every program shares: User 1.0.0 → 2.0.0.
const models = `
type UserV1 struct {
	Name string ` + "`json:\"name\"`" + `
}

type UserV2 struct {
	First string ` + "`json:\"first\"`" + `
	Last  string ` + "`json:\"last\"`" + `
}

func manager() *core.Manager {
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
			return core.Data{"first": first, "last": last}, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	return m
}

func migrate(m *core.Manager) {
	out, err := m.Migrate(context.Background(), core.Data{"name": "Ada Lovelace"}, "User", "1.0.0", "2.0.0")
	if err != nil {
		panic(err)
	}
	fmt.Println(out)
}
`

const migrated = "map[first:Ada last:Lovelace]"

// source is a program importing the root module's core and imports, with
// main's body.
func source(imports []string, body string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"fmt\"\n\t\"strings\"\n\n\t\"github.com/transmute-go/transmute/core\"\n")
	for _, i := range imports {
		b.WriteString("\t\"" + i + "\"\n")
	}
	b.WriteString(")\n" + models + "\nfunc main() {\n" + body + "\n}\n")
	return b.String()
}

const root = "github.com/transmute-go/transmute"

var programs = map[string]program{
	root: {
		source: source([]string{root + "/hooks", root + "/transmutetest"}, `
	m := manager()
	rec := &transmutetest.Recorder{}
	m.AddHook(hooks.Validate(func(context.Context, core.Event, core.Record) error { return nil }), rec)
	migrate(m)
	fmt.Println(len(rec.Calls()), "hook calls")`),
		want: migrated + "\n4 hook calls",
	},
	root + "/otelhook": {
		source: source([]string{root + "/otelhook"}, `
	m := manager()
	m.AddHook(otelhook.New())
	migrate(m)`),
		want: migrated,
	},
	root + "/metricshook": {
		source: source([]string{root + "/metricshook"}, `
	m := manager()
	h := metricshook.New()
	m.AddHook(h)
	migrate(m)
	fmt.Println(h.Total(), "migration")`),
		want: migrated + "\n1 migration",
	},
	root + "/audit": {
		source: source([]string{"os", root + "/audit"}, `
	m := manager()
	trail := audit.New(os.Stdout)
	m.AddHook(trail)
	migrate(m)
	if err := trail.Close(); err != nil {
		panic(err)
	}`),
		want: `"to_version":"2.0.0"`,
	},
	root + "/sampling": {
		source: source([]string{root + "/sampling", root + "/transmutetest"}, `
	m := manager()
	h := sampling.New(&transmutetest.Recorder{}, sampling.WithRatio(1))
	m.AddHook(h)
	migrate(m)
	fmt.Println(h.Sampled(), "sampled")`),
		want: migrated + "\n1 sampled",
	},
	root + "/composite": {
		source: source([]string{root + "/composite", root + "/transmutetest"}, `
	m := manager()
	rec := &transmutetest.Recorder{}
	m.AddHook(composite.Of(rec))
	migrate(m)
	fmt.Println(len(rec.Calls()), "calls")`),
		want: migrated + "\n4 calls",
	},
	root + "/schema": {
		source: source([]string{root + "/schema"}, `
	b, err := schema.JSON(manager(), "User", "2.0.0")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))`),
		want: `"first"`,
	},
	root + "/cli": {
		source: source([]string{root + "/cli"}, `
	cli.Main(manager())`),
		args:  []string{"migrate", "-m", "User", "--from", "1.0.0", "--to", "2.0.0"},
		stdin: `{"name":"Ada Lovelace"}` + "\n",
		want:  `{"first":"Ada","last":"Lovelace"}`,
	},
	root + "/jsmigrate": {
		source: source([]string{root + "/jsmigrate"}, `
	_ = manager()
	fmt.Println(jsmigrate.DefaultSubject("orders.created", 2))`),
		want: "v2",
	},
	root + "/pgmigrate": {
		source: source([]string{root + "/pgmigrate"}, `
	var d pgmigrate.Doc
	if err := d.Scan(`+"`"+`{"id":9007199254740993}`+"`"+`); err != nil {
		panic(err)
	}
	_ = manager()
	fmt.Println(d.Data["id"])`),
		want: "9007199254740993",
	},
	root + "/httpversion": {
		source: source([]string{root + "/httpversion"}, `
	api, err := httpversion.New(manager(), []httpversion.Version{{Name: "2025-01-01", Models: map[string]string{"User": "2.0.0"}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(api.Versions())`),
		want: "[2025-01-01]",
	},
}
